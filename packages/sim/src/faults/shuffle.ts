import type { FaultContext, FaultLayer, InFlight, LinkFilter } from './fault-layer';

/** With probability `p`, lets a frame overtake others on its link by up to `windowMs`. */
export class Shuffle implements FaultLayer {
  readonly name = 'shuffle';
  shuffled = 0;
  constructor(public p: number, private readonly windowMs = 10, private readonly where?: LinkFilter) {}
  apply(frame: InFlight, ctx: FaultContext): InFlight[] {
    if ((this.where === undefined || this.where(frame.from, frame.to)) && ctx.rng.chance(this.p)) {
      this.shuffled++;
      frame.reorder = true;
      frame.delay += ctx.rng.next() * this.windowMs;
    }
    return [frame];
  }
}
