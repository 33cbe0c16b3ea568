import {
  type AgentInfo,
  type Behavior,
  type BusEvent,
  type Codec,
  type Handler,
  JsonCodec,
  MemoryDiscovery,
  type Metaobject,
  type Network,
  RingQueue,
  Path,
  type ProtocolHost,
  type Runtime,
  type RuntimeId,
  type SpawnOptions,
  type StackPosition,
  createRuntime,
} from '@escher/core';
import { EventQueue } from './event-queue';
import type { FaultLayer } from './faults/fault-layer';
import { HandleCodec } from './handle-codec';
import { Rng } from './rng';
import { SimClock, type TimeSource } from './sim-clock';
import { SimNetwork } from './sim-network';
import { TraceHash } from './trace-hash';

/** One simulated machine: a runtime, its clock, and whether it waits in the ready queue. */
interface SimNode {
  rt: Runtime;
  readonly clock: SimClock;
  queued: boolean;
  closed: boolean;
}

/** Settings of one simulation. */
export interface SimulatorOptions {
  /** Fixes every random choice: the same seed gives the same run. */
  readonly seed: number;
  /** Fault layers every frame between runtimes goes through, in order. */
  readonly faults?: FaultLayer[];
  /** `handles` (default, fast) or `json` (real serialisation, slower). */
  readonly codec?: 'handles' | 'json';
  /** Hash every bus step into the trace (needed to compare runs); default true. */
  readonly trace?: boolean;
  /**
   * Decorates the simulated network for each runtime, e.g. with the PKI's
   * `SecureNetwork`, so authenticated links run under simulated faults.
   * Frames are then real bytes (the codec defaults to `json`): a decorator
   * that seals frames hides the simulator's frame handles, and tampering
   * tests need real bytes to tamper with.
   */
  readonly wrapNetwork?: (inner: Network, runtime: RuntimeId) => Network;
}

/** Options of {@link Simulator.spawn}. */
export interface SimSpawnOptions extends SpawnOptions {
  /** Runtime (simulated machine) to host the agent; default: one runtime per agent, named after its path. */
  readonly node?: RuntimeId;
}

/** Why a run stopped. */
export interface RunResult {
  readonly reason: 'done' | 'quiescent' | 'time-limit' | 'step-limit';
  readonly time: number;
  readonly steps: number;
}

/**
 * A deterministic simulation of Escher runtimes: virtual time, one seeded
 * random source, a simulated network with fault layers, crashes and
 * restarts. Runtimes are real kernel runtimes with `autoRun` off, driven here:
 * after every event the simulator drains every runtime until nothing is
 * runnable, then moves time to the next event. Nothing reads the real clock,
 * so a seed replays exactly; {@link Simulator.traceHash} proves it.
 */
export class Simulator implements TimeSource, ProtocolHost {
  now = 0;
  readonly queue = new EventQueue();
  readonly rng: Rng;
  readonly network: SimNetwork;
  readonly discovery = new MemoryDiscovery();
  readonly trace: TraceHash;
  private readonly codec: Codec;
  private readonly nodes = new Map<RuntimeId, SimNode>();
  private readonly traced: boolean;
  /** Runtimes that got work since they were last drained (told by their onRunnable), in that order. */
  private readonly ready = new RingQueue<SimNode>(64);
  steps = 0;

  constructor(readonly options: SimulatorOptions) {
    this.rng = new Rng(options.seed);
    if (options.wrapNetwork !== undefined && options.codec === 'handles') {
      throw new RangeError('frame handles cannot cross a decorated network (wrapNetwork): use the json codec');
    }
    const handles = options.codec === 'json' || options.wrapNetwork !== undefined ? undefined : new HandleCodec();
    this.codec = handles ?? new JsonCodec();
    this.network = new SimNetwork(this, options.faults ?? [], this.rng.fork('network'), handles);
    this.traced = options.trace ?? true;
    this.trace = new TraceHash();
  }

  get seed(): number {
    return this.options.seed;
  }

  /** The runtime `id`, created (with a skew-free clock) on first use. */
  node(id: RuntimeId): Runtime {
    const n = this.nodes.get(id);
    if (n !== undefined) return n.rt;
    return this.start(id);
  }

  /** Runtimes, in creation order. */
  runtimes(): Runtime[] {
    return [...this.nodes.values()].map((n) => n.rt);
  }

  /** Starts an agent, by default on a runtime of its own so that every message crosses the simulated network. */
  spawn(path: Path | string, behavior: Behavior | Handler, options: SimSpawnOptions = {}): AgentInfo {
    const node = options.node ?? Path.parse(path);
    return this.node(node).spawn(path, behavior, options);
  }

  /** Stops the agent at `path` for good, wherever it runs (a refinement change removing a child). */
  stop(path: Path | string): void {
    this.hostOf(path).stop(path);
  }

  /** An agent is hosted by a running runtime and has not crashed. */
  isRunning(path: Path | string): boolean {
    for (const { rt } of this.nodes.values()) if (rt.agent(path)?.status === 'running') return true;
    return false;
  }

  /** The runtime hosting `path`. */
  hostOf(path: Path | string): Runtime {
    for (const { rt } of this.nodes.values()) if (rt.agent(path) !== undefined) return rt;
    throw new Error(`no simulated runtime hosts ${path}`);
  }

  /**
   * Twins (testing BFT protocols): a second agent with the same path on a
   * runtime of its own, so two copies of one identity run at once and may
   * behave differently. Both receive what is sent to the path.
   */
  spawnTwin(path: Path | string, behavior: Behavior | Handler, options: SpawnOptions = {}): AgentInfo {
    return this.node(`${Path.parse(path)}#twin`).spawn(path, behavior, options);
  }

  /** Puts raw bytes on the simulated network as if runtime `from` sent them (malformed frames, replays). */
  inject(from: RuntimeId, to: RuntimeId, bytes: Uint8Array, delayMs = 0): void {
    this.queue.schedule(this.now + delayMs, () => this.network.deliverRaw(from, to, bytes));
  }

  /** ProtocolHost: a protocol instance spans runtimes; each role goes to the runtime hosting its agent. */
  install(path: Path, meta: Metaobject, position?: StackPosition): void {
    this.hostOf(path).install(path, meta, position);
  }

  remove(path: Path, meta: Metaobject): void {
    this.hostOf(path).remove(path, meta);
  }

  /** Crash failure of one agent. */
  crash(path: Path | string): void {
    this.hostOf(path).crash(path);
  }

  /** A whole runtime crashes: every agent on it, and its volatile state, are gone. */
  crashNode(id: RuntimeId): void {
    const n = this.nodes.get(id);
    if (n === undefined) return;
    n.closed = true;
    n.rt.close();
    this.nodes.delete(id);
    this.trace.add(`${this.now} crash-node ${id}`);
  }

  /** Starts a fresh runtime under an old id (after crashNode); `setup` spawns its agents again. */
  restartNode(id: RuntimeId, setup: (rt: Runtime) => void): Runtime {
    if (this.nodes.has(id)) throw new Error(`runtime ${id} is running`);
    const rt = this.start(id);
    this.trace.add(`${this.now} restart-node ${id}`);
    setup(rt);
    return rt;
  }

  /** Clock skew of a runtime: rate (1 = true time) and offset. */
  skew(id: RuntimeId, rate: number, offset = 0): void {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no runtime ${id}`);
    n.clock.rate = rate;
    n.clock.offset = offset;
  }

  /** Runs `fn` at virtual time `at` (a scenario step: a crash, a heal, a request). */
  at(at: number, fn: () => void): void {
    this.queue.schedule(Math.max(at, this.now), fn);
  }

  /** Runs `fn` after `delay` ms of virtual time. */
  after(delay: number, fn: () => void): void {
    this.at(this.now + delay, fn);
  }

  /** Drains runtimes that have work until none has anything runnable (in the order they became runnable). */
  settle(): void {
    const ready = this.ready;
    for (let n = ready.shift(); n !== undefined; n = ready.shift()) {
      n.queued = false;
      if (!n.closed && n.rt.busy) n.rt.drain();
    }
  }

  /** One event: settle, then advance time to the next event and run it. False when nothing is left. */
  step(): boolean {
    this.settle();
    const e = this.queue.pop();
    if (e === undefined) return false;
    if (e.at > this.now) this.now = e.at;
    this.steps++;
    e.run();
    this.settle();
    return true;
  }

  /**
   * Runs until `done()` holds, nothing is left to happen, `maxTime` of virtual
   * time has passed or `maxSteps` events have run. `check` runs after every
   * event (safety invariants: throw to fail).
   */
  run(options: { done?: () => boolean; maxTime?: number; maxSteps?: number; check?: () => void } = {}): RunResult {
    const maxTime = options.maxTime ?? Number.POSITIVE_INFINITY;
    const maxSteps = options.maxSteps ?? 10_000_000;
    this.settle();
    let steps = 0;
    for (;;) {
      options.check?.();
      if (options.done?.() === true) return { reason: 'done', time: this.now, steps };
      const next = this.queue.peekTime();
      if (next === undefined) return { reason: 'quiescent', time: this.now, steps };
      if (next > maxTime) return { reason: 'time-limit', time: this.now, steps };
      if (steps >= maxSteps) return { reason: 'step-limit', time: this.now, steps };
      this.step();
      steps++;
    }
  }

  /** Hex digest of everything that happened so far. */
  traceHash(): string {
    return this.trace.digest();
  }

  private start(id: RuntimeId): Runtime {
    const clock = new SimClock(this);
    const node = { clock, queued: false, closed: false } as SimNode;
    const rt = createRuntime({
      id,
      autoRun: false,
      onRunnable: () => {
        if (!node.queued) {
          node.queued = true;
          this.ready.push(node);
        }
      },
      clock,
      network: this.options.wrapNetwork === undefined ? this.network : this.options.wrapNetwork(this.network, id),
      discovery: this.discovery,
      codec: this.codec,
    });
    node.rt = rt;
    this.nodes.set(id, node);
    if (this.traced) rt.events$.subscribe((e) => this.trace.add(describe(this.now, e)));
    return rt;
  }
}

function describe(now: number, e: BusEvent): string {
  switch (e.kind) {
    case 'transmitted':
      return `${now} ${e.runtime} tx ${e.msg.src}>${e.msg.dst}#${e.msg.id}`;
    case 'delivered':
      return `${now} ${e.runtime} dv ${e.agent} ${e.msg.src}>${e.msg.dst}#${e.msg.id}`;
    case 'dispatched':
      return `${now} ${e.runtime} dp ${e.agent} ${e.msg.src}>${e.msg.dst}#${e.msg.id}`;
    case 'dropped':
      return `${now} ${e.runtime} drop ${e.agent ?? '-'} ${e.reason.code} ${e.msg === undefined ? '' : `${e.msg.src}>${e.msg.dst}#${e.msg.id}`}`;
    case 'error':
      return `${now} ${e.runtime} err ${e.agent ?? '-'} ${e.error.code}`;
    case 'lifecycle':
      return `${now} ${e.runtime} ${e.status} ${e.agent}`;
    default: {
      const never: never = e;
      return String(never);
    }
  }
}
