import type { RuntimeId } from '@escher/core';
import { type BackoffOptions, type BackoffSettings, DEFAULT_BACKOFF } from './backoff';
import type { TransportError } from './errors';
import type { LinkStats } from './link';
import { FRAME_OVERHEAD_BYTES } from './send-queue';
import { DATA_HEADER_BYTES, FRAME_PREFIX_BYTES, MAX_HANDSHAKE_BYTES } from './wire';

/** Where a `UwsNetwork` listens. */
export interface ListenOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: any free port, readable from `UwsNetwork.listening` after `start()`. */
  readonly port?: number;
}

/** Settings of a `UwsNetwork`. */
export interface UwsNetworkOptions {
  /** The WebSocket URL (`ws://host:port/`) at which a runtime listens, or `undefined` if none is known. */
  readonly resolve: (runtime: RuntimeId) => string | undefined;
  /** Where to listen (default `127.0.0.1`, any free port); `false`: dial only. */
  readonly listen?: ListenOptions | false;
  /** Largest frame, in bytes (default 1 MiB). Larger frames are refused on send and on receipt. */
  readonly maxFrameBytes?: number;
  /** Bytes held per peer, sent and unacknowledged or waiting (default 16 MiB); beyond it `send` refuses frames. */
  readonly maxBufferedBytes?: number;
  /** Socket buffer above which writing pauses until it drains (default 1 MiB). */
  readonly highWaterBytes?: number;
  /** Time for a connection to complete its handshake (default 5 000 ms). */
  readonly handshakeTimeoutMs?: number;
  /** Time the peer may leave written frames unacknowledged before it counts as stalled (default 10 000 ms). */
  readonly ackTimeoutMs?: number;
  /** Reconnection schedule. */
  readonly reconnect?: BackoffOptions;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Called with every error, after it is counted in `UwsNetwork.errors`. */
  readonly onError?: (error: TransportError, peer: RuntimeId) => void;
  /**
   * Called when a handshake shows that `peer` restarted (a new incarnation),
   * once its new link is up. A `SecureNetwork` above should `rekey(peer)`:
   * the restarted peer has lost the old session's keys.
   */
  readonly onPeerRestart?: (peer: RuntimeId) => void;
}

/** Counts of what a `UwsNetwork` did. */
export interface UwsNetworkStats extends LinkStats {
  /** Frames refused or dropped: buffer full, oversized, no address, link given up. */
  framesDropped: number;
  /** Incoming connections refused because the connection this side dialled is kept (simultaneous dial). */
  duplicatesRefused: number;
  /** Handshakes that showed a peer had restarted. */
  peerRestarts: number;
}

/** Where the listener is bound. */
export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
  /** `ws://host:port/`: what peers' resolvers should return for this runtime. */
  readonly url: string;
}

/** A snapshot of one link (see `UwsNetwork.linkInfo`). */
export interface LinkInfo {
  /** A connection is established. */
  readonly connected: boolean;
  /** This side dialled the established connection (`undefined` without one). */
  readonly dialedHere: boolean | undefined;
  /** Frames held for the peer: written and unacknowledged, or waiting. */
  readonly heldFrames: number;
  readonly heldBytes: number;
  /** Frames numbered on this link so far (the last sequence number). */
  readonly sent: number;
  /** Highest sequence number the peer acknowledged (or that was dropped). */
  readonly acknowledged: number;
  /** Highest sequence number of the peer's frames delivered here. */
  readonly delivered: number;
}

/** {@link UwsNetworkOptions} checked, with every default filled in. */
export interface Settings {
  readonly maxFrameBytes: number;
  /** Largest WebSocket message: a DATA header, one length prefix and the largest frame (or handshake). */
  readonly maxPacketBytes: number;
  readonly maxBufferedBytes: number;
  readonly highWaterBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly ackTimeoutMs: number;
  readonly backoff: BackoffSettings;
  readonly random: () => number;
}

/** Checks the options and fills in defaults. @throws RangeError */
export function settingsOf(options: UwsNetworkOptions): Settings {
  const maxFrameBytes = atLeast(options.maxFrameBytes ?? 1024 * 1024, 'maxFrameBytes', 0);
  return {
    maxFrameBytes,
    maxPacketBytes: DATA_HEADER_BYTES + FRAME_PREFIX_BYTES + Math.max(maxFrameBytes, MAX_HANDSHAKE_BYTES),
    // A link must be able to hold at least one frame of the largest size.
    maxBufferedBytes: atLeast(options.maxBufferedBytes ?? 16 * 1024 * 1024, 'maxBufferedBytes', maxFrameBytes + FRAME_OVERHEAD_BYTES),
    highWaterBytes: atLeast(options.highWaterBytes ?? 1024 * 1024, 'highWaterBytes', 1),
    handshakeTimeoutMs: atLeast(options.handshakeTimeoutMs ?? 5000, 'handshakeTimeoutMs', 1),
    ackTimeoutMs: atLeast(options.ackTimeoutMs ?? 10_000, 'ackTimeoutMs', 1),
    backoff: { ...DEFAULT_BACKOFF, ...options.reconnect },
    random: options.random ?? Math.random,
  };
}

function atLeast(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  return value;
}
