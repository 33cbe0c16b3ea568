import type { Envelope } from './envelope';
import type { EscherError } from './errors';
import type { Path } from './path';
import type { ProtocolEvent } from './protocol-event';
import type { TimerHandle } from './services/clock';
import type { StateSnapshot } from './state-snapshot';

/** The hooks of a metaobject. */
export type Hook = 'transmit' | 'deliver' | 'dispatch' | 'control' | 'notify';

/** The rest of the chain for a message; not calling it drops or holds the message. */
export type Continuation = (msg: Envelope) => void;
/** The rest of the chain for an event; returns what the handler further on returned. */
export type EventContinuation = (event: ProtocolEvent) => unknown;

/**
 * What a metaobject may do to its agent, relative to its own place in the
 * stack. A metaobject never holds pointers to its neighbours: "above" and
 * "below" are resolved by the stack when called, so the stack can change
 * under a held message.
 */
export interface MetaContext {
  /** Path of the agent this metaobject customises. */
  readonly self: Path;
  /** Which life of that agent this is (0 unless restarted; see `SpawnOptions.incarnation`). */
  readonly incarnation: number;
  now(): number;
  /** A new message from this agent, with a fresh id for (self, dst). @throws SiblingRuleError */
  message<P>(dst: Path | string, payload: P): Envelope<P>;
  /** Sends from this layer: through the layers above it, then to the bus. */
  transmit(msg: Envelope): void;
  /** Delivers from this layer: through the layers below it, then into the inbox. */
  deliver(msg: Envelope): void;
  /** Raises an event toward the application, through the layers below. */
  notify<E extends ProtocolEvent>(event: E): unknown;
  /** Raises an event toward the bus, through the layers above. */
  control<E extends ProtocolEvent>(event: E): unknown;
  /**
   * Records that `msg` stops at this layer and counts as handled (so the done
   * box stays compact). Returns false if a message with the same
   * (src, dst, id) was already accepted: the caller should treat it as a
   * duplicate. Also false, after dropping and counting it with
   * `StaleIncarnationError`, if it comes from an older incarnation of its
   * source than one already heard from; a newer incarnation starts the
   * channel over.
   */
  consume(msg: Envelope): boolean;
  /** Discards `msg`, counting it as dropped for `reason` on the event stream. */
  drop(msg: Envelope, reason: EscherError): void;
  /** Publishes an error that is not about dropping a message. */
  report(error: EscherError, msg?: Envelope): void;
  /**
   * A message with this (src, dst, id), of the same incarnation of its
   * source, has been accepted into the inbox — or the message is
   * {@link MetaContext.superseded}: either way it must not run again.
   */
  hasAccepted(msg: Envelope): boolean;
  /**
   * The same question without an envelope: Escher's `contains` on the
   * accepted set (§3.4). `inc` is the source's incarnation; by default the
   * latest this agent has heard from on that channel.
   */
  accepted(id: number, src: Path, dst: Path, inc?: number): boolean;
  /** `msg` comes from an older incarnation of its source than one already accepted from on its channel. */
  superseded(msg: Envelope): boolean;
  /**
   * Makes this agent's message ids the `index`-th of `ways` interleaved
   * sequences (shards of one virtual agent must not reuse each other's ids).
   * Only before the agent's first message. @throws ProtocolError
   */
  interleaveIds(ways: number, index: number): void;
  /** DIL reifyState on the application. @throws StateNotReifiableError */
  reifyState(): StateSnapshot;
  /** DIL reflectState on the application. @throws StateNotReifiableError */
  reflectState(state: StateSnapshot): void;
  /** A timer owned by this agent: cancelled if the agent crashes or this metaobject is removed. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/**
 * A DIL metaobject: customises the communication of one agent. Every hook
 * passes through by default (DIL's default behaviours), so a subclass
 * overrides only what it changes. Hooks are synchronous; a metaobject that
 * must wait keeps the message and calls the continuation later.
 *
 * Stack order: the first metaobject installed sits at the bottom, next to the
 * application. `transmit` runs bottom → top → bus; `deliver` and `dispatch`
 * run bus → top → bottom → application; `control` events run bottom → top and
 * `notify` events top → bottom.
 */
export abstract class Metaobject {
  /** Capabilities that something below this metaobject must provide. */
  readonly requires: readonly string[] = [];
  /** Capabilities this metaobject offers to those above it. */
  readonly provides: readonly string[] = [];

  private context: MetaContext | undefined;

  /** Human-readable name used in errors and stack listings. */
  get label(): string {
    return this.constructor.name;
  }

  /**
   * Two metaobjects with the same defined key may not share a stack (a role
   * of one protocol instance is assumed at most once per agent).
   */
  get key(): string | undefined {
    return undefined;
  }

  /** This metaobject's view of its agent; available while installed. */
  protected get ctx(): MetaContext {
    if (this.context === undefined) throw new Error(`${this.label} is not installed on an agent`);
    return this.context;
  }

  /** True while installed on a stack. */
  get installed(): boolean {
    return this.context !== undefined;
  }

  /** @internal called by the stack; if `onInstall` throws, the metaobject is left uninstalled. */
  attach(ctx: MetaContext): void {
    this.context = ctx;
    try {
      this.onInstall();
    } catch (e) {
      this.context = undefined;
      throw e;
    }
  }

  /** @internal called by the stack. */
  detach(): void {
    try {
      this.onRemove();
    } finally {
      this.context = undefined;
    }
  }

  /**
   * Whether this metaobject customises `hook`. The stack does not call a
   * metaobject for hooks it leaves at the pass-through default, so a role
   * that only watches deliveries costs nothing on sends. The default answer
   * compares the method with the base class's; override only if a class
   * decides per instance.
   */
  intercepts(hook: Hook): boolean {
    return this[hook] !== Metaobject.prototype[hook];
  }

  /** An outgoing message from below (the application or a lower metaobject). */
  transmit(msg: Envelope, next: Continuation): void {
    next(msg);
  }

  /** An incoming message from above (the bus or a higher metaobject). */
  deliver(msg: Envelope, next: Continuation): void {
    next(msg);
  }

  /** The next message the agent will run, chosen by the inbox; `next` runs it. */
  dispatch(msg: Envelope, next: Continuation): void {
    next(msg);
  }

  /** An event raised by the application (or a lower metaobject) toward the bus. */
  control(event: ProtocolEvent, next: EventContinuation): unknown {
    return next(event);
  }

  /** An event raised by a higher metaobject toward the application. */
  notify(event: ProtocolEvent, next: EventContinuation): unknown {
    return next(event);
  }

  /** Called after installation; `ctx` is available. */
  protected onInstall(): void {}

  /**
   * Called before removal (and when the agent crashes or stops). A metaobject
   * that holds messages must release or report them here.
   */
  protected onRemove(): void {}
}
