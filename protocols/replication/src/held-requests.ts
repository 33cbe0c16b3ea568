import { type Envelope, RingQueue } from '@escher/core';
import { InputMap } from './input-map';

interface Held {
  readonly msg: Envelope;
  readonly at: number;
  /** Cleared when the request is ordered (or discarded); the entry then waits in the age queue to be skipped. */
  live: boolean;
}

/** Why a held request left without being ordered. */
export type HeldEviction = 'age' | 'capacity';

/**
 * Requests a follower received directly (the bus delivers a message for the
 * service to every replica) and keeps in case it becomes leader before the
 * current leader has them committed: a new leader proposes the ones still
 * held. Bounded in count (`max`) and in age (`maxAgeMs`); a request pushed
 * out is handed to `onEvict`. Looked up by (src, dst, id); kept in arrival
 * order so eviction reads the oldest in O(1), settled entries leaving lazily.
 */
export class HeldRequests {
  private readonly byKey = new InputMap<Held>();
  private readonly byAge = new RingQueue<Held>(16);

  constructor(
    private readonly max: number,
    private readonly maxAgeMs: number,
    private readonly onEvict: (msg: Envelope, why: HeldEviction) => void,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  has(msg: Envelope): boolean {
    return this.byKey.has(msg.src, msg.dst, msg.id);
  }

  /** Holds `msg` (once per identity), evicting what is too old or over capacity. */
  add(msg: Envelope, now: number): void {
    if (this.byKey.has(msg.src, msg.dst, msg.id)) return;
    this.expire(now);
    if (this.byKey.size >= this.max) this.evictOldest('capacity');
    const h: Held = { msg, at: now, live: true };
    this.byKey.set(msg.src, msg.dst, msg.id, h);
    this.byAge.push(h);
  }

  /** The request (src, dst, id) was ordered: stop holding it. */
  settle(src: string, dst: string, id: number): void {
    const h = this.byKey.get(src, dst, id);
    if (h === undefined) return;
    this.byKey.delete(src, dst, id);
    h.live = false;
    this.trim();
  }

  /** Removes and returns every request held and not too old, oldest first. */
  takeAll(now: number): Envelope[] {
    this.expire(now);
    const out: Envelope[] = [];
    for (let h = this.byAge.shift(); h !== undefined; h = this.byAge.shift()) if (h.live) out.push(h.msg);
    this.byKey.clear();
    return out;
  }

  /** Evicts requests older than `maxAgeMs`. */
  expire(now: number): void {
    for (let h = this.byAge.peek(); h !== undefined; h = this.byAge.peek()) {
      if (h.live && now - h.at <= this.maxAgeMs) return;
      this.byAge.shift();
      if (h.live) this.evict(h, 'age');
    }
  }

  private evictOldest(why: HeldEviction): void {
    for (let h = this.byAge.shift(); h !== undefined; h = this.byAge.shift()) {
      if (h.live) {
        this.evict(h, why);
        return;
      }
    }
  }

  private evict(h: Held, why: HeldEviction): void {
    h.live = false;
    this.byKey.delete(h.msg.src, h.msg.dst, h.msg.id);
    this.onEvict(h.msg, why);
  }

  private trim(): void {
    for (let h = this.byAge.peek(); h !== undefined && !h.live; h = this.byAge.peek()) this.byAge.shift();
  }
}
