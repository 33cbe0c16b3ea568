import { EmptySampleError } from './errors';

/** A sorted copy of `xs` (ascending). */
function sorted(xs: readonly number[], statistic: string): number[] {
  if (xs.length === 0) throw new EmptySampleError(statistic);
  return [...xs].sort((a, b) => a - b);
}

/** Value at fraction `q` (0..1) of an ascending array, interpolating linearly between ranks. */
function quantileOfSorted(s: readonly number[], q: number): number {
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * The `p`-th percentile (0..100) of `xs`, interpolating linearly between the
 * two nearest ranks (so percentile(xs, 50) is the median).
 * @throws EmptySampleError, RangeError when `p` is outside 0..100
 */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  return quantileOfSorted(sorted(xs, `p${p}`), p / 100);
}

/** The median of `xs`: the middle value, or the mean of the two middle values. @throws EmptySampleError */
export function median(xs: readonly number[]): number {
  return quantileOfSorted(sorted(xs, 'median'), 0.5);
}

/** The arithmetic mean of `xs`. @throws EmptySampleError */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new EmptySampleError('mean');
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** A sample described by its order statistics. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly max: number;
  readonly mean: number;
}

/** Order statistics and mean of `xs`. @throws EmptySampleError */
export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs, 'summary');
  return {
    n: s.length,
    min: s[0] as number,
    p25: quantileOfSorted(s, 0.25),
    median: quantileOfSorted(s, 0.5),
    p75: quantileOfSorted(s, 0.75),
    max: s[s.length - 1] as number,
    mean: mean(s),
  };
}
