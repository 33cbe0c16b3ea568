/**
 * Deterministic election timeouts. Raft needs replicas to time out at
 * different moments so that one candidate usually wins before another
 * starts; it usually draws the timeout at random. Here nothing may read a
 * random source or the wall clock (a simulator seed must replay exactly),
 * so the spread comes from the replica's rank and a hash of the term:
 *
 *   timeout(term) = base × (1 + slot / n + jitter / 2n)
 *
 * where `slot = (rank + h(group, term)) mod n` gives the n replicas n
 * distinct slots, rotated each term by a hash shared by the group (so the
 * lowest rank is not always first), and `jitter ∈ [0, 1)` is a per-replica
 * hash of the term that breaks ties between replicas whose terms differ.
 * Two replicas in the same term are at least `base / 2n` apart; the
 * timeout is always within [base, 2 × base).
 */

/** FNV-1a of a string, as an unsigned 32-bit integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Mixes two 32-bit integers into one (murmur3's finaliser on their combination). */
export function mix(a: number, b: number): number {
  let z = (a ^ Math.imul(b, 0x9e3779b1)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Inputs of {@link electionTimeout}. */
export interface TimeoutSeeds {
  /** Shared by every replica of the group (a hash of the protocol instance id). */
  readonly group: number;
  /** This replica's own (a hash of its path). */
  readonly self: number;
}

/** The election timeout of replica `rank` of `size` in `term`, in milliseconds. */
export function electionTimeout(baseMs: number, rank: number, size: number, seeds: TimeoutSeeds, term: number): number {
  const slot = (rank + (mix(seeds.group, term) % size)) % size;
  const jitter = mix(seeds.self, term) / 4294967296;
  return baseMs * (1 + slot / size + jitter / (2 * size));
}
