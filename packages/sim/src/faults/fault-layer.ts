import type { RuntimeId } from '@escher/core';
import type { Rng } from '../rng';

/** A frame on its way from one runtime to another, as fault layers see it. */
export interface InFlight {
  readonly from: RuntimeId;
  readonly to: RuntimeId;
  readonly bytes: Uint8Array;
  /** Milliseconds before delivery, added to by delay layers. */
  delay: number;
  /** May overtake earlier frames on the same link (set by a reordering layer). */
  reorder: boolean;
}

/** What a fault layer may consult. */
export interface FaultContext {
  readonly rng: Rng;
  /** Current time, in milliseconds. */
  readonly now: number;
}

/** Which links a layer applies to; by default all. */
export type LinkFilter = (from: RuntimeId, to: RuntimeId) => boolean;

/**
 * One fault injector (in the manner of JGroups' DISCARD, DELAY, DUPL,
 * SHUFFLE): given a frame, return the frames that go on — none to drop it,
 * two to duplicate it, the same with a longer delay to slow it. Layers
 * compose in order. They are pure apart from their own settings and the
 * given random source, so they work in the simulator (virtual time) and on a
 * real network alike (see `FaultyNetwork`).
 */
export interface FaultLayer {
  readonly name: string;
  apply(frame: InFlight, ctx: FaultContext): InFlight[];
}

/** Runs `frame` through `layers` in order. */
export function applyLayers(layers: readonly FaultLayer[], frame: InFlight, ctx: FaultContext): InFlight[] {
  let frames = [frame];
  for (const layer of layers) {
    if (frames.length === 1) {
      // The usual case: one frame in, the layer's own array out, nothing to merge.
      frames = layer.apply(frames[0] as InFlight, ctx);
      if (frames.length === 0) break;
      continue;
    }
    const next: InFlight[] = [];
    for (const f of frames) for (const g of layer.apply(f, ctx)) next.push(g);
    frames = next;
    if (frames.length === 0) break;
  }
  return frames;
}
