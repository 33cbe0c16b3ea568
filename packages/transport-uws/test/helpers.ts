import { UwsNetwork, type UwsNetworkOptions } from '../src';

/** Fast retries for tests: a link to nobody gives up within a few hundred ms. */
export const QUICK_RECONNECT = { initialDelayMs: 5, maxDelayMs: 40, maxAttempts: 5, jitter: 0.5 } as const;

/** Runtimes on 127.0.0.1, each with its own UwsNetwork, finding each other through one address table. */
export class Cluster {
  readonly addresses = new Map<string, string>();
  readonly networks = new Map<string, UwsNetwork>();

  constructor(private readonly defaults: Partial<UwsNetworkOptions> = {}) {}

  /** The network of runtime `id`, created and listening on first use. */
  async network(id: string, options: Partial<UwsNetworkOptions> = {}): Promise<UwsNetwork> {
    let n = this.networks.get(id);
    if (n === undefined) {
      n = new UwsNetwork({ reconnect: QUICK_RECONNECT, ...this.defaults, ...options, resolve: options.resolve ?? ((peer) => this.addresses.get(peer)) });
      this.networks.set(id, n);
      this.addresses.set(id, (await n.start()).url);
    }
    return n;
  }

  /** Waits until no network holds an unacknowledged frame, then one more turn; at most `ms`. */
  async settle(ms = 3000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      await turn();
      if ([...this.networks.values()].every((n) => n.pendingFrames === 0)) break;
      await sleep(2);
    }
    await turn();
    await turn();
  }

  async close(): Promise<void> {
    for (const n of this.networks.values()) await n.stop();
    this.networks.clear();
  }
}

/** One event-loop turn. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `done()` holds, checking every few ms; gives up (returns false) after `ms`. */
export async function until(done: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}
