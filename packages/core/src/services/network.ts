/** Identifies a runtime on the network. */
export type RuntimeId = string;

/** A runtime's attachment to a {@link Network}. */
export interface NetworkEndpoint {
  /** Sends encoded bytes to another runtime; delivery is at most once and may be asynchronous. */
  send(to: RuntimeId, bytes: Uint8Array): void;
  close(): void;
}

/**
 * Moves encoded frames between runtimes (in-process, simulated, or over
 * sockets). Reliability and ordering above it are the bus's business.
 */
export interface Network {
  /** Attaches a runtime; `receive` is called with every frame sent to it. */
  attach(runtime: RuntimeId, receive: (from: RuntimeId, bytes: Uint8Array) => void): NetworkEndpoint;
  /**
   * Whether the runtime `peer` may send messages whose source is `src`. An
   * authenticating network (the PKI's `SecureNetwork`) answers from the
   * certificates the peer proved it holds; without it, every claim passes.
   * The runtime refuses a message whose source fails this check.
   */
  mayClaim?(peer: RuntimeId, src: string): boolean;
}

/** Injection token for {@link Network}. */
export const NETWORK = Symbol.for('escher.Network');
