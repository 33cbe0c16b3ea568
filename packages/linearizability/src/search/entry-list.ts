/**
 * The history as a doubly linked list of call and return entries in time
 * order, stored in typed arrays. Entry 0 is the head sentinel and entry
 * `2n + 1` the tail sentinel; operation `i` has one call and one return entry.
 *
 * Linearizing an operation unlinks its two entries ({@link EntryList.lift});
 * backtracking links them back ({@link EntryList.unlift}) — the removed
 * entries keep their own links, so a removal is undone in O(1) provided
 * removals are undone in reverse order, which a depth-first search does.
 */
export class EntryList {
  static readonly HEAD = 0;
  readonly tail: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The operation index of each entry. */
  readonly op: Int32Array;
  /** For a call entry, its return entry; for a return entry, -1. */
  readonly returnOf: Int32Array;

  /** `calls[i]` and `returns[i]` are the times of operation `i`; returns may be `Infinity`. */
  constructor(calls: ArrayLike<number>, returns: ArrayLike<number>) {
    const n = calls.length;
    const order: number[] = [];
    // Encode (operation, is-return) as 2i + kind; sort by time, calls first at equal times.
    for (let i = 0; i < n; i++) order.push(2 * i, 2 * i + 1);
    const time = (e: number): number => ((e & 1) === 0 ? calls[e >>> 1] : returns[e >>> 1]);
    order.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);

    const size = 2 * n + 2;
    this.tail = size - 1;
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.op = new Int32Array(size).fill(-1);
    this.returnOf = new Int32Array(size).fill(-1);
    const position = new Int32Array(2 * n);
    order.forEach((e, k) => {
      position[e] = k + 1;
      this.op[k + 1] = e >>> 1;
    });
    for (let i = 0; i < n; i++) this.returnOf[position[2 * i]] = position[2 * i + 1];
    for (let k = 0; k < size; k++) {
      this.next[k] = k + 1;
      this.prev[k] = k - 1;
    }
  }

  /** The first entry still in the list (the tail when it is empty). */
  first(): number {
    return this.next[EntryList.HEAD];
  }

  isCall(entry: number): boolean {
    return this.returnOf[entry] >= 0;
  }

  /** Unlink a call entry and its return entry. */
  lift(call: number): void {
    const { next, prev } = this;
    next[prev[call]] = next[call];
    prev[next[call]] = prev[call];
    const ret = this.returnOf[call];
    next[prev[ret]] = next[ret];
    prev[next[ret]] = prev[ret];
  }

  /** Undo the latest {@link EntryList.lift} of `call`. */
  unlift(call: number): void {
    const { next, prev } = this;
    const ret = this.returnOf[call];
    next[prev[ret]] = ret;
    prev[next[ret]] = ret;
    next[prev[call]] = call;
    prev[next[call]] = call;
  }
}
