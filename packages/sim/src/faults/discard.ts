import type { FaultContext, FaultLayer, InFlight, LinkFilter } from './fault-layer';

/** Loses each frame with probability `p` (on the links `where` selects). */
export class Discard implements FaultLayer {
  readonly name = 'discard';
  /** Frames lost so far. */
  dropped = 0;
  constructor(public p: number, private readonly where?: LinkFilter) {}
  apply(frame: InFlight, ctx: FaultContext): InFlight[] {
    if ((this.where === undefined || this.where(frame.from, frame.to)) && ctx.rng.chance(this.p)) {
      this.dropped++;
      return [];
    }
    return [frame];
  }
}
