import type { RuntimeId } from '@escher/core';
import type { FaultLayer, InFlight } from './fault-layer';

/**
 * Splits runtimes into groups that cannot reach each other until `heal()`.
 * Runtimes not named in any group form one more group of their own.
 */
export class Partition implements FaultLayer {
  readonly name = 'partition';
  blocked = 0;
  private groupOf = new Map<RuntimeId, number>();

  /** Isolates the given groups from each other (replacing any previous split). */
  split(...groups: readonly (readonly RuntimeId[])[]): void {
    this.groupOf = new Map();
    groups.forEach((g, i) => {
      for (const r of g) this.groupOf.set(r, i + 1);
    });
  }

  heal(): void {
    this.groupOf = new Map();
  }

  get active(): boolean {
    return this.groupOf.size > 0;
  }

  apply(frame: InFlight): InFlight[] {
    if (this.groupOf.size === 0) return [frame];
    if ((this.groupOf.get(frame.from) ?? 0) !== (this.groupOf.get(frame.to) ?? 0)) {
      this.blocked++;
      return [];
    }
    return [frame];
  }
}
