import type { Path } from '@escher/core';

/**
 * Fragments collected toward one merged message: same id, same
 * destination, same parent of the source (Escher §2.2's merge group), and
 * the same kind (message or ACK). It remembers which children already
 * contributed (each counts once, whatever it sends again) and how many
 * contributed each distinct payload.
 */
export class MergeGroup {
  private readonly sources: Path[] = [];
  private readonly matches = new Map<string, number>();

  constructor(
    readonly parent: Path,
    readonly dst: Path,
    readonly id: number,
    readonly createdAt: number,
  ) {}

  /** Fragments counted so far. */
  get size(): number {
    return this.sources.length;
  }

  /** `src` already contributed. */
  has(src: Path): boolean {
    return this.sources.includes(src);
  }

  /** Counts a fragment from `src` whose payload encodes to `matchKey`; returns how many now match it. */
  add(src: Path, matchKey: string): number {
    this.sources.push(src);
    const n = (this.matches.get(matchKey) ?? 0) + 1;
    this.matches.set(matchKey, n);
    return n;
  }
}
