import type { Discovery, RuntimeId } from '@escher/core';

/**
 * What one implementation of {@link Discovery} gives the contract suite.
 * Each runtime has its own Discovery (NATS: one connection per runtime; in
 * process: one shared table, returned for every id).
 */
export interface DiscoveryHarness {
  /** The Discovery runtime `id` uses. */
  discovery(id: RuntimeId): Discovery | Promise<Discovery>;
  /** Resolves once announcements and withdrawals made so far are visible to every runtime (bounded in time). */
  settle(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

// The suite itself (`discoveryContract(name, make)`) is written with the NATS discovery.
