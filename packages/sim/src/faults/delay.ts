import type { FaultContext, FaultLayer, InFlight, LinkFilter } from './fault-layer';

/** A delay distribution, in milliseconds. */
export type DelayDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  /** min + exponential with the given mean: mostly fast, a long tail. */
  | { readonly kind: 'exponential'; readonly min: number; readonly mean: number };

/** Delays frames by a draw from `dist`. Links stay FIFO unless a reordering layer says otherwise. */
export class Delay implements FaultLayer {
  readonly name = 'delay';
  constructor(public dist: DelayDistribution, private readonly where?: LinkFilter) {}
  apply(frame: InFlight, ctx: FaultContext): InFlight[] {
    if (this.where === undefined || this.where(frame.from, frame.to)) frame.delay += draw(this.dist, ctx);
    return [frame];
  }
}

export function draw(d: DelayDistribution, ctx: FaultContext): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return d.min + ctx.rng.next() * (d.max - d.min);
    case 'exponential':
      return d.min - d.mean * Math.log(1 - ctx.rng.next());
    default: {
      const never: never = d;
      throw new Error(`unknown delay distribution ${JSON.stringify(never)}`);
    }
  }
}
