/**
 * A set of positive integer message ids that compacts: every id up to
 * `watermark` is a member, and only members above it are stored. For a
 * correct source whose ids to one destination count 1, 2, 3, … the set stays
 * O(1) in size, which is what lets a done box stay bounded (Escher §3.4).
 */
export class CompactIdSet {
  private low = 0;
  private readonly above = new Set<number>();

  /** Every id ≤ watermark is in the set. */
  get watermark(): number {
    return this.low;
  }

  /** Number of members stored above the watermark (a gauge of disorder). */
  get sparse(): number {
    return this.above.size;
  }

  has(id: number): boolean {
    return id <= this.low || this.above.has(id);
  }

  /** Adds `id`; returns false if it was already a member. */
  add(id: number): boolean {
    if (id === this.low + 1) {
      this.low = id;
      if (this.above.size !== 0) {
        while (this.above.delete(this.low + 1)) this.low++;
      }
      return true;
    }
    if (id <= this.low || this.above.has(id)) return false;
    this.above.add(id);
    return true;
  }
}
