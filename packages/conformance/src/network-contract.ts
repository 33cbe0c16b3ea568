import type { Network, RuntimeId } from '@escher/core';

/**
 * What one implementation of {@link Network} gives the contract suite. The
 * suite never assumes a shared instance: it asks for the Network of each
 * runtime id (an in-memory network returns the same object every time; a
 * socket transport returns one per runtime, already able to reach the
 * others' addresses).
 */
export interface NetworkHarness {
  /** The Network that runtime `id` attaches to. */
  network(id: RuntimeId): Network | Promise<Network>;
  /**
   * Resolves once every frame sent so far has been delivered or dropped
   * (a simulator runs its clock; a socket transport waits, bounded in time).
   */
  settle(): Promise<void>;
  /** Releases sockets, servers and timers. */
  close(): Promise<void>;
}

/** What an implementation promises beyond the base contract. */
export interface NetworkContractOptions {
  /** Largest frame the implementation accepts (frames this big must arrive intact). Default 1 MiB. */
  readonly maxFrameBytes?: number;
}

// The suite itself (`networkContract(name, make, options)`) is written with the uWS transport.
