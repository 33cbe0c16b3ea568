import { InvalidInputError, UnknownFunctionError } from '../errors';
import type { Model, ModelOperation, Partition, StepResult } from '../model';
import { UNKNOWN, type Unknown } from '../operation';

/**
 * The store's contents, encoded as one string: for each key with a non-empty
 * value, in key order, `<key length>:<key><value length>:<value>`. The
 * encoding is canonical, so the state is its own memo key and nothing is
 * copied to compute one. Read it with {@link kvGet} or {@link kvEntries}.
 */
export type KvState = string & { readonly __kvState: never };

/** One key-value operation. */
export type KvInput =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string };

/** A get returns the value read; put and append return nothing in particular. */
export type KvOutput = string | null | undefined;

/** Where one entry sits in an encoded state. */
interface Span {
  /** Index of the entry's first character. */
  readonly start: number;
  /** Index just past the entry. */
  readonly end: number;
  readonly key: string;
  readonly value: string;
}

/** Read the entry starting at `start`. */
function entryAt(state: string, start: number): Span {
  const k = state.indexOf(':', start);
  const keyEnd = k + 1 + Number(state.slice(start, k));
  const v = state.indexOf(':', keyEnd);
  const end = v + 1 + Number(state.slice(keyEnd, v));
  return { start, end, key: state.slice(k + 1, keyEnd), value: state.slice(v + 1, end) };
}

/** The entry for `key`, or where it would be inserted (a span with `start === end`). */
function find(state: string, key: string): Span {
  let at = 0;
  while (at < state.length) {
    const e = entryAt(state, at);
    if (e.key === key) return e;
    if (e.key > key) break;
    at = e.end;
  }
  return { start: at, end: at, key, value: '' };
}

function encode(key: string, value: string): string {
  return value === '' ? '' : `${key.length}:${key}${value.length}:${value}`;
}

/** The value of `key` in `state` (`""` when missing). */
export function kvGet(state: KvState, key: string): string {
  return find(state, key).value;
}

/** Every non-empty entry of `state`, in key order. */
export function kvEntries(state: KvState): Map<string, string> {
  const out = new Map<string, string>();
  for (let at = 0; at < state.length; ) {
    const e = entryAt(state, at);
    out.set(e.key, e.value);
    at = e.end;
  }
  return out;
}

function kvInput(f: string, arg: unknown): KvInput {
  if (f !== 'get' && f !== 'put' && f !== 'append') throw new UnknownFunctionError(f, 'kv');
  const a = (typeof arg === 'object' && arg !== null ? arg : {}) as { key?: unknown; value?: unknown };
  if (typeof a.key !== 'string') throw new InvalidInputError(f, arg, 'expected { key: string, … }');
  if (f === 'get') return { f, key: a.key };
  if (typeof a.value !== 'string') throw new InvalidInputError(f, arg, 'expected { key: string, value: string }');
  return { f, key: a.key, value: a.value };
}

function kvStep(state: KvState, input: KvInput, output: KvOutput | Unknown): StepResult<KvState> {
  const e = find(state, input.key);
  switch (input.f) {
    case 'get':
      return { ok: output === UNKNOWN || output === e.value, state };
    case 'put':
    case 'append': {
      const value = input.f === 'put' ? input.value : e.value + input.value;
      const next = state.slice(0, e.start) + encode(input.key, value) + state.slice(e.end);
      return { ok: true, state: next as KvState };
    }
    default: {
      const never: never = input;
      throw new Error(`unreachable: ${JSON.stringify(never)}`);
    }
  }
}

function kvPartition(operations: readonly ModelOperation<KvInput, KvOutput>[]): Partition<KvInput, KvOutput>[] {
  const byKey = new Map<string, ModelOperation<KvInput, KvOutput>[]>();
  for (const op of operations) {
    const group = byKey.get(op.input.key);
    if (group) group.push(op);
    else byKey.set(op.input.key, [op]);
  }
  return [...byKey].map(([key, ops]) => ({ label: `key ${JSON.stringify(key)}`, operations: ops }));
}

/**
 * A map from string keys to string values, initially empty: `get k` returns
 * the value (`""` when missing), `put k v` sets it, `append k v` concatenates.
 * Keys are independent, so the history is checked one key at a time.
 */
export const kv: Model<KvState, KvInput, KvOutput> = {
  name: 'kv',
  init: '' as KvState,
  input: kvInput,
  step: kvStep,
  partition: kvPartition,
  key: (state: KvState): string => state,
};
