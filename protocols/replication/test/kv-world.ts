import { type AgentContext, type Behavior, type Envelope, Path, type RuntimeId } from '@escher/core';
import { History } from '@escher/linearizability';
import type { FaultLayer, InFlight, Rng, Simulator } from '@escher/sim';
import { Replication, type ReplicationOptions } from '../src';
import { type KvOp, type KvReply, type KvRequest, KvStore, PrefixChecker, randomKvOp } from './kv-store';

/**
 * Cuts the links between two sets of runtimes while `active` (the others,
 * clients included, stay connected): a partition among replicas only.
 */
export class Cut implements FaultLayer {
  readonly name = 'cut';
  active = false;
  blocked = 0;
  private a = new Set<RuntimeId>();
  private b = new Set<RuntimeId>();
  split(a: readonly string[], b: readonly string[]): void {
    this.a = new Set(a);
    this.b = new Set(b);
    this.active = true;
  }
  heal(): void {
    this.active = false;
  }
  apply(frame: InFlight): InFlight[] {
    if (!this.active) return [frame];
    const { from, to } = frame;
    if ((this.a.has(from) && this.b.has(to)) || (this.b.has(from) && this.a.has(to))) {
      this.blocked++;
      return [];
    }
    return [frame];
  }
}

/** Settings of a {@link KvWorld}. */
export interface WorldOptions {
  readonly replicas: number;
  readonly clients: number;
  readonly opsPerClient: readonly [number, number];
  /** A client sends its operation again (a new message) if unanswered for this long. */
  readonly retryMs: number;
  readonly replication?: Partial<ReplicationOptions>;
  /** Gets return stale values (negative control). */
  readonly stale?: boolean;
}

/**
 * A replicated key-value store under the simulator: `/kv` refined into
 * replicas `/kv/1…n` under {@link Replication}, clients `/c0…` each doing
 * one operation at a time (retrying with a new message until answered),
 * every invocation and answer recorded in a {@link History}. Checks, after
 * every event: replicas apply prefixes of one sequence; replies with the
 * same (source's parent, id) are equal; at most one leader per term.
 */
export class KvWorld {
  readonly smr: Replication;
  readonly stores: KvStore[] = [];
  readonly checker = new PrefixChecker();
  readonly history = new History();
  readonly clients: KvClient[] = [];
  readonly replicaPaths: string[];
  private readonly leaders = new Map<number, number>();
  private electionViolation: string | undefined;

  constructor(
    readonly sim: Simulator,
    readonly options: WorldOptions,
  ) {
    const rng = sim.rng.fork('workload');
    this.replicaPaths = Array.from({ length: options.replicas }, (_, i) => `/kv/${i + 1}`);
    for (const p of this.replicaPaths) {
      const store = new KvStore(p, this.checker, options.stale === true);
      this.stores.push(store);
      sim.spawn(p, store);
    }
    this.smr = new Replication(
      sim,
      { electionTimeoutMs: 50, heartbeatMs: 10, retryMs: 20, ...options.replication, service: '/kv', replicas: options.replicas },
      'smr',
    );
    this.smr.addReplicas();
    for (let c = 0; c < options.clients; c++) {
      const ops = rng.int(options.opsPerClient[0], options.opsPerClient[1]);
      const client = new KvClient(this, c, ops, rng.fork(`client${c}`));
      this.clients.push(client);
      sim.spawn(`/c${c}`, client);
    }
  }

  /** Crashes the runtime of the replica leading at time `at` (or of `fallback` if none leads). */
  crashLeaderAt(at: number, fallback: string): void {
    this.sim.at(at, () => {
      const target = this.smr.leader() ?? fallback;
      if (this.sim.isRunning(target)) this.sim.crashNode(target);
    });
  }

  /** Paths of replicas still running. */
  live(): string[] {
    return this.replicaPaths.filter((p) => this.sim.isRunning(p));
  }

  /** Every client finished, and every live replica applied everything any replica applied. */
  finished(): boolean {
    if (!this.clients.every((c) => c.done)) return false;
    return this.replicaPaths.every((p, i) => !this.sim.isRunning(p) || (this.stores[i] as KvStore).inputs.length === this.checker.length);
  }

  /** Safety, after every event. */
  always(): void {
    if (this.checker.violation !== undefined) throw new Error(this.checker.violation);
    for (const c of this.clients) if (c.violation !== undefined) throw new Error(c.violation);
    for (const p of this.replicaPaths) {
      const r = this.smr.replicaAt(p)?.raft;
      if (r === undefined || !r.isLeader) continue;
      const known = this.leaders.get(r.term);
      if (known === undefined) this.leaders.set(r.term, r.rank);
      else if (known !== r.rank && this.electionViolation === undefined) {
        this.electionViolation = `two leaders in term ${r.term}: replicas ${known} and ${r.rank}`;
      }
    }
    if (this.electionViolation !== undefined) throw new Error(this.electionViolation);
  }

  /** At the end: every operation answered, and every live replica executed each exactly once (nothing acknowledged was lost). */
  atEnd(): void {
    this.always();
    const all: string[] = [];
    for (const c of this.clients) {
      if (!c.done) throw new Error(`client ${c.index} finished ${c.completed} of ${c.total} operations`);
      for (let n = 1; n <= c.total; n++) all.push(`c${c.index}:${n}`);
    }
    const live = this.live();
    if (live.length === 0) throw new Error('no replica survived');
    for (const p of live) {
      const store = this.stores[this.replicaPaths.indexOf(p)] as KvStore;
      const executed = new Set(store.executed);
      if (executed.size !== store.executed.length) throw new Error(`${p} executed an operation twice`);
      for (const op of all) if (!executed.has(op)) throw new Error(`${p} lost acknowledged operation ${op}`);
    }
  }
}

/** A client: one operation at a time, sent to `/kv`, sent again (new message) until answered. */
export class KvClient implements Behavior {
  ctx!: AgentContext;
  n = 0;
  completed = 0;
  done = false;
  violation: string | undefined;
  private retry: ReturnType<AgentContext['setTimer']> | undefined;
  private current: KvRequest | undefined;
  /** Reply payloads by (source's parent, id): replicas must agree. */
  private readonly replies = new Map<string, string>();
  private lastRead = new Map<string, string>();

  constructor(
    private readonly world: KvWorld,
    readonly index: number,
    readonly total: number,
    private readonly rng: Rng,
  ) {}

  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
    ctx.setTimer(this.rng.int(0, 100), () => this.issue());
  }

  receive(msg: Envelope): void {
    const reply = msg.payload as KvReply;
    const key = `${Path.parent(msg.src) ?? ''}#${msg.id}`;
    const json = JSON.stringify(reply);
    const seen = this.replies.get(key);
    if (seen === undefined) this.replies.set(key, json);
    else if (seen !== json && this.violation === undefined) this.violation = `replies ${key} differ: ${seen} and ${json} (from ${msg.src})`;
    const cur = this.current;
    if (cur === undefined || reply.n !== cur.n) return; // a duplicate, or the answer to an earlier retry
    this.current = undefined;
    if (this.retry !== undefined) this.ctx.clearTimer(this.retry);
    if (cur.op.f === 'get' && typeof reply.value === 'string') this.lastRead.set(cur.op.key, reply.value);
    this.world.history.ok(this.index, reply.value === null ? undefined : reply.value, this.world.sim.now);
    this.completed++;
    if (this.n >= this.total) {
      this.done = true;
      return;
    }
    this.ctx.setTimer(this.rng.int(0, 30), () => this.issue());
  }

  private issue(): void {
    this.n++;
    const op = this.nextOp();
    const req: KvRequest = { c: `c${this.index}`, n: this.n, op };
    this.current = req;
    this.world.history.invoke(this.index, op.f, op, this.world.sim.now);
    this.send(req);
  }

  private send(req: KvRequest): void {
    this.ctx.send('/kv', req);
    this.retry = this.ctx.setTimer(this.world.options.retryMs, () => {
      if (this.current === req) this.send(req);
    });
  }

  private nextOp(): KvOp {
    return randomKvOp(this.rng, `${this.index}.${this.n}`, this.lastRead);
  }
}
