import { InvalidInputError, type Model, type ModelOperation, type Partition, UNKNOWN, type Unknown, UnknownFunctionError } from '@escher/linearizability';
import type { KvOp } from './kv-store';

/** The output of an operation: a get's value, a cas's outcome, nothing for put and append. */
export type KvCasOutput = string | boolean | null | undefined;

/**
 * The sequential specification of {@link KvStore} for the linearizability
 * checker: the package's `kv` model plus compare-and-set. Keys are
 * independent, so each key is one partition, and a partition's state is
 * just that key's value ("" when missing).
 */
export const kvCas: Model<string, KvOp, KvCasOutput> = {
  name: 'kv+cas',
  init: '',
  input(f: string, arg: unknown): KvOp {
    const a = (typeof arg === 'object' && arg !== null ? arg : {}) as Record<string, unknown>;
    if (typeof a.key !== 'string') throw new InvalidInputError(f, arg, 'expected { key: string, … }');
    const key = a.key;
    switch (f) {
      case 'get':
        return { f, key };
      case 'put':
      case 'append':
        if (typeof a.value !== 'string') throw new InvalidInputError(f, arg, 'expected a string value');
        return { f, key, value: a.value };
      case 'cas':
        if (typeof a.from !== 'string' || typeof a.to !== 'string') throw new InvalidInputError(f, arg, 'expected string from and to');
        return { f, key, from: a.from, to: a.to };
      default:
        throw new UnknownFunctionError(f, 'kv+cas');
    }
  },
  step(state: string, op: KvOp, output: KvCasOutput | Unknown) {
    switch (op.f) {
      case 'get':
        return { ok: output === UNKNOWN || output === state, state };
      case 'put':
        return { ok: true, state: op.value };
      case 'append':
        return { ok: true, state: state + op.value };
      case 'cas': {
        const swaps = state === op.from;
        return { ok: output === UNKNOWN || output === swaps, state: swaps ? op.to : state };
      }
      default: {
        const never: never = op;
        throw new Error(`unknown operation ${JSON.stringify(never)}`);
      }
    }
  },
  partition(operations: readonly ModelOperation<KvOp, KvCasOutput>[]): Partition<KvOp, KvCasOutput>[] {
    const byKey = new Map<string, ModelOperation<KvOp, KvCasOutput>[]>();
    for (const op of operations) {
      const group = byKey.get(op.input.key);
      if (group === undefined) byKey.set(op.input.key, [op]);
      else group.push(op);
    }
    return [...byKey].map(([key, ops]) => ({ label: `key ${key}`, operations: ops }));
  },
  key: (state: string) => state,
};
