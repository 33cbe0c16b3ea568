import { type Envelope, type Path, RingQueue } from '@escher/core';

interface Entry {
  readonly msg: Envelope;
  readonly at: number;
  /** Set when the primary's copy arrived; the entry then waits in the age queue to be skipped. */
  settled: boolean;
}

/**
 * Requests a backup holds until the primary's copy of each arrives. Looked up
 * by (src, dst, id) through nested maps whose keys are interned paths and
 * small integers (building a string key per request costs more than all the
 * rest of a backup's work); kept in arrival order in a queue so the watchdog
 * reads the oldest in O(1). Settled entries leave the queue lazily.
 */
export class PendingRequests {
  private readonly bySrc = new Map<Path, Map<Path, Map<number, Entry>>>();
  private readonly byAge = new RingQueue<Entry>(16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(msg: Envelope, at: number): void {
    let byDst = this.bySrc.get(msg.src);
    if (byDst === undefined) {
      byDst = new Map();
      this.bySrc.set(msg.src, byDst);
    }
    let byId = byDst.get(msg.dst);
    if (byId === undefined) {
      byId = new Map();
      byDst.set(msg.dst, byId);
    }
    if (byId.has(msg.id)) return;
    const e: Entry = { msg, at, settled: false };
    byId.set(msg.id, e);
    this.byAge.push(e);
    this.count++;
  }

  /** The request (src, dst, id) no longer needs holding. */
  settle(src: Path, dst: Path, id: number): void {
    const byId = this.bySrc.get(src)?.get(dst);
    const e = byId?.get(id);
    if (e === undefined) return;
    (byId as Map<number, Entry>).delete(id);
    e.settled = true;
    this.count--;
    this.trim();
  }

  /** Arrival time of the oldest unsettled request. */
  oldestAt(): number | undefined {
    this.trim();
    return this.byAge.peek()?.at;
  }

  /** Removes and returns every unsettled request, oldest first. */
  takeAll(): Envelope[] {
    const out: Envelope[] = [];
    for (let e = this.byAge.shift(); e !== undefined; e = this.byAge.shift()) if (!e.settled) out.push(e.msg);
    this.bySrc.clear();
    this.count = 0;
    return out;
  }

  private trim(): void {
    for (let e = this.byAge.peek(); e !== undefined && e.settled; e = this.byAge.peek()) this.byAge.shift();
  }
}
