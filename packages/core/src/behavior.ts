import type { Envelope } from './envelope';
import type { Path } from './path';
import type { ProtocolEvent } from './protocol-event';
import type { TimerHandle } from './services/clock';

/** What an application's handler can do: the base object's side of DIL's events. */
export interface AgentContext {
  /** This agent's path. */
  readonly self: Path;
  /**
   * Sends `payload` to `dst` through this agent's stack (DIL `transmit`).
   * @throws InvalidPathError, SiblingRuleError — the agent's own mistake, raised at once.
   */
  send<P>(dst: Path | string, payload: P): Envelope<P>;
  /** Sends `payload` back to the source of `msg`. */
  reply<P>(msg: Envelope, payload: P): Envelope<P>;
  /**
   * Raises a programmer-defined event for the roles on this agent's stack
   * (for example 2PC's `beginAction`). Returns what the handling role returns.
   * @throws UnhandledEventError when no role on the stack handles it.
   */
  control<E extends ProtocolEvent>(event: E): unknown;
  /** The runtime clock, in milliseconds. */
  now(): number;
  /** Runs `fn` after `delayMs`, between messages, unless the agent has crashed or stopped. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/**
 * An agent's application: a state machine that handles one message at a time
 * (Escher §2.1). Only `receive` is required.
 */
export interface Behavior {
  /** Handles one message; exceptions are caught at the agent boundary and published. */
  receive(msg: Envelope, ctx: AgentContext): void;
  /** Called once when the agent starts (or restarts). */
  onStart?(ctx: AgentContext): void;
  /** Events raised by roles toward the application (DIL `query`, `abort`, …). */
  onEvent?(event: ProtocolEvent, ctx: AgentContext): unknown;
  /** DIL `reifyState`: a plain, structured-cloneable representation of the state. */
  reifyState?(): unknown;
  /** DIL `reflectState`: replace the state by one returned from `reifyState`. */
  reflectState?(state: unknown): void;
  /** Capabilities this application offers to the roles stacked on it (see {@link Capability}). */
  readonly provides?: readonly string[];
}

/**
 * A behaviour whose transition function is deterministic: the same messages
 * in the same order give the same state and the same outputs. Replication
 * roles require it.
 */
export interface DeterministicBehavior extends Behavior {
  readonly deterministic: true;
}

/** A handler function is the smallest behaviour. */
export type Handler = (msg: Envelope, ctx: AgentContext) => void;

/** Capability names the kernel derives from a behaviour. */
export const Capability = {
  /** The behaviour implements reifyState and reflectState. */
  state: 'state',
  /** The behaviour declared itself deterministic. */
  deterministic: 'deterministic',
} as const;

/** Turns a handler into a behaviour. */
export function toBehavior(b: Behavior | Handler): Behavior {
  return typeof b === 'function' ? { receive: b } : b;
}

/** The capabilities a behaviour provides to the bottom of its stack. */
export function capabilitiesOf(b: Behavior): Set<string> {
  const caps = new Set<string>(b.provides ?? []);
  if (typeof b.reifyState === 'function' && typeof b.reflectState === 'function') caps.add(Capability.state);
  if ((b as Partial<DeterministicBehavior>).deterministic === true) caps.add(Capability.deterministic);
  return caps;
}
