/**
 * Typed errors of the WebSocket transport. One class per condition, told
 * apart by `name` and by a stable `code` (`ESCHER_UWS_…`). Everything caused
 * by a peer or by the network is one of these, is counted by code in
 * `UwsNetwork.errors`, is reported to `onError`, and is never thrown into a
 * socket callback.
 */
import { EscherError, type EscherErrorOptions, type RuntimeId } from '@escher/core';

/** Base class of every transport error. */
export abstract class TransportError extends EscherError {}

/** A frame (to send, or inside a received message) above `maxFrameBytes`; refused before anything is allocated for it. */
export class OversizedFrameError extends TransportError {
  readonly code = 'ESCHER_UWS_OVERSIZED_FRAME';
  /** `bytes` is undefined when the socket library refused the message before its size was known to us. */
  constructor(readonly peer: RuntimeId, readonly bytes: number | undefined, readonly limit: number) {
    super(`${bytes === undefined ? 'a message' : `a frame of ${bytes} bytes`} for or from ${peer} exceeds the limit of ${limit} bytes`);
  }
}

/** A WebSocket message that is not a well-formed link packet (truncated, lengths that do not add up, unknown version or kind). */
export class MalformedPacketError extends TransportError {
  readonly code = 'ESCHER_UWS_MALFORMED_PACKET';
  constructor(readonly peer: RuntimeId, reason: string, options?: EscherErrorOptions) {
    super(`malformed link packet from ${peer}: ${reason}`, options);
  }
}

/** A packet whose sequence numbers or acknowledgement contradict the link state (a gap, an ack of frames never sent). */
export class SequenceError extends TransportError {
  readonly code = 'ESCHER_UWS_SEQUENCE';
  constructor(readonly peer: RuntimeId, reason: string) {
    super(`link with ${peer} out of sequence: ${reason}`);
  }
}

/** The handshake of a connection was refused, by us or by the peer (wrong runtime id, none attached, a duplicate link). */
export class HandshakeRefusedError extends TransportError {
  readonly code = 'ESCHER_UWS_HANDSHAKE_REFUSED';
  constructor(readonly peer: RuntimeId, reason: string) {
    super(`handshake with ${peer} refused: ${reason}`);
  }
}

/** A connection did not complete its handshake in time. */
export class HandshakeTimeoutError extends TransportError {
  readonly code = 'ESCHER_UWS_HANDSHAKE_TIMEOUT';
  constructor(readonly peer: RuntimeId, readonly ms: number) {
    super(`no handshake with ${peer} within ${ms} ms`);
  }
}

/** A connection could not be opened, or failed (refused, reset, closed by the peer with an error). */
export class ConnectionError extends TransportError {
  readonly code = 'ESCHER_UWS_CONNECTION';
  constructor(readonly peer: RuntimeId, reason: string, options?: EscherErrorOptions) {
    super(`connection with ${peer} failed: ${reason}`, options);
  }
}

/** The per-peer buffer is full: the frame is refused (the layers above retransmit). */
export class BufferFullError extends TransportError {
  readonly code = 'ESCHER_UWS_BUFFER_FULL';
  constructor(readonly peer: RuntimeId, readonly bufferedBytes: number, readonly limit: number) {
    super(`buffer for ${peer} is full (${bufferedBytes} of ${limit} bytes): frame refused`);
  }
}

/** The peer acknowledged nothing for too long while frames were outstanding: it stopped reading. */
export class PeerStalledError extends TransportError {
  readonly code = 'ESCHER_UWS_PEER_STALLED';
  constructor(readonly peer: RuntimeId, readonly ms: number) {
    super(`${peer} acknowledged nothing for ${ms} ms`);
  }
}

/** Every reconnection attempt failed; the frames held for the peer are dropped. */
export class LinkFailedError extends TransportError {
  readonly code = 'ESCHER_UWS_LINK_FAILED';
  constructor(readonly peer: RuntimeId, readonly attempts: number, readonly droppedFrames: number, options?: EscherErrorOptions) {
    super(`link to ${peer} failed after ${attempts} attempt(s); ${droppedFrames} frame(s) dropped`, options);
  }
}

/** The address resolver knows no address for the runtime. */
export class UnknownPeerError extends TransportError {
  readonly code = 'ESCHER_UWS_UNKNOWN_PEER';
  constructor(readonly peer: RuntimeId) {
    super(`no address is known for runtime ${peer}`);
  }
}

/** The attached runtime's receive callback threw; the frame counts as delivered. */
export class ReceiverError extends TransportError {
  readonly code = 'ESCHER_UWS_RECEIVER_THREW';
  constructor(readonly peer: RuntimeId, options?: EscherErrorOptions) {
    super(`the receiver threw on a frame from ${peer}`, options);
  }
}

/** A second runtime (or the same one twice) attached to one UwsNetwork. Local misuse: thrown. */
export class AlreadyAttachedError extends TransportError {
  readonly code = 'ESCHER_UWS_ALREADY_ATTACHED';
  constructor(readonly runtime: RuntimeId, readonly attached: RuntimeId) {
    super(`cannot attach ${runtime}: this UwsNetwork already serves ${attached}`);
  }
}

/** The listener could not bind its address. Thrown by `start()`. */
export class ListenError extends TransportError {
  readonly code = 'ESCHER_UWS_LISTEN_FAILED';
  constructor(readonly host: string, readonly port: number) {
    super(`cannot listen on ${host}:${port}`);
  }
}
