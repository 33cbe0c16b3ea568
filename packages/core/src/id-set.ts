/** Ids just above the watermark kept in a bitmask rather than with the runs further out. */
const WINDOW = 32;

/**
 * A set of positive integer message ids that compacts: every id up to
 * `watermark` is a member, and only members above it are stored. For a
 * correct source whose ids to one destination count 1, 2, 3, … the set stays
 * O(1) in size, which is what lets a done box stay bounded (Escher §3.4).
 *
 * Members within 32 of the watermark live in a bitmask (bit i = watermark+1+i),
 * so the usual small reorderings cost no allocation. Members further out are
 * kept as sorted runs of consecutive ids, consulted only when there are any:
 * a receiver that joins a channel in the middle (a restarted agent hearing
 * from peers that kept counting) never sees the ids below the first one it
 * gets, so its watermark stays put, and the ids it does get form one run
 * that grows at its end: O(1) space and time, not one entry per message.
 */
export class CompactIdSet {
  private low = 0;
  private bits = 0;
  /**
   * Runs above the window as [first₀, last₀, first₁, last₁, …]: sorted,
   * disjoint, never adjacent, every member above watermark + 32.
   */
  private runs: number[] | undefined;

  /** Every id ≤ watermark is in the set. */
  get watermark(): number {
    return this.low;
  }

  /** Number of members stored above the watermark (a gauge of disorder). */
  get sparse(): number {
    let n = 0;
    for (let b = this.bits; b !== 0; b &= b - 1) n++;
    const r = this.runs;
    if (r !== undefined) for (let i = 0; i < r.length; i += 2) n += (r[i + 1] as number) - (r[i] as number) + 1;
    return n;
  }

  /** Number of runs of members kept beyond the bitmask (a gauge of the set's size in memory). */
  get runCount(): number {
    return this.runs === undefined ? 0 : this.runs.length >> 1;
  }

  has(id: number): boolean {
    const d = id - this.low;
    if (d <= 0) return true;
    if (d <= WINDOW) return (this.bits & (1 << (d - 1))) !== 0;
    return this.runs !== undefined && runIndex(this.runs, id) >= 0;
  }

  /** Adds `id`; returns false if it was already a member. */
  add(id: number): boolean {
    const d = id - this.low;
    if (d <= 0) return false;
    if (d === 1 && this.bits === 0) {
      // The common case: the next id in sequence, nothing pending above it.
      this.low = id;
      if (this.runs !== undefined) this.pullRuns();
      return true;
    }
    if (d > WINDOW) return this.addFar(id);
    const bit = 1 << (d - 1);
    if ((this.bits & bit) !== 0) return false;
    this.bits |= bit;
    this.advance();
    return true;
  }

  /** Forgets every member (a channel starting over: its source restarted under a new incarnation). */
  clear(): void {
    this.low = 0;
    this.bits = 0;
    this.runs = undefined;
  }

  /** Moves the watermark over the run of members just above it. */
  private advance(): void {
    const before = this.low;
    while ((this.bits & 1) !== 0) {
      this.bits = (this.bits >>> 1) | 0;
      this.low++;
    }
    if (this.runs !== undefined && this.low !== before) this.pullRuns();
  }

  /**
   * The window moved up: move the members of runs that are now within it
   * into the bitmask, and jump the watermark over a whole run that starts
   * right above it. A loop, not recursion, so a long run costs O(1) and the
   * stack stays flat.
   */
  private pullRuns(): void {
    const r = this.runs as number[];
    while (r.length !== 0) {
      const first = r[0] as number;
      const last = r[1] as number;
      if (this.bits === 0 && first === this.low + 1) {
        this.low = last;
        r.splice(0, 2);
        continue;
      }
      const to = this.low + WINDOW;
      if (first > to) break;
      const end = last < to ? last : to;
      for (let id = first; id <= end; id++) this.bits |= 1 << (id - this.low - 1);
      if (last > to) r[0] = to + 1;
      else r.splice(0, 2);
      while ((this.bits & 1) !== 0) {
        this.bits = (this.bits >>> 1) | 0;
        this.low++;
      }
    }
    if (r.length === 0) this.runs = undefined;
  }

  /** Adds an id beyond the window to the runs; false if present. */
  private addFar(id: number): boolean {
    const r = this.runs;
    if (r === undefined) {
      this.runs = [id, id];
      return true;
    }
    const n = r.length;
    const lastEnd = r[n - 1] as number;
    // Ids mostly arrive in order: extending or starting the last run is the usual case.
    if (id === lastEnd + 1) {
      r[n - 1] = id;
      return true;
    }
    if (id > lastEnd) {
      r.push(id, id);
      return true;
    }
    if (runIndex(r, id) >= 0) return false;
    // i: the first run that starts after id.
    let lo = 0;
    let hi = n >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((r[2 * mid] as number) > id) hi = mid;
      else lo = mid + 1;
    }
    const i = 2 * lo;
    const joinsPrev = i > 0 && (r[i - 1] as number) === id - 1;
    const joinsNext = i < n && (r[i] as number) === id + 1;
    if (joinsPrev && joinsNext) {
      r[i - 1] = r[i + 1] as number;
      r.splice(i, 2);
    } else if (joinsPrev) r[i - 1] = id;
    else if (joinsNext) r[i] = id;
    else r.splice(i, 0, id, id);
    return true;
  }
}

/** Index of the run holding `id` in `r` (its first slot), or -1. */
function runIndex(r: number[], id: number): number {
  let lo = 0;
  let hi = (r.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const first = r[2 * mid] as number;
    if (id < first) hi = mid - 1;
    else if (id > (r[2 * mid + 1] as number)) lo = mid + 1;
    else return 2 * mid;
  }
  return -1;
}
