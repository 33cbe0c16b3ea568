/**
 * Typed errors for malformed histories. One class per condition, told apart
 * by `name` (for humans) and by a stable `code` (for programs).
 */

import type { ProcessId } from './operation';

/** Options accepted by every linearizability error. */
export interface LinearizabilityErrorOptions {
  /** The 1-based line of the input text the error comes from, when parsing. */
  line?: number;
  cause?: unknown;
}

/** Base class of every error this package raises. */
export abstract class LinearizabilityError extends Error {
  /** Stable identifier of the condition. */
  abstract readonly code: string;
  /** The 1-based line of the parsed text, when the error comes from a parser. */
  readonly line: number | undefined;
  constructor(message: string, options: LinearizabilityErrorOptions = {}) {
    super(options.line === undefined ? message : `line ${options.line}: ${message}`, { cause: options.cause });
    this.name = new.target.name;
    this.line = options.line;
  }
}

/** An `ok`, `fail` or `info` event for a process that has no operation in flight. */
export class ReturnWithoutInvokeError extends LinearizabilityError {
  readonly code = 'LIN_RETURN_WITHOUT_INVOKE';
  constructor(readonly process: ProcessId, readonly type: string, options?: LinearizabilityErrorOptions) {
    super(`process ${String(process)} returned (${type}) without an invocation in flight`, options);
  }
}

/** An `invoke` for a process whose previous operation has not returned yet. */
export class ProcessBusyError extends LinearizabilityError {
  readonly code = 'LIN_PROCESS_BUSY';
  constructor(readonly process: ProcessId, readonly pendingOperation: number, options?: LinearizabilityErrorOptions) {
    super(`process ${String(process)} invoked again while operation ${pendingOperation} is in flight`, options);
  }
}

/** An operation whose function the model (or the parsed format) does not know. */
export class UnknownFunctionError extends LinearizabilityError {
  readonly code = 'LIN_UNKNOWN_FUNCTION';
  constructor(readonly f: string, readonly model: string, options?: LinearizabilityErrorOptions) {
    super(`unknown function ${JSON.stringify(f)} for ${model}`, options);
  }
}

/** A known function called with an argument of the wrong shape. */
export class InvalidInputError extends LinearizabilityError {
  readonly code = 'LIN_INVALID_INPUT';
  constructor(readonly f: string, readonly input: unknown, reason: string, options?: LinearizabilityErrorOptions) {
    super(`invalid input for ${f}: ${reason}`, options);
  }
}

/** A timestamp that is not a finite number, or a return stamped before its invocation. */
export class InvalidTimeError extends LinearizabilityError {
  readonly code = 'LIN_INVALID_TIME';
  constructor(readonly time: unknown, reason: string, options?: LinearizabilityErrorOptions) {
    super(`invalid time ${String(time)}: ${reason}`, options);
  }
}

/** A line of a history file that looks like an event but cannot be read as one. */
export class UnparsableLineError extends LinearizabilityError {
  readonly code = 'LIN_UNPARSABLE_LINE';
  constructor(readonly text: string, reason: string, options?: LinearizabilityErrorOptions) {
    super(`cannot parse ${JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text)}: ${reason}`, options);
  }
}
