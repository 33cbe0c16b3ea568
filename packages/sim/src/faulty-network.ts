import type { Network, NetworkEndpoint, RuntimeId } from '@escher/core';
import { type FaultContext, type FaultLayer, applyLayers } from './faults/fault-layer';
import type { Rng } from './rng';

/**
 * Puts fault layers in front of any real network (in-process, sockets):
 * frames are dropped, duplicated or delayed (with real timers) as the layers
 * say. For soak tests outside the simulator; runs are then not replayable.
 */
export class FaultyNetwork implements Network {
  private readonly ctx: FaultContext;
  constructor(
    private readonly inner: Network,
    readonly layers: FaultLayer[],
    rng: Rng,
  ) {
    this.ctx = {
      rng,
      get now() {
        return performance.now();
      },
    };
  }

  attach(runtime: RuntimeId, receive: (from: RuntimeId, bytes: Uint8Array) => void): NetworkEndpoint {
    const ep = this.inner.attach(runtime, receive);
    return {
      send: (to, bytes) => {
        for (const f of applyLayers(this.layers, { from: runtime, to, bytes, delay: 0, reorder: false }, this.ctx)) {
          if (f.delay <= 0) ep.send(to, f.bytes);
          else setTimeout(() => ep.send(to, f.bytes), f.delay).unref?.();
        }
      },
      close: () => ep.close(),
    };
  }
}
