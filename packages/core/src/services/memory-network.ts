import type { Network, NetworkEndpoint, RuntimeId } from './network';

type Receiver = (from: RuntimeId, bytes: Uint8Array) => void;

/**
 * Runtimes in one process. Frames are delivered on a later microtask, in
 * order per (sender, receiver); frames to a runtime that is not attached
 * are counted in `undeliverable`.
 */
export class MemoryNetwork implements Network {
  private readonly receivers = new Map<RuntimeId, Receiver>();
  /** Frames sent to a runtime that was not attached. */
  undeliverable = 0;

  attach(runtime: RuntimeId, receive: Receiver): NetworkEndpoint {
    if (this.receivers.has(runtime)) throw new Error(`runtime ${runtime} is already attached to this network`);
    this.receivers.set(runtime, receive);
    return {
      send: (to, bytes) => {
        queueMicrotask(() => {
          const r = this.receivers.get(to);
          if (r === undefined) this.undeliverable++;
          else r(runtime, bytes);
        });
      },
      close: () => {
        if (this.receivers.get(runtime) === receive) this.receivers.delete(runtime);
      },
    };
  }
}
