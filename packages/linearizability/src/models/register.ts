import { InvalidInputError, UnknownFunctionError } from '../errors';
import type { Model, ModelOperation, Partition, StepResult } from '../model';
import { UNKNOWN, type Unknown } from '../operation';

/** What a register holds. `null` is the initial, never-written value. */
export type RegisterValue = number | string | null;

/** One register operation. */
export type RegisterInput =
  | { readonly f: 'read' }
  | { readonly f: 'write'; readonly value: RegisterValue }
  | { readonly f: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };

/** A read returns the value; a write returns nothing in particular; a cas returns whether it swapped. */
export type RegisterOutput = RegisterValue | boolean | undefined;

function isValue(v: unknown): v is RegisterValue {
  return v === null || typeof v === 'string' || (typeof v === 'number' && !Number.isNaN(v));
}

function registerInput(f: string, arg: unknown): RegisterInput {
  switch (f) {
    case 'read':
      return { f: 'read' };
    case 'write':
      if (!isValue(arg)) throw new InvalidInputError(f, arg, 'expected a number, a string or null');
      return { f: 'write', value: arg };
    case 'cas': {
      const pair: unknown[] = Array.isArray(arg) ? arg : [];
      if (!Array.isArray(arg) && typeof arg === 'object' && arg !== null) {
        const { from, to } = arg as { from?: unknown; to?: unknown };
        pair.push(from, to);
      }
      const [from, to] = pair;
      if (pair.length !== 2 || !isValue(from) || !isValue(to)) throw new InvalidInputError(f, arg, 'expected [from, to] or { from, to }');
      return { f: 'cas', from, to };
    }
    default:
      throw new UnknownFunctionError(f, 'register');
  }
}

function registerStep(state: RegisterValue, input: RegisterInput, output: RegisterOutput | Unknown): StepResult<RegisterValue> {
  switch (input.f) {
    case 'read':
      return { ok: output === UNKNOWN || output === state, state };
    case 'write':
      return { ok: true, state: input.value };
    case 'cas': {
      const swaps = input.from === state;
      // An unknown cas swapped if it could; a known one must report what it did.
      const ok = output === UNKNOWN || output === swaps;
      return { ok, state: swaps ? input.to : state };
    }
    default: {
      const never: never = input;
      throw new Error(`unreachable: ${JSON.stringify(never)}`);
    }
  }
}

/**
 * A single register, initially `null`: `read` returns its value, `write v`
 * sets it, `cas [from, to]` sets it to `to` and returns `true` iff it held
 * `from`, else returns `false` and leaves it alone. Not partitioned.
 */
export const register: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: null,
  input: registerInput,
  step: registerStep,
  partition(operations: readonly ModelOperation<RegisterInput, RegisterOutput>[]): Partition<RegisterInput, RegisterOutput>[] {
    return [{ label: 'register', operations }];
  },
  key(state: RegisterValue): string | number {
    if (typeof state === 'number') return state;
    return state === null ? 'null' : `s${state}`;
  },
};
