import { createHash } from 'node:crypto';
import { Path } from '@escher/core';
import { canonicalJson } from './canonical-json';
import { InvalidMergeSpecError, UnknownMergeKindError } from './errors';

/**
 * A merge function μ as data, never code (Escher §3.1): the receiver waits
 * for `waitForMatching` fragments with matching payloads, counting only
 * fragments from agents in `from`.
 *
 * - crash-tolerant replication of n replicas: `{ waitForMatching: 1, from: replicas }`
 * - Byzantine replication tolerating f: `{ waitForMatching: f + 1, from: replicas }`
 * - sharding: `{ waitForMatching: 1, from: shards }` (only the owner answers)
 */
export interface MergeSpec {
  readonly waitForMatching: number;
  readonly from: readonly Path[];
}

/** The keys this runtime understands. A new merge kind is a new key here and a new branch in the merger. */
export const MERGE_SPEC_KEYS: readonly string[] = ['waitForMatching', 'from'];

/** Largest `from` set accepted: a spec arrives in tags from peers and must stay small. */
export const MAX_FROM = 1024;

/**
 * A validated merge spec with its canonical encoding and hash, computed
 * once. `from` is sorted and free of repeats, so equal specs have equal
 * encodings; `hash` is the hex SHA-256 of the canonical JSON's UTF-8 bytes,
 * the value a parent certifies for its children (the PKI issue).
 */
export class CompiledMergeSpec {
  readonly spec: MergeSpec;
  /** Canonical JSON: sorted keys, sorted `from`, no whitespace. */
  readonly canonical: string;
  /** Hex SHA-256 of {@link canonical}. */
  readonly hash: string;
  readonly waitForMatching: number;
  private readonly members: ReadonlySet<Path>;

  private constructor(spec: MergeSpec) {
    this.spec = Object.freeze({ waitForMatching: spec.waitForMatching, from: Object.freeze([...spec.from]) });
    this.canonical = canonicalJson(this.spec);
    this.hash = hashCanonical(this.canonical);
    this.waitForMatching = spec.waitForMatching;
    this.members = new Set(spec.from);
  }

  /**
   * Validates `input` (a spec object, or its JSON from a peer or a file).
   * @throws UnknownMergeKindError for a key other than {@link MERGE_SPEC_KEYS}
   * @throws InvalidMergeSpecError for anything else wrong
   */
  static from(input: unknown): CompiledMergeSpec {
    return new CompiledMergeSpec(parseMergeSpec(input));
  }

  /** `src` may contribute fragments. */
  admits(src: Path): boolean {
    return this.members.has(src);
  }

  /** The common parent of every agent in `from`. */
  get parent(): Path {
    return Path.parent(this.spec.from[0] as Path) as Path;
  }

  toJSON(): MergeSpec {
    return this.spec;
  }
}

/** Hex SHA-256 of a canonical encoding (the hash certified by the PKI). */
export function hashCanonical(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** Validates a merge spec and puts it in canonical form. @throws UnknownMergeKindError, InvalidMergeSpecError */
export function parseMergeSpec(input: unknown): MergeSpec {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      throw new InvalidMergeSpecError('not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidMergeSpecError('not an object');
  const rec = value as Record<string, unknown>;
  for (const key of Object.keys(rec)) if (!MERGE_SPEC_KEYS.includes(key)) throw new UnknownMergeKindError(key);
  const k = rec.waitForMatching;
  if (typeof k !== 'number' || !Number.isSafeInteger(k) || k < 1) {
    throw new InvalidMergeSpecError(`waitForMatching must be a positive integer, got ${JSON.stringify(k)}`);
  }
  const from = rec.from;
  if (!Array.isArray(from) || from.length === 0) throw new InvalidMergeSpecError('from must be a non-empty array of paths');
  if (from.length > MAX_FROM) throw new InvalidMergeSpecError(`from lists ${from.length} agents, more than ${MAX_FROM}`);
  const paths = new Set<Path>();
  for (const f of from) {
    let p: Path;
    try {
      p = Path.parse(f);
    } catch {
      throw new InvalidMergeSpecError(`from contains ${JSON.stringify(f)}, not a path`);
    }
    if (p === '') throw new InvalidMergeSpecError('the system agent cannot be in a from set');
    paths.add(p);
  }
  const sorted = [...paths].sort();
  const parent = Path.parent(sorted[0] as Path);
  for (const p of sorted) {
    if (Path.parent(p) !== parent) throw new InvalidMergeSpecError(`from mixes children of ${parent} and ${Path.parent(p)}`);
  }
  if (k > sorted.length) throw new InvalidMergeSpecError(`waitForMatching ${k} exceeds the ${sorted.length} agents in from`);
  return { waitForMatching: k, from: sorted };
}
