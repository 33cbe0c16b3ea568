import { type AgentContext, type Behavior, createRuntime, type DeterministicBehavior, type Envelope, type Path, type Runtime } from '@escher/core';
import { Manager } from '@escher/protocol-refinement';
import { type HeapSample, sampleHeap } from './heap';

/** Sizes of one run. */
export interface RunSize {
  /** Requests the client sends; each is answered once (merged from three replies). */
  readonly messages: number;
  /** Requests in flight at most: the client sends a window, waits for its replies and for the runtime to go idle. */
  readonly window: number;
  /** Heap is sampled every this many requests (a multiple of `window`), and at 0. */
  readonly sampleEvery: number;
  /** A window must complete within this long, or the run fails (a lost reply would otherwise hang it). */
  readonly windowTimeoutMs?: number;
}

/** The state of the system after a number of requests, with the runtime idle. */
export interface Sample extends HeapSample {
  /** Requests sent and answered so far. */
  readonly messages: number;
  /** Unacknowledged messages, summed over every agent's outbox. */
  readonly outbox: number;
  /** Open merge groups, summed over every agent's merger. */
  readonly openGroups: number;
  /** Messages waiting in inboxes, summed over every agent. */
  readonly inbox: number;
  /** (source, destination) channels in the done boxes of every agent. */
  readonly doneChannels: number;
  /** Ids stored above the watermark, summed over every channel of every done box. */
  readonly doneSparse: number;
  /** Lowest done-box watermark among the request and reply channels (ids at or below it are compacted). */
  readonly doneWatermark: number;
  /** Retransmissions so far, summed over every outbox. */
  readonly retransmissions: number;
  /** Duplicates acknowledged again and dropped so far, summed over every outbox. */
  readonly duplicates: number;
  /** Wall-clock time since the first request, in milliseconds. */
  readonly elapsedMs: number;
}

/** A run that did not do what its workload implies. */
export class WorkloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkloadError';
  }
}

const SERVICE = '/svc';
const CHILDREN = ['1', '2', '3'];
const KEYS = Array.from({ length: 64 }, (_, i) => `key-${i}`);

/** A replica of the service: answers each request with a small record. Deterministic, as replicas must be. */
class Replica implements DeterministicBehavior {
  readonly deterministic = true;
  handled = 0;
  receive(msg: Envelope, ctx: AgentContext): void {
    this.handled++;
    const req = msg.payload as { seq: number; key: string };
    ctx.reply(msg, { seq: req.seq, key: req.key, value: req.seq * 2 });
  }
}

/** The client: sends requests when told to, counts replies, checks they come in order from the virtual service. */
class Client implements Behavior {
  ctx: AgentContext | undefined;
  replies = 0;
  wrong = 0;
  private waitingFor = 0;
  private wake: (() => void) | undefined;

  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }

  receive(msg: Envelope): void {
    this.replies++;
    const p = msg.payload as { seq: number; value: number };
    if (msg.src !== SERVICE || p.seq !== this.replies || p.value !== p.seq * 2) this.wrong++;
    if (this.replies >= this.waitingFor && this.wake !== undefined) {
      const wake = this.wake;
      this.wake = undefined;
      wake();
    }
  }

  /** Sends requests `from`..`to` and resolves once every reply up to `to` has arrived. */
  round(from: number, to: number): Promise<void> {
    const ctx = this.ctx;
    if (ctx === undefined) throw new WorkloadError('the client has not started');
    const done = new Promise<void>((resolve) => {
      this.waitingFor = to;
      this.wake = resolve;
    });
    for (let seq = from; seq <= to; seq++) ctx.send(SERVICE, { seq, op: 'get', key: KEYS[seq & 63] as string });
    return done;
  }
}

/** The system under test: a client and a service refined into three replicas, every agent with the full refinement stack. */
export interface World {
  readonly rt: Runtime;
  readonly mgr: Manager;
  readonly client: Client;
  readonly replicas: readonly Replica[];
  readonly agents: readonly Path[];
}

/**
 * A runtime on the real clock that schedules itself (`autoRun`), so the
 * outboxes' retransmission timers are real timers that fire between
 * scheduler slices, as in a deployed process.
 */
export function buildWorld(): World {
  const rt = createRuntime({ id: 'outbox-gc' });
  const mgr = new Manager(rt, { refinement: { reliable: true } });
  const replicas: Replica[] = [];
  mgr.refine(SERVICE, {
    children: CHILDREN,
    merge: { waitForMatching: 1 },
    create: () => {
      const r = new Replica();
      replicas.push(r);
      return r;
    },
  });
  const client = new Client();
  const c = mgr.spawn('/c', client);
  const agents = [c, ...CHILDREN.map((n) => `${SERVICE}/${n}` as Path)];
  return { rt, mgr, client, replicas, agents };
}

/** Reads the protocol state of every agent, and the heap. */
export function inspect(world: World, messages: number, elapsedMs: number, gc: (() => void) | undefined): Sample {
  let outbox = 0;
  let openGroups = 0;
  let inbox = 0;
  let doneChannels = 0;
  let doneSparse = 0;
  let doneWatermark = Number.POSITIVE_INFINITY;
  let retransmissions = 0;
  let duplicates = 0;
  for (const path of world.agents) {
    const roles = world.mgr.refinement.rolesAt(path);
    outbox += roles.outbox?.size ?? 0;
    retransmissions += roles.outbox?.retransmissions ?? 0;
    duplicates += roles.outbox?.duplicates ?? 0;
    openGroups += roles.merger?.openGroups ?? 0;
    inbox += world.rt.agent(path)?.inboxSize ?? 0;
    for (const ch of world.rt.doneBox(path).channels()) {
      doneChannels++;
      doneSparse += ch.sparse;
      doneWatermark = Math.min(doneWatermark, ch.doneWatermark);
    }
  }
  const heap = sampleHeap(gc);
  return {
    messages,
    ...heap,
    outbox,
    openGroups,
    inbox,
    doneChannels,
    doneSparse,
    doneWatermark: Number.isFinite(doneWatermark) ? doneWatermark : 0,
    retransmissions,
    duplicates,
    elapsedMs,
  };
}

function withTimeout(p: Promise<void>, ms: number, what: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WorkloadError(what())), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `size.messages` requests in windows of `size.window`, waiting after
 * each window for its replies and for the runtime to go idle, and calls
 * `onSample` at 0 and every `size.sampleEvery` requests.
 * @throws WorkloadError if a reply is missing, wrong, or out of order, or if a replica missed a request
 */
export async function run(size: RunSize, gc: (() => void) | undefined, onSample: (s: Sample) => void): Promise<Sample> {
  if (size.sampleEvery % size.window !== 0) throw new RangeError('sampleEvery must be a multiple of window');
  const world = buildWorld();
  const { rt, client, replicas } = world;
  try {
    await rt.idle();
    const start = performance.now();
    let last = inspect(world, 0, 0, gc);
    onSample(last);
    for (let sent = 0; sent < size.messages; ) {
      const to = Math.min(size.messages, sent + size.window);
      await withTimeout(
        client.round(sent + 1, to),
        size.windowTimeoutMs ?? 30_000,
        () => `requests ${sent + 1}..${to}: ${client.replies} replies after ${size.windowTimeoutMs ?? 30_000} ms; ${JSON.stringify(inspect(world, sent, 0, undefined))}`,
      );
      await rt.idle();
      sent = to;
      if (sent % size.sampleEvery === 0 || sent === size.messages) {
        last = inspect(world, sent, performance.now() - start, gc);
        onSample(last);
      }
    }
    if (client.replies !== size.messages || client.wrong !== 0) {
      throw new WorkloadError(`the client got ${client.replies} replies (${client.wrong} wrong) for ${size.messages} requests`);
    }
    for (const r of replicas) {
      if (r.handled !== size.messages) throw new WorkloadError(`a replica handled ${r.handled} requests of ${size.messages}`);
    }
    return last;
  } finally {
    rt.close();
  }
}
