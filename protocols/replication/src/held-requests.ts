import { type Envelope, RingQueue } from '@escher/core';

/** Why a held request left without being ordered: too old, too many held, or the replica role went away. */
export type HeldEviction = 'age' | 'capacity' | 'removed';

/**
 * Requests a follower received directly (the bus delivers a message for the
 * service to every replica) and keeps in case it becomes leader before the
 * current leader has them committed: a new leader proposes those still
 * held. They are kept in arrival order only, with no per-request index: the
 * leader orders requests in about the order followers receive them, so as
 * inputs are applied, the ones at the front are found accepted and leave
 * ({@link HeldRequests.prune}). A request at the front that is never
 * ordered (the leader never got it) waits until it is `maxAgeMs` old, or
 * until more than `max` are held; it is then handed to `onEvict`. Requests
 * that were ordered leave silently whenever they reach the front.
 */
export class HeldRequests {
  private readonly msgs = new RingQueue<Envelope>(64);
  private readonly times = new RingQueue<number>(64);

  constructor(
    private readonly max: number,
    private readonly maxAgeMs: number,
    /** The input has been presented to the application (it was ordered). */
    private readonly accepted: (msg: Envelope) => boolean,
    private readonly onEvict: (msg: Envelope, why: HeldEviction) => void,
  ) {}

  /** Requests held, including ordered ones not yet pruned from behind an unordered one. */
  get size(): number {
    return this.msgs.length;
  }

  /** Holds `msg`, making room first: the too old, then the oldest beyond capacity. */
  add(msg: Envelope, now: number): void {
    this.expire(now);
    if (this.msgs.length >= this.max) this.evictFront('capacity');
    this.msgs.push(msg);
    this.times.push(now);
  }

  /** Drops ordered requests from the front. */
  prune(): void {
    for (let m = this.msgs.peek(); m !== undefined && this.accepted(m); m = this.msgs.peek()) {
      this.msgs.shift();
      this.times.shift();
    }
  }

  /** Removes and returns every request held, not yet ordered and not too old, oldest first. */
  takeAll(now: number): Envelope[] {
    this.expire(now);
    const out: Envelope[] = [];
    for (let m = this.msgs.shift(); m !== undefined; m = this.msgs.shift()) if (!this.accepted(m)) out.push(m);
    this.times.drain();
    return out;
  }

  /** Evicts requests older than `maxAgeMs` (reporting those never ordered). */
  expire(now: number): void {
    for (let t = this.times.peek(); t !== undefined && now - t > this.maxAgeMs; t = this.times.peek()) this.evictFront('age');
  }

  private evictFront(why: HeldEviction): void {
    const m = this.msgs.shift();
    this.times.shift();
    if (m !== undefined && !this.accepted(m)) this.onEvict(m, why);
  }
}
