/** The monotonic clock, in nanoseconds. */
export function now(): bigint {
  return process.hrtime.bigint();
}

/** Nanoseconds from `start` to `end` (default: now), as a number. */
export function elapsedNs(start: bigint, end: bigint = now()): number {
  return Number(end - start);
}

/** Runs `fn` once and returns how long it took, in nanoseconds. */
export function timeSync(fn: () => void): number {
  const start = now();
  fn();
  return elapsedNs(start);
}

/** Runs `fn` once, waits for it, and returns how long it took, in nanoseconds. */
export async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const start = now();
  await fn();
  return elapsedNs(start);
}

/** Rate of `count` events in `ns` nanoseconds, per second. */
export function perSecond(count: number, ns: number): number {
  return ns <= 0 ? Number.POSITIVE_INFINITY : (count * 1e9) / ns;
}
