/** Ids just above the watermark kept in a bitmask rather than a Set. */
const WINDOW = 32;

/**
 * A set of positive integer message ids that compacts: every id up to
 * `watermark` is a member, and only members above it are stored. For a
 * correct source whose ids to one destination count 1, 2, 3, … the set stays
 * O(1) in size, which is what lets a done box stay bounded (Escher §3.4).
 *
 * Members within 32 of the watermark live in a bitmask (bit i = watermark+1+i),
 * so the usual small reorderings cost no allocation; members further out go
 * to a Set, which is consulted only when it is non-empty.
 */
export class CompactIdSet {
  private low = 0;
  private bits = 0;
  private far: Set<number> | undefined;

  /** Every id ≤ watermark is in the set. */
  get watermark(): number {
    return this.low;
  }

  /** Number of members stored above the watermark (a gauge of disorder). */
  get sparse(): number {
    let n = 0;
    for (let b = this.bits; b !== 0; b &= b - 1) n++;
    return n + (this.far?.size ?? 0);
  }

  has(id: number): boolean {
    const d = id - this.low;
    if (d <= 0) return true;
    if (d <= WINDOW) return (this.bits & (1 << (d - 1))) !== 0;
    return this.far !== undefined && this.far.has(id);
  }

  /** Adds `id`; returns false if it was already a member. */
  add(id: number): boolean {
    const d = id - this.low;
    if (d <= 0) return false;
    if (d === 1 && this.bits === 0) {
      // The common case: the next id in sequence, nothing pending above it.
      this.low = id;
      if (this.far !== undefined) this.pullFar(id + WINDOW);
      return true;
    }
    if (d > WINDOW) {
      if (this.far === undefined) this.far = new Set();
      else if (this.far.has(id)) return false;
      this.far.add(id);
      return true;
    }
    const bit = 1 << (d - 1);
    if ((this.bits & bit) !== 0) return false;
    this.bits |= bit;
    this.advance();
    return true;
  }

  /** Moves the watermark over the run of members just above it. */
  private advance(): void {
    const before = this.low;
    while ((this.bits & 1) !== 0) {
      this.bits = (this.bits >>> 1) | 0;
      this.low++;
    }
    if (this.far !== undefined && this.low !== before) this.pullFar(before + WINDOW + 1);
  }

  /**
   * Ids from `from` up to watermark + 32 have just entered the window: move
   * those held in the far set into the bitmask. Probing only the entering ids
   * keeps this O(advance), not O(far set).
   */
  private pullFar(from: number): void {
    const far = this.far as Set<number>;
    const to = this.low + WINDOW;
    let moved = false;
    for (let id = from; id <= to; id++) {
      if (far.delete(id)) {
        this.bits |= 1 << (id - this.low - 1);
        moved = true;
      }
    }
    if (far.size === 0) this.far = undefined;
    if (moved) this.advance();
  }
}
