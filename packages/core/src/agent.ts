import type { AgentContext, Behavior } from './behavior';
import { capabilitiesOf } from './behavior';
import { DoneBox } from './done-box';
import { Envelope } from './envelope';
import {
  AgentUnavailableError,
  DuplicateMessageError,
  EscherError,
  ForgedSourceError,
  HandlerError,
  MetaobjectError,
  ProtocolError,
  SiblingRuleError,
  StaleIncarnationError,
  StateNotReifiableError,
  UnhandledEventError,
  UnmergedFragmentError,
} from './errors';
import type { EventLog } from './events';
import type { MetaContext, Metaobject } from './metaobject';
import { Path } from './path';
import type { ProtocolEvent } from './protocol-event';
import { RingQueue } from './ring-queue';
import { Route } from './route';
import type { Clock, TimerHandle } from './services/clock';
import { type Layer, MetaStack, type StackEnds, type StackPosition } from './stack';
import { StateSnapshot } from './state-snapshot';

/** Lifecycle of a physical agent. */
export type AgentStatus = 'running' | 'crashed' | 'stopped';

/** What an agent needs from the runtime hosting it. */
export interface AgentHost {
  readonly log: EventLog;
  readonly clock: Clock;
  /** Puts the agent on the run queue. */
  schedule(agent: Agent): void;
  /** Hands a message that left the top of the stack to the bus. */
  post(msg: Envelope, route: Route): void;
  /** Wakes the scheduler after work done outside it (timers). */
  kick(): void;
}

/**
 * A physical agent (Escher §2.1): a state machine (the {@link Behavior}) with
 * an inbox and a done box, under a DIL metaobject stack. It runs one message
 * at a time. Messages leave through the stack to the bus immediately, so an
 * in-process agent's outbox is always empty; the refinement issue adds
 * retransmission from an outbox for links that can lose messages.
 */
export class Agent implements StackEnds {
  readonly depth: number;
  status: AgentStatus = 'running';
  /** Accepted messages not yet run, in arrival order (DIL's default mail queue). */
  readonly inbox = new RingQueue<Envelope>(4);
  readonly doneBox = new DoneBox();
  readonly stack: MetaStack;
  /** @internal on the runtime's run queue. */
  scheduled = false;

  /**
   * Messages from the bus waiting for this agent's turn to go down its stack.
   * Deliver hooks (and the events they raise to the application) run in the
   * receiver's turn, never inside the sender's: no agent is re-entered.
   */
  private readonly arrivals = new RingQueue<Envelope>(4);
  /** Messages a dispatch hook released outside the agent's turn: they run first, next turn. */
  private readonly released = new RingQueue<Envelope>(2);
  private readonly routes = new Map<Path, Route>();
  /** Id of the k-th message on a channel: (k − 1) · idStride + idOffset + 1 (see interleaveIds). */
  private idStride = 1;
  private idOffset = 0;
  private lastRoute: Route | undefined;
  private inTurn = false;
  /** Inside step(): the scheduler re-queues the agent afterwards if it has work, so nothing here need schedule it. */
  private stepping = false;
  private inHandler = false;
  private readonly timers = new Map<TimerHandle, Metaobject | undefined>();
  private capabilities: ReadonlySet<string>;
  /** The application's view (its `ctx`). */
  readonly context: AgentContext;

  constructor(
    readonly path: Path,
    readonly minDepth: number,
    /**
     * Which life of the agent at `path` this is: 0 at first, higher after each
     * restart. Every message it sends carries it, so receivers tell its
     * numbering (from 1 again) apart from its predecessor's.
     */
    readonly incarnation: number,
    private behavior: Behavior,
    private readonly host: AgentHost,
    private readonly routeEpoch: () => number,
    private readonly refreshRoute: (route: Route) => void,
  ) {
    this.depth = Path.depth(path);
    this.stack = new MetaStack(this);
    this.capabilities = capabilitiesOf(behavior);
    this.context = this.makeContext();
  }

  /** The application object (for inspection in tests and tools). */
  get application(): Behavior {
    return this.behavior;
  }

  // ---- sending -------------------------------------------------------------

  /** A route for `dst`, validated once and cached. @throws InvalidPathError */
  route(dst: Path | string): Route {
    const last = this.lastRoute;
    if (last !== undefined && last.dst === dst) return last;
    let r = this.routes.get(dst as Path);
    if (r === undefined) {
      const p = Path.parse(dst);
      r = new Route(p, Path.maySend(this.path, p));
      this.routes.set(p, r);
    }
    this.lastRoute = r;
    return r;
  }

  /** A new message from this agent. @throws InvalidPathError, SiblingRuleError */
  newMessage<P>(dst: Path | string, payload: P): Envelope<P> {
    const r = this.route(dst);
    if (!r.allowed) throw new SiblingRuleError(this.path, r.dst);
    const n = ++r.lastId;
    const id = this.idStride === 1 ? n : (n - 1) * this.idStride + this.idOffset + 1;
    return new Envelope(id, this.path, r.dst, payload, undefined, undefined, this.incarnation);
  }

  /**
   * Ids of this agent's messages, on every channel, become the `index`-th
   * of `ways` interleaved sequences: (k − 1) · ways + index + 1 for its
   * k-th message. Shards of one virtual agent send as that agent, so their
   * ids for the same destination must never collide. Applied again (a shard
   * of a shard), the new split refines the previous one.
   * @throws ProtocolError once the agent has sent anything
   */
  interleaveIds(ways: number, index: number): void {
    if (!Number.isInteger(ways) || ways < 1 || !Number.isInteger(index) || index < 0 || index >= ways) {
      throw new ProtocolError(this.path, `cannot take sequence ${index} of ${ways}`);
    }
    for (const r of this.routes.values()) if (r.lastId !== 0) throw new ProtocolError(this.path, 'ids can only be split before the first message');
    // x ↦ x·ways + index, applied after the current split (inner refinements first).
    this.idOffset = this.idOffset * ways + index;
    this.idStride *= ways;
  }

  /**
   * Top of `transmit`: checks the source and the sibling rule, then hands to
   * the bus. The agent's incarnation is stamped here, as the source is
   * checked: no metaobject can speak for another life of its agent (an ACK
   * built with `new Envelope` gets it too).
   */
  toBus(msg: Envelope): void {
    if (msg.src !== this.path) {
      this.host.log.dropped(this.path, msg, new ForgedSourceError(msg.src, this.path));
      return;
    }
    msg.inc = this.incarnation;
    let r: Route;
    try {
      r = this.route(msg.dst);
    } catch (e) {
      this.host.log.dropped(this.path, msg, e as EscherError);
      return;
    }
    if (!r.allowed) {
      this.host.log.dropped(this.path, msg, new SiblingRuleError(this.path, r.dst));
      return;
    }
    if (r.epoch !== this.routeEpoch()) this.refreshRoute(r);
    this.host.post(msg, r);
  }

  // ---- receiving -----------------------------------------------------------

  /** From the bus: down the stack (DIL `deliver`). */
  receive(msg: Envelope): void {
    if (this.status !== 'running') {
      this.host.log.dropped(this.path, msg, new AgentUnavailableError(this.path, this.status));
      return;
    }
    if (this.stack.deliverers === 0 && this.arrivals.length === 0) {
      // No deliver hook to run: queueing in the inbox is all DIL's default deliver does.
      this.accept(msg);
      return;
    }
    this.arrivals.push(msg);
    if (!this.scheduled) this.host.schedule(this);
  }

  /** Bottom of `deliver`: refuse duplicates, queue in the inbox. */
  accept(msg: Envelope): void {
    if (this.status !== 'running') {
      this.host.log.dropped(this.path, msg, new AgentUnavailableError(this.path, this.status));
      return;
    }
    const tags = msg.tags;
    if (tags !== undefined && tags.length !== 0) {
      this.host.log.dropped(this.path, msg, new UnmergedFragmentError(msg.src, msg.dst));
      return;
    }
    const ch = this.doneBox.channel(msg.src, msg.dst);
    if (msg.inc !== ch.inc && !ch.admit(msg.inc)) {
      this.host.log.dropped(this.path, msg, new StaleIncarnationError(msg.src, msg.dst, msg.inc, ch.inc));
      return;
    }
    if (!ch.accepted.add(msg.id)) {
      this.host.log.dropped(this.path, msg, new DuplicateMessageError(msg.src, msg.dst, msg.id));
      return;
    }
    this.inbox.push(msg);
    this.host.log.delivered(this.path, msg);
    if (!this.scheduled && !this.stepping) this.host.schedule(this);
  }

  /** Has work for the scheduler. */
  hasWork(): boolean {
    return (
      this.status === 'running' && (this.inbox.length !== 0 || this.released.length !== 0 || this.arrivals.length !== 0)
    );
  }

  /**
   * One turn: take one arrival down the stack, then run one message (a
   * released one first, else the inbox head through the dispatch hooks).
   */
  step(): void {
    this.inTurn = true;
    this.stepping = true;
    try {
      const arrival = this.arrivals.shift();
      if (arrival !== undefined) {
        try {
          this.stack.deliver(arrival);
        } catch (e) {
          this.host.log.dropped(this.path, arrival, this.metaError(e));
        }
      }
      const held = this.released.shift();
      if (held !== undefined) {
        this.runBase(held);
        return;
      }
      const msg = this.inbox.shift();
      if (msg === undefined) return;
      if (this.stack.dispatchers === 0) {
        this.runBase(msg);
        return;
      }
      try {
        this.stack.dispatch(msg);
      } catch (e) {
        this.host.log.dropped(this.path, msg, this.metaError(e));
      }
    } finally {
      this.inTurn = false;
      this.stepping = false;
    }
  }

  /** Bottom of `dispatch`: run the application on one message. */
  runBase(msg: Envelope): void {
    if (!this.inTurn || this.inHandler) {
      // Released by a metaobject outside this agent's turn: keep one-at-a-time.
      this.released.push(msg);
      if (!this.scheduled && this.status === 'running') this.host.schedule(this);
      return;
    }
    if (this.status !== 'running') {
      this.host.log.dropped(this.path, msg, new AgentUnavailableError(this.path, this.status));
      return;
    }
    this.inHandler = true;
    this.host.log.dispatched(this.path, msg);
    try {
      this.behavior.receive(msg, this.context);
    } catch (cause) {
      this.host.log.error(this.path, msg, new HandlerError(this.path, { cause }));
    } finally {
      this.inHandler = false;
      const ch = this.doneBox.channel(msg.src, msg.dst);
      // A newer incarnation may have started the channel over while this message waited: its id is not the new one's.
      if (ch.inc === msg.inc) ch.done.add(msg.id);
    }
  }

  // ---- events and state ----------------------------------------------------

  unhandledControl(event: ProtocolEvent): unknown {
    throw new UnhandledEventError(this.path, event.type);
  }

  notifyBase(event: ProtocolEvent): unknown {
    const b = this.behavior;
    if (b.onEvent === undefined) return undefined;
    try {
      return b.onEvent(event, this.context);
    } catch (cause) {
      this.host.log.error(this.path, undefined, new HandlerError(this.path, { cause }));
      return undefined;
    }
  }

  baseCapabilities(): ReadonlySet<string> {
    return this.capabilities;
  }

  reifyState(): StateSnapshot {
    if (typeof this.behavior.reifyState !== 'function') throw new StateNotReifiableError(this.path);
    return StateSnapshot.capture(this.behavior.reifyState());
  }

  reflectState(state: StateSnapshot): void {
    if (typeof this.behavior.reflectState !== 'function') throw new StateNotReifiableError(this.path);
    this.behavior.reflectState(StateSnapshot.open(state));
  }

  // ---- stack ---------------------------------------------------------------

  install(meta: Metaobject, position?: StackPosition): void {
    this.stack.install(meta, position);
  }

  remove(meta: Metaobject): void {
    this.stack.remove(meta);
    this.cancelTimersOf(meta);
  }

  stackChanged(): void {
    this.host.log.lifecycle(this.path, 'stack-changed');
  }

  contextFor(layer: Layer): MetaContext {
    const agent = this;
    const stack = this.stack;
    const host = this.host;
    return {
      self: this.path,
      incarnation: this.incarnation,
      now: () => host.clock.now(),
      message: (dst, payload) => agent.newMessage(dst, payload),
      transmit: (msg) => stack.transmitAt(layer.above(), msg),
      deliver: (msg) => stack.deliverAt(layer.below(), msg),
      notify: (event) => stack.notifyAt(layer.below(), event),
      control: (event) => stack.controlAt(layer.above(), event),
      consume: (msg) => {
        const ch = agent.doneBox.channel(msg.src, msg.dst);
        if (msg.inc !== ch.inc && !ch.admit(msg.inc)) {
          host.log.dropped(agent.path, msg, new StaleIncarnationError(msg.src, msg.dst, msg.inc, ch.inc));
          return false;
        }
        if (!ch.accepted.add(msg.id)) return false;
        ch.done.add(msg.id);
        return true;
      },
      drop: (msg, reason) => host.log.dropped(agent.path, msg, reason),
      report: (error, msg) => host.log.error(agent.path, msg, error),
      hasAccepted: (msg) => agent.doneBox.accepted(msg.id, msg.src, msg.dst, msg.inc),
      accepted: (id, src, dst, inc) => agent.doneBox.accepted(id, src, dst, inc),
      superseded: (msg) => agent.doneBox.superseded(msg.src, msg.dst, msg.inc),
      interleaveIds: (ways, index) => agent.interleaveIds(ways, index),
      reifyState: () => agent.reifyState(),
      reflectState: (s) => agent.reflectState(s),
      setTimer: (delayMs, fn) => agent.setTimer(delayMs, fn, layer.meta),
      clearTimer: (h) => agent.clearTimer(h),
    };
  }

  // ---- lifecycle -----------------------------------------------------------

  /** Calls the application's onStart. */
  start(): void {
    const b = this.behavior;
    if (b.onStart === undefined) return;
    this.inTurn = true;
    this.inHandler = true;
    try {
      b.onStart(this.context);
    } catch (cause) {
      this.host.log.error(this.path, undefined, new HandlerError(this.path, { cause }));
    } finally {
      this.inHandler = false;
      this.inTurn = false;
    }
  }

  /**
   * Crash or stop: volatile state is gone. Queued messages are reported as
   * dropped (a crashed agent no longer processes its inbox, Escher §2.1).
   */
  halt(status: 'crashed' | 'stopped'): void {
    if (this.status !== 'running') return;
    this.status = status;
    for (const h of this.timers.keys()) this.host.clock.clearTimer(h);
    this.timers.clear();
    this.stack.clear();
    const reason = new AgentUnavailableError(this.path, status);
    for (const m of this.arrivals.drain()) this.host.log.dropped(this.path, m, reason);
    for (const m of this.released.drain()) this.host.log.dropped(this.path, m, reason);
    for (const m of this.inbox.drain()) this.host.log.dropped(this.path, m, reason);
  }

  // ---- timers --------------------------------------------------------------

  setTimer(delayMs: number, fn: () => void, owner?: Metaobject): TimerHandle {
    const handle: TimerHandle = this.host.clock.setTimer(delayMs, () => {
      if (!this.timers.delete(handle) || this.status !== 'running') return;
      const wasInTurn = this.inTurn;
      this.inTurn = true;
      try {
        fn();
      } catch (cause) {
        const err =
          owner === undefined ? new HandlerError(this.path, { cause }) : new MetaobjectError(this.path, owner.label, { cause });
        this.host.log.error(this.path, undefined, err);
      } finally {
        this.inTurn = wasInTurn;
      }
      this.host.kick();
    });
    this.timers.set(handle, owner);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    if (this.timers.delete(handle)) this.host.clock.clearTimer(handle);
  }

  private cancelTimersOf(meta: Metaobject): void {
    for (const [h, owner] of this.timers) {
      if (owner === meta) {
        this.timers.delete(h);
        this.host.clock.clearTimer(h);
      }
    }
  }

  private metaError(e: unknown): EscherError {
    return e instanceof EscherError ? e : new MetaobjectError(this.path, 'stack', { cause: e });
  }

  private makeContext(): AgentContext {
    const agent = this;
    return {
      self: this.path,
      send<P>(dst: Path | string, payload: P): Envelope<P> {
        const msg = agent.newMessage(dst, payload);
        if (agent.stack.transmitters === 0) agent.toBus(msg);
        else agent.stack.transmit(msg);
        return msg;
      },
      reply<P>(to: Envelope, payload: P): Envelope<P> {
        return this.send(to.src, payload);
      },
      control: (event) => agent.stack.control(event),
      now: () => agent.host.clock.now(),
      setTimer: (delayMs, fn) => agent.setTimer(delayMs, fn),
      clearTimer: (h) => agent.clearTimer(h),
    };
  }
}
