/**
 * The vocabulary of a history: events as recorded, and operations (an
 * invocation paired with its outcome) as the checker sees them.
 */

/** A process or client identifier as recorded in a history. */
export type ProcessId = number | string;

/**
 * The output of an operation whose outcome is unknown (an `info` event, or an
 * invocation that never returned). A model must accept any output in its place.
 */
export const UNKNOWN: unique symbol = Symbol('unknown outcome');

/** The type of {@link UNKNOWN}. */
export type Unknown = typeof UNKNOWN;

/** What happened to an invocation. */
export type Outcome =
  /** It completed, with an output. */
  | 'ok'
  /** It completed and definitely took no effect. */
  | 'fail'
  /** Nobody knows: it may take effect at any time after its invocation, or never. */
  | 'info';

/** One line of a history, in recorded order. */
export type HistoryEvent =
  | {
      readonly type: 'invoke';
      readonly process: ProcessId;
      readonly f: string;
      readonly input: unknown;
      readonly time: number;
    }
  | { readonly type: 'ok'; readonly process: ProcessId; readonly output: unknown; readonly time: number }
  | { readonly type: 'fail'; readonly process: ProcessId; readonly time: number }
  | { readonly type: 'info'; readonly process: ProcessId; readonly time: number };

/** An invocation paired with its outcome. */
export interface Operation {
  /** Index of the invocation among all invocations of the history. */
  readonly id: number;
  readonly process: ProcessId;
  /** Function name, as recorded (`read`, `cas`, `append`, …). */
  readonly f: string;
  /** Argument, as recorded; the model turns it into its own input type. */
  readonly input: unknown;
  readonly outcome: Outcome;
  /** The returned value for `ok`; {@link UNKNOWN} for `info`; `undefined` for `fail`. */
  readonly output: unknown;
  /** Time of the invocation. */
  readonly call: number;
  /** Time of the return; `Infinity` for `info` (the operation may still take effect). */
  readonly ret: number;
}
