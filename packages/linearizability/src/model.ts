import type { ProcessId, UNKNOWN, Unknown } from './operation';

/** The result of applying one operation to a model state. */
export interface StepResult<S> {
  /** Whether the sequential object could have returned this output from this state. */
  readonly ok: boolean;
  /** The state after the operation (meaningful only when `ok`). */
  readonly state: S;
}

/** An operation after the model has read its input: what the checker searches over. */
export interface ModelOperation<I, O> {
  /** The operation's id in its history. */
  readonly id: number;
  readonly process: ProcessId;
  readonly input: I;
  /** The output, or {@link UNKNOWN} when the outcome is unknown. */
  readonly output: O | Unknown;
  readonly call: number;
  /** `Infinity` when the outcome is unknown. */
  readonly ret: number;
}

/** A subset of a history's operations that can be checked on its own. */
export interface Partition<I, O> {
  /** A human-readable name (`"key 4"`, `"register"`). */
  readonly label: string;
  readonly operations: readonly ModelOperation<I, O>[];
}

/**
 * A sequential specification, as data and pure functions. States are
 * immutable values: `step` returns a new state and never changes its argument.
 *
 * @typeParam S - the state
 * @typeParam I - the input of one operation (function name and argument)
 * @typeParam O - the output of one operation
 */
export interface Model<S, I, O> {
  /** Name used in error messages. */
  readonly name: string;
  /** The state before any operation. */
  readonly init: S;
  /** Read a recorded call (function name and argument) as this model's input; throws `UnknownFunctionError` or `InvalidInputError`. */
  input(f: string, arg: unknown): I;
  /**
   * Apply `input` to `state`; `output` is what the real object returned, or
   * {@link UNKNOWN}, which any step must accept. A step that changes nothing
   * should return the very `state` it was given: the checker then skips `key`.
   */
  step(state: S, input: I, output: O | Unknown): StepResult<S>;
  /** Split operations into independent groups, each checked on its own (linearizability is compositional). */
  partition(operations: readonly ModelOperation<I, O>[]): Partition<I, O>[];
  /**
   * A value that identifies the state, used to memoise the search: states
   * with equal keys are treated as one, so different states must have
   * different keys; equal states should have equal keys, or the memo prunes less.
   */
  key(state: S): string | number;
}
