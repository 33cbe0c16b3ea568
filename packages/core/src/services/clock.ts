/** An opaque handle for a pending timer. */
export interface TimerHandle {
  readonly __timer: true;
}

/**
 * Time and timers. Injected so that the simulator can replace real time with
 * virtual time, and so that timers can be skewed per agent.
 */
export interface Clock {
  /** Milliseconds since an arbitrary epoch, monotonic. */
  now(): number;
  /** Runs `fn` once after `delayMs`. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Injection token for {@link Clock}. */
export const CLOCK = Symbol.for('escher.Clock');

/** Real time: `performance.now()` and Node timers. */
export class SystemClock implements Clock {
  now(): number {
    return performance.now();
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const t = setTimeout(fn, Math.max(0, delayMs));
    // Timers of a role must not keep a finished process alive.
    t.unref?.();
    return t as unknown as TimerHandle;
  }
  clearTimer(handle: TimerHandle): void {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  }
}
