import type { Clock, TimerHandle } from '@escher/core';
import type { EventQueue, SimEvent } from './event-queue';

/** What a simulated clock reads its time from. */
export interface TimeSource {
  readonly now: number;
  readonly queue: EventQueue;
}

/**
 * Virtual time for one runtime. `rate` and `offset` give it clock skew: a
 * rate of 1.1 makes its timers fire 10% early in simulated time and its
 * readings run 10% fast, as a fast oscillator would.
 */
export class SimClock implements Clock {
  constructor(
    private readonly source: TimeSource,
    public rate = 1,
    public offset = 0,
  ) {}

  now(): number {
    return this.source.now * this.rate + this.offset;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const at = this.source.now + Math.max(0, delayMs) / this.rate;
    return this.source.queue.schedule(at, fn) as unknown as TimerHandle;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as unknown as SimEvent).cancelled = true;
  }
}
