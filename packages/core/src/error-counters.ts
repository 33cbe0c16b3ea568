import type { EscherError } from './errors';

/** Errors counted by their stable code: what a service refused, for stats and tests. */
export class ErrorCounters {
  private readonly counts = new Map<string, number>();
  private sum = 0;

  /** Counts one occurrence of `error`'s code. */
  count(error: EscherError): void {
    this.counts.set(error.code, (this.counts.get(error.code) ?? 0) + 1);
    this.sum++;
  }

  /** Occurrences of this code so far. */
  get(code: string): number {
    return this.counts.get(code) ?? 0;
  }

  /** Every error so far. */
  get total(): number {
    return this.sum;
  }

  /** A plain-object copy, for printing and JSON. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
