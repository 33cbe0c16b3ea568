import type { BenchContext } from './benchmark';

/** One configuration to measure: `measure` runs it once and returns its sample. */
export interface Case<T> {
  /** Shown in progress lines, such as `ping-pong empty stack`. */
  readonly label: string;
  measure(): T | Promise<T>;
}

/** How many rounds {@link interleave} runs. */
export interface RoundOptions {
  /** Measured rounds. */
  readonly rounds: number;
  /** Unrecorded rounds run first so the JIT has warmed up every case; default 1. */
  readonly warmup?: number;
}

/**
 * Measures every case once per round, cases in the given order, for
 * `warmup` unrecorded rounds and then `rounds` recorded ones. Alternating
 * the cases spreads slow drifts of the machine (frequency, other load) over
 * all of them instead of penalising whichever runs last. Returns the samples
 * of each case, in the order of `cases`.
 */
export async function interleave<T>(ctx: BenchContext, options: RoundOptions, cases: readonly Case<T>[]): Promise<T[][]> {
  const warmup = options.warmup ?? 1;
  const samples: T[][] = cases.map(() => []);
  for (let w = 1; w <= warmup; w++) {
    for (const c of cases) {
      ctx.progress(`warm-up ${c.label}`, w, warmup);
      await c.measure();
    }
  }
  for (let r = 1; r <= options.rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i] as Case<T>;
      ctx.progress(c.label, r, options.rounds);
      (samples[i] as T[]).push(await c.measure());
    }
  }
  return samples;
}
