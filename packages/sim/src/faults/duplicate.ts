import type { FaultContext, FaultLayer, InFlight, LinkFilter } from './fault-layer';

/**
 * Delivers a frame twice with probability `p`; the copy arrives up to
 * `spreadMs` later and keeps the link's ordering (duplication alone does not
 * reorder: compose with {@link Shuffle} for that).
 */
export class Duplicate implements FaultLayer {
  readonly name = 'duplicate';
  duplicated = 0;
  constructor(public p: number, private readonly spreadMs = 5, private readonly where?: LinkFilter) {}
  apply(frame: InFlight, ctx: FaultContext): InFlight[] {
    if ((this.where !== undefined && !this.where(frame.from, frame.to)) || !ctx.rng.chance(this.p)) return [frame];
    this.duplicated++;
    return [frame, { ...frame, delay: frame.delay + ctx.rng.next() * this.spreadMs }];
  }
}
