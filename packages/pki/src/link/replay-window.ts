/**
 * Sliding anti-replay window over sequence numbers 1, 2, 3, … (as in IPsec
 * and WireGuard): a number is accepted once, if it is above the highest seen
 * or within `size` below it. `check` first, then `commit` only after the
 * frame authenticated, so forged frames cannot move the window.
 */
export class ReplayWindow {
  private highest = 0;
  private readonly seen: Uint8Array;

  constructor(readonly size = 1024) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a replay window holds at least one frame');
    this.seen = new Uint8Array(size);
  }

  /** Highest sequence number committed so far. */
  get top(): number {
    return this.highest;
  }

  /** 'ok', 'replay' (already committed) or 'old' (below the window). */
  check(seq: number): 'ok' | 'replay' | 'old' {
    if (seq < 1) return 'old';
    if (seq > this.highest) return 'ok';
    if (this.highest - seq >= this.size) return 'old';
    return this.seen[seq % this.size] === 1 ? 'replay' : 'ok';
  }

  /** Records `seq` as received (after {@link check} said 'ok' and the frame authenticated). */
  commit(seq: number): void {
    if (seq > this.highest) {
      const gap = seq - this.highest;
      if (gap >= this.size) this.seen.fill(0);
      else for (let s = this.highest + 1; s < seq; s++) this.seen[s % this.size] = 0;
      this.highest = seq;
    }
    this.seen[seq % this.size] = 1;
  }
}
