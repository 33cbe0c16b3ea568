import type { EscherError } from '@escher/core';

/** Rejections counted by error code (`ESCHER_PKI_…`). */
export class RejectionCounters {
  private readonly counts = new Map<string, number>();
  private sum = 0;

  /** Counts one rejection of `error`'s code. */
  count(error: EscherError): void {
    this.counts.set(error.code, (this.counts.get(error.code) ?? 0) + 1);
    this.sum++;
  }

  /** Rejections with this code so far. */
  get(code: string): number {
    return this.counts.get(code) ?? 0;
  }

  /** Every rejection so far. */
  get total(): number {
    return this.sum;
  }

  /** A plain-object copy, for printing and JSON. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
