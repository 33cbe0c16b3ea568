import type { Network, NetworkEndpoint, RuntimeId } from '@escher/core';
import { type FaultContext, type FaultLayer, applyLayers } from './faults/fault-layer';
import type { HandleCodec } from './handle-codec';
import type { Rng } from './rng';
import type { TimeSource } from './sim-clock';

type Receiver = (from: RuntimeId, bytes: Uint8Array) => void;

/**
 * The network of a simulation: every frame goes through the fault layers and
 * is delivered as a scheduled event in virtual time. Links are FIFO (a frame
 * is never delivered before an earlier one on the same link) unless a layer
 * marked it as reordered.
 */
export class SimNetwork implements Network {
  private readonly receivers = new Map<RuntimeId, Receiver>();
  /** Per link (from → to): the latest delivery time scheduled, to keep links FIFO. */
  private readonly lastAt = new Map<RuntimeId, Map<RuntimeId, number>>();
  private readonly ctx: FaultContext;
  /** Frames sent, delivered, and addressed to runtimes that were gone on arrival. */
  sent = 0;
  delivered = 0;
  undeliverable = 0;

  constructor(
    private readonly time: TimeSource,
    readonly layers: FaultLayer[],
    rng: Rng,
    private readonly handles: HandleCodec | undefined,
  ) {
    const source = time;
    this.ctx = {
      rng,
      get now() {
        return source.now;
      },
    };
  }

  attach(runtime: RuntimeId, receive: Receiver): NetworkEndpoint {
    if (this.receivers.has(runtime)) throw new Error(`runtime ${runtime} is already attached to the simulated network`);
    this.receivers.set(runtime, receive);
    return {
      send: (to, bytes) => this.send(runtime, to, bytes),
      close: () => {
        if (this.receivers.get(runtime) === receive) this.receivers.delete(runtime);
      },
    };
  }

  private send(from: RuntimeId, to: RuntimeId, bytes: Uint8Array): void {
    this.sent++;
    const frames = applyLayers(this.layers, { from, to, bytes, delay: 0, reorder: false }, this.ctx);
    this.handles?.expect(bytes, frames.length);
    const now = this.time.now;
    let links = this.lastAt.get(from);
    if (links === undefined) {
      links = new Map();
      this.lastAt.set(from, links);
    }
    for (const f of frames) {
      let at = now + f.delay;
      if (!f.reorder) {
        at = Math.max(at, links.get(to) ?? 0);
        links.set(to, at);
      }
      this.time.queue.schedule(at, () => this.deliver(from, to, f.bytes));
    }
  }

  /** Hands bytes to a runtime as if they came over a link (for injected, possibly malformed, frames). */
  deliverRaw(from: RuntimeId, to: RuntimeId, bytes: Uint8Array): void {
    const r = this.receivers.get(to);
    if (r === undefined) this.undeliverable++;
    else r(from, bytes);
  }

  private deliver(from: RuntimeId, to: RuntimeId, bytes: Uint8Array): void {
    const r = this.receivers.get(to);
    if (r === undefined) this.undeliverable++;
    else {
      this.delivered++;
      r(from, bytes);
    }
    this.handles?.delivered(bytes);
  }
}
