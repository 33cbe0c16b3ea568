import { inject, injectable } from 'tsyringe';
import type { Subscription } from 'rxjs';
import { Agent, type AgentHost, type AgentStatus } from './agent';
import { type Behavior, type Handler, toBehavior } from './behavior';
import { Envelope } from './envelope';
import {
  AgentExistsError,
  EscherError,
  ForgedSourceError,
  InvalidIncarnationError,
  InvalidMinDepthError,
  MalformedMessageError,
  RuntimeClosedError,
  SiblingRuleError,
  UnknownAgentError,
} from './errors';
import { EventLog } from './events';
import type { Metaobject } from './metaobject';
import { Path } from './path';
import type { ProtocolHost } from './protocol';
import { RingQueue } from './ring-queue';
import type { Route } from './route';
import { RUNTIME_OPTIONS, type RuntimeOptions } from './runtime-options';
import { CLOCK, type Clock } from './services/clock';
import { CODEC, type Codec } from './services/codec';
import { DISCOVERY, type Discovery } from './services/discovery';
import type { Frame, WireMessage } from './services/frame';
import { FRAME_VERSION } from './services/frame';
import { NETWORK, type Network, type NetworkEndpoint, type RuntimeId } from './services/network';
import type { StackPosition } from './stack';

/** Options of {@link Runtime.spawn}. */
export interface SpawnOptions {
  /** Shallowest destination this agent receives (Escher §2.2); default 1. */
  readonly minDepth?: number;
  /**
   * Runs after the agent exists and before its application starts: the
   * place to install metaobjects, so that nothing the application says in
   * `onStart` bypasses them.
   */
  readonly setup?: (path: Path) => void;
  /**
   * Which life of the agent at this path this is: 0 for the first, higher
   * for each restart (a launcher restarting a process passes a counter it
   * keeps on disk, or `Date.now()`). Every message the agent sends carries
   * it; a receiver that gets a message from a newer incarnation starts that
   * channel over (the restarted agent numbers its messages from 1 again) and
   * refuses what an older one still had in flight (`StaleIncarnationError`).
   * Default: 0, or one more than the incarnation of a crashed agent at the
   * same path in this runtime.
   */
  readonly incarnation?: number;
}

/** A read-only view of a hosted agent, for tools, tests and examples. */
export interface AgentInfo {
  readonly path: Path;
  readonly minDepth: number;
  readonly incarnation: number;
  readonly status: AgentStatus;
  readonly inboxSize: number;
  readonly stack: readonly string[];
}

/**
 * Hosts physical agents: a run-queue scheduler, the refinement-aware bus
 * (a message for `d` reaches every agent `a` with `d` ancestor-or-self of `a`
 * and depth(d) ≥ a.minDepth), the sibling rule, and the event stream.
 * Messages for agents in other runtimes go through the injected
 * {@link Network}, found through the injected {@link Discovery}.
 */
@injectable()
export class Runtime implements AgentHost, ProtocolHost {
  readonly id: RuntimeId;
  readonly log: EventLog;
  private readonly agents = new Map<Path, Agent>();
  private readonly runQueue = new RingQueue<Agent>(64);
  private epoch = 0;
  private draining = false;
  private kickPending = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly endpoint: NetworkEndpoint;
  private readonly outgoing = new Map<RuntimeId, WireMessage[]>();
  private flushPending = false;
  private readonly discoverySub: Subscription;
  private readonly quantum: number;
  /** For messages from other runtimes: receivers per destination and the sibling-rule verdict per source, until the epoch changes. */
  private readonly inbound = new Map<Path, { epoch: number; receivers: Agent[]; allowed: Map<Path, boolean> }>();
  private readonly autoRun: boolean;
  /** The network's answer to "may this peer speak for this source?", if it authenticates peers. */
  private readonly sourceGuard: ((peer: RuntimeId, src: string) => boolean) | undefined;
  private readonly onRunnable: ((runtimeId: string) => void) | undefined;

  constructor(
    @inject(RUNTIME_OPTIONS) options: RuntimeOptions,
    @inject(CLOCK) readonly clock: Clock,
    @inject(NETWORK) network: Network,
    @inject(DISCOVERY) private readonly discovery: Discovery,
    @inject(CODEC) private readonly codec: Codec,
  ) {
    this.id = options.id;
    this.quantum = options.quantum;
    this.autoRun = options.autoRun;
    this.onRunnable = options.onRunnable;
    this.log = new EventLog(this.id);
    this.endpoint = network.attach(this.id, (from, bytes) => this.onFrame(from, bytes));
    this.sourceGuard = network.mayClaim === undefined ? undefined : network.mayClaim.bind(network);
    // Any change in who hosts what invalidates every cached route.
    this.discoverySub = discovery.changes$.subscribe(() => this.epoch++);
  }

  /** Every bus step: transmitted, delivered, dispatched, dropped, error, lifecycle. */
  get events$() {
    return this.log.events$;
  }

  /** Running totals of bus steps. */
  get counters() {
    return this.log.counters;
  }

  // ---- agents --------------------------------------------------------------

  /**
   * Starts a physical agent at `path` (again, if the agent there crashed:
   * under a new incarnation).
   * @throws InvalidPathError, AgentExistsError, InvalidMinDepthError, InvalidIncarnationError, RuntimeClosedError
   */
  spawn(path: Path | string, behavior: Behavior | Handler, options: SpawnOptions = {}): AgentInfo {
    if (this.closed) throw new RuntimeClosedError(this.id);
    const p = Path.parse(path);
    if (p === '') throw new InvalidMinDepthError(p, 'the system agent is virtual and cannot be spawned');
    const existing = this.agents.get(p);
    if (existing !== undefined && existing.status === 'running') throw new AgentExistsError(p);
    const minDepth = options.minDepth ?? 1;
    if (!Number.isInteger(minDepth) || minDepth < 1 || minDepth > Path.depth(p)) throw new InvalidMinDepthError(p, minDepth);
    const incarnation = incarnationOf(p, options.incarnation, existing?.incarnation);
    const agent = new Agent(
      p,
      minDepth,
      incarnation,
      toBehavior(behavior),
      this,
      () => this.epoch,
      (r) => this.refresh(r),
    );
    this.agents.set(p, agent);
    this.epoch++;
    this.discovery.announce(this.id, p, minDepth);
    this.log.lifecycle(p, 'spawned');
    if (options.setup !== undefined) {
      try {
        options.setup(p);
      } catch (e) {
        this.agents.delete(p);
        this.epoch++;
        this.discovery.withdraw(this.id, p);
        throw e;
      }
    }
    agent.start();
    this.kick();
    return this.info(agent);
  }

  /** Crash failure: the agent stops processing and loses its volatile state. */
  crash(path: Path | string): void {
    this.halt(path, 'crashed');
  }

  /** Stops an agent for good and forgets it. */
  stop(path: Path | string): void {
    this.halt(path, 'stopped');
    this.agents.delete(Path.parse(path));
    this.epoch++;
  }

  /** Paths of hosted agents, sorted. */
  paths(): Path[] {
    return [...this.agents.keys()].sort();
  }

  /** A view of the agent at `path`, if hosted here. */
  agent(path: Path | string): AgentInfo | undefined {
    const a = this.agents.get(path as Path);
    return a === undefined ? undefined : this.info(a);
  }

  /** The application object of the agent at `path` (for tests and tools). */
  application<B extends Behavior = Behavior>(path: Path | string): B {
    return this.require(path).application as B;
  }

  /** Sends from a hosted agent as if its application did (through its stack). */
  send<P>(from: Path | string, dst: Path | string, payload: P): Envelope<P> {
    return this.require(from).context.send(dst, payload);
  }

  /** Raises a control event on a hosted agent's stack, as its application would. */
  control(path: Path | string, event: import('./protocol-event').ProtocolEvent): unknown {
    return this.require(path).context.control(event);
  }

  /** The done box of a hosted agent: `contains(i, src, dst)`. */
  doneBox(path: Path | string) {
    return this.require(path).doneBox;
  }

  // ---- stacks (ProtocolHost) ----------------------------------------------

  install(path: Path | string, meta: Metaobject, position?: StackPosition): void {
    this.require(path).install(meta, position);
  }

  remove(path: Path | string, meta: Metaobject): void {
    this.require(path).remove(meta);
  }

  // ---- scheduler -----------------------------------------------------------

  /** @internal AgentHost */
  schedule(agent: Agent): void {
    agent.scheduled = true;
    this.runQueue.push(agent);
    if (!this.draining) this.kick();
  }

  /** @internal AgentHost: make sure queued work runs soon. */
  kick(): void {
    if (!this.autoRun) {
      if (!this.draining && !this.closed && this.runQueue.length !== 0) this.onRunnable?.(this.id);
      return;
    }
    if (this.kickPending || this.draining || this.closed) return;
    if (this.runQueue.length === 0) {
      if (this.idleWaiters.length > 0 && !this.flushPending) this.wakeIdle();
      return;
    }
    this.kickPending = true;
    setImmediate(this.onKick);
  }

  /**
   * Runs agents' turns synchronously until none is left or `maxSteps` turns
   * have run; returns how many turns ran (a turn runs at most one message,
   * after taking at most one arrival down the agent's stack). Benchmarks and tests use it to run
   * without the event loop; normal programs let the runtime schedule itself.
   */
  drain(maxSteps = Number.POSITIVE_INFINITY): number {
    if (this.draining) return 0;
    this.draining = true;
    let steps = 0;
    const q = this.runQueue;
    try {
      while (steps < maxSteps) {
        const agent = q.shift();
        if (agent === undefined) break;
        agent.scheduled = false;
        agent.step();
        steps++;
        if (!agent.scheduled && agent.hasWork()) {
          agent.scheduled = true;
          q.push(agent);
        }
      }
    } finally {
      this.draining = false;
    }
    if (!this.autoRun && this.flushPending) this.flush();
    return steps;
  }

  /** Messages are waiting to run here. */
  get busy(): boolean {
    return this.runQueue.length !== 0;
  }

  /** Resolves once nothing is queued here (timers may still be pending). */
  idle(): Promise<void> {
    if (this.runQueue.length === 0 && !this.kickPending && !this.flushPending) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.kick();
    });
  }

  /** Stops every agent and detaches from the network. */
  close(): void {
    if (this.closed) return;
    for (const p of [...this.agents.keys()]) this.stop(p);
    this.closed = true;
    this.discoverySub.unsubscribe();
    this.endpoint.close();
    this.log.complete();
    this.wakeIdle();
  }

  private readonly onKick = (): void => {
    this.kickPending = false;
    this.drain(this.quantum);
    if (this.runQueue.length > 0) this.kick();
    else if (!this.flushPending) this.wakeIdle();
  };

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  // ---- bus -----------------------------------------------------------------

  /** @internal AgentHost: a message left the top of a stack. */
  post(msg: Envelope, route: Route): void {
    this.log.transmitted(msg);
    const local = route.local;
    const remote = route.remote;
    const n = local.length;
    if (n === 0 && remote.length === 0) {
      this.log.dropped(msg.src, msg, new UnknownAgentError(msg.dst));
      return;
    }
    for (let i = 0; i < remote.length; i++) this.enqueueRemote(remote[i] as RuntimeId, msg);
    // Each receiver gets its own envelope so that one receiver's metaobjects cannot affect another's.
    for (let i = 0; i < n - 1; i++) (local[i] as Agent).receive(msg.copy());
    if (n > 0) (local[n - 1] as Agent).receive(remote.length === 0 ? msg : msg.copy());
  }

  /** Recomputes the receivers of `route.dst`. */
  private refresh(route: Route): void {
    route.local = this.localReceivers(route.dst);
    route.remote = this.discovery.resolve(route.dst).filter((r) => r !== this.id);
    route.epoch = this.epoch;
  }

  private localReceivers(dst: Path): Agent[] {
    const d = Path.depth(dst);
    const out: Agent[] = [];
    for (const a of this.agents.values()) {
      if (d >= a.minDepth && Path.isAncestorOrSelf(dst, a.path)) out.push(a);
    }
    return out;
  }

  private enqueueRemote(to: RuntimeId, msg: Envelope): void {
    let batch = this.outgoing.get(to);
    if (batch === undefined) {
      batch = [];
      this.outgoing.set(to, batch);
    }
    const wire: WireMessage = { id: msg.id, src: msg.src, dst: msg.dst, payload: msg.payload };
    const roleTags = msg.roleTags;
    if (roleTags !== undefined) (wire as { roleTags?: Record<string, unknown> }).roleTags = roleTags;
    if (msg.tags !== undefined) (wire as { tags?: readonly unknown[] }).tags = msg.tags;
    if (msg.inc !== 0) (wire as { inc?: number }).inc = msg.inc;
    batch.push(wire);
    if (!this.flushPending) {
      // One frame per destination per tick: batching is what makes links fast.
      this.flushPending = true;
      if (this.autoRun) queueMicrotask(this.flush);
      else if (!this.draining) this.flush();
    }
  }

  private readonly flush = (): void => {
    this.flushPending = false;
    for (const [to, messages] of this.outgoing) {
      const frame: Frame = { v: FRAME_VERSION, from: this.id, messages };
      this.endpoint.send(to, this.codec.encode(frame));
    }
    this.outgoing.clear();
    if (this.runQueue.length === 0 && !this.kickPending) this.wakeIdle();
  };

  /** A frame from another runtime: decode, validate each message, deliver locally. */
  private onFrame(from: RuntimeId, bytes: Uint8Array): void {
    if (this.closed) return;
    let frame: Frame;
    try {
      frame = this.codec.decode(bytes);
    } catch (e) {
      this.log.dropped(undefined, undefined, asEscherError(e));
      return;
    }
    for (const w of frame.messages) {
      let msg: Envelope;
      try {
        msg = toEnvelope(w);
      } catch (e) {
        this.log.dropped(undefined, undefined, asEscherError(e));
        continue;
      }
      const guard = this.sourceGuard;
      if (guard !== undefined && !guard(from, msg.src)) {
        // Authenticity (Escher §2.1): the peer holds no certificate for this source.
        this.log.dropped(undefined, msg, new ForgedSourceError(msg.src, `runtime ${from}`));
        continue;
      }
      let entry = this.inbound.get(msg.dst);
      if (entry === undefined || entry.epoch !== this.epoch) {
        // Bounded: a peer sending to endless made-up destinations must not grow this cache without limit.
        if (this.inbound.size >= INBOUND_CACHE_MAX) this.inbound.clear();
        entry = { epoch: this.epoch, receivers: this.localReceivers(msg.dst), allowed: entry?.allowed ?? new Map() };
        this.inbound.set(msg.dst, entry);
      }
      let allowed = entry.allowed.get(msg.src);
      if (allowed === undefined) {
        allowed = Path.maySend(msg.src, msg.dst);
        if (entry.allowed.size >= INBOUND_CACHE_MAX) entry.allowed.clear();
        entry.allowed.set(msg.src, allowed);
      }
      if (!allowed) {
        this.log.dropped(undefined, msg, new SiblingRuleError(msg.src, msg.dst));
        continue;
      }
      const receivers = entry.receivers;
      if (receivers.length === 0) {
        this.log.dropped(undefined, msg, new UnknownAgentError(msg.dst));
        continue;
      }
      for (let i = 0; i < receivers.length; i++) (receivers[i] as Agent).receive(i === 0 ? msg : msg.copy());
    }
  }

  // ---- helpers -------------------------------------------------------------

  private halt(path: Path | string, status: 'crashed' | 'stopped'): void {
    const agent = this.require(path);
    agent.halt(status);
    this.discovery.withdraw(this.id, agent.path);
    this.log.lifecycle(agent.path, status);
  }

  private require(path: Path | string): Agent {
    const a = this.agents.get(path as Path);
    if (a === undefined) throw new UnknownAgentError(typeof path === 'string' ? path : String(path));
    return a;
  }

  private info(a: Agent): AgentInfo {
    return {
      path: a.path,
      minDepth: a.minDepth,
      incarnation: a.incarnation,
      status: a.status,
      inboxSize: a.inbox.length,
      stack: a.stack.list().map((m) => m.label),
    };
  }
}

/** Largest number of destinations (and of sources per destination) remembered for inbound messages. */
const INBOUND_CACHE_MAX = 4096;

function asEscherError(e: unknown): EscherError {
  return e instanceof EscherError ? e : new MalformedMessageError(String(e), { cause: e });
}

/** Validates a message that arrived from another runtime. @throws MalformedMessageError */
function toEnvelope(w: WireMessage): Envelope {
  if (typeof w !== 'object' || w === null) throw new MalformedMessageError('not an object');
  if (!Number.isSafeInteger(w.id) || w.id < 1) throw new MalformedMessageError(`bad id ${String(w.id)}`);
  let src: Path;
  let dst: Path;
  try {
    src = Path.parse(w.src);
    dst = Path.parse(w.dst);
  } catch (cause) {
    throw new MalformedMessageError('bad path', { cause });
  }
  if (w.roleTags !== undefined && (typeof w.roleTags !== 'object' || w.roleTags === null || Array.isArray(w.roleTags))) {
    throw new MalformedMessageError('role tags must be an object');
  }
  if (w.tags !== undefined && !Array.isArray(w.tags)) throw new MalformedMessageError('tags must be an array');
  const inc = w.inc ?? 0;
  if (!Number.isSafeInteger(inc) || inc < 0) throw new MalformedMessageError(`bad incarnation ${String(w.inc)}`);
  return new Envelope(w.id, src, dst, w.payload, w.roleTags === undefined ? undefined : { ...w.roleTags }, w.tags, inc);
}

/** The incarnation of an agent spawned at `path`, replacing one of incarnation `previous` if any. @throws InvalidIncarnationError */
function incarnationOf(path: Path, given: number | undefined, previous: number | undefined): number {
  if (given === undefined) return previous === undefined ? 0 : previous + 1;
  if (!Number.isSafeInteger(given) || given < 0) throw new InvalidIncarnationError(path, given, 'not a non-negative safe integer');
  if (previous !== undefined && given <= previous) {
    throw new InvalidIncarnationError(path, given, `the crashed agent it replaces here was incarnation ${previous}`);
  }
  return given;
}
