/**
 * The merge-spec hash a certificate carries. To the PKI it is 32 opaque
 * bytes: the refinement protocol defines MergeSpec and may pass its own
 * hasher. The default here, used by the CLI, is SHA-256 over the UTF-8
 * bytes of the spec's canonical JSON: object keys sorted by UTF-16 code
 * unit, no whitespace, numbers in JavaScript's shortest round-trip form,
 * properties whose value is `undefined` left out.
 */
import { createHash } from 'node:crypto';
import { InvalidMergeSpecError } from './errors';

/** Length of a merge-spec hash. */
export const MERGE_SPEC_HASH_BYTES = 32;

/**
 * The hash carried by certificates whose issuer is the system agent, and by
 * the system agent's own: μ₀ is never defined nor invoked (Escher §3.3).
 */
export const NO_MERGE_SPEC: Uint8Array = new Uint8Array(MERGE_SPEC_HASH_BYTES);

/** Turns a merge spec into its 32-byte hash. Must be deterministic across runtimes. */
export type MergeSpecHasher = (spec: unknown) => Uint8Array;

const MAX_DEPTH = 64;

/** Canonical JSON of a JSON value. @throws InvalidMergeSpecError for anything that is not plain JSON */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new InvalidMergeSpecError(`nested deeper than ${MAX_DEPTH}`);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidMergeSpecError(`non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        const items = value.map((v: unknown) => {
          if (v === undefined) throw new InvalidMergeSpecError('undefined inside an array');
          return write(v, depth + 1);
        });
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new InvalidMergeSpecError('not a plain object');
      const rec = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of Object.keys(rec).sort()) {
        const v = rec[k];
        if (v !== undefined) parts.push(`${JSON.stringify(k)}:${write(v, depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new InvalidMergeSpecError(`a ${typeof value} has no JSON form`);
  }
}

/** SHA-256 of the canonical JSON of `spec`: the default {@link MergeSpecHasher}. */
export const sha256CanonicalJson: MergeSpecHasher = (spec) =>
  new Uint8Array(createHash('sha256').update(canonicalJson(spec), 'utf8').digest());

/** A hash given as 64 hex digits (as the refinement protocol prints them). @throws RangeError */
export function mergeSpecHashFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError('a merge-spec hash is 64 hex digits');
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
