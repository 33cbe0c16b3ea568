/** Something scheduled at a virtual time. */
export interface SimEvent {
  readonly at: number;
  /** Tie-breaker: events at the same time run in the order they were scheduled. */
  readonly seq: number;
  cancelled: boolean;
  readonly run: () => void;
}

/** A binary min-heap of events ordered by (at, seq): deterministic for equal times. */
export class EventQueue {
  private readonly heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  schedule(at: number, run: () => void): SimEvent {
    const e: SimEvent = { at, seq: this.seq++, cancelled: false, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, h[p] as SimEvent)) break;
      h[i] = h[p] as SimEvent;
      i = p;
    }
    h[i] = e;
    return e;
  }

  /** The earliest live event, removed; cancelled ones are discarded on the way. */
  pop(): SimEvent | undefined {
    for (;;) {
      const top = this.removeTop();
      if (top === undefined || !top.cancelled) return top;
    }
  }

  /** Time of the earliest live event (cancelled ones at the top are discarded, live ones kept). */
  peekTime(): number | undefined {
    while (this.heap.length > 0 && (this.heap[0] as SimEvent).cancelled) this.removeTop();
    return this.heap[0]?.at;
  }

  private removeTop(): SimEvent | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0] as SimEvent;
    const last = h.pop() as SimEvent;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && before(h[r] as SimEvent, h[l] as SimEvent) ? r : l;
        if (!before(h[c] as SimEvent, last)) break;
        h[i] = h[c] as SimEvent;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
