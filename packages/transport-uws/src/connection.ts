import type { WebSocket as UwsSocket } from 'uWebSockets.js';
import type WebSocket from 'ws';

/** WebSocket close codes of the link protocol (4000–4999 are the application's). */
export const CloseCode = {
  /** This side is closing for good (endpoint closed, network stopped). */
  goingAway: 1001,
  /** A message above the size limit (sent by uWS and ws themselves). */
  tooBig: 1009,
  /** No runtime is attached to the network that accepted the connection. */
  notAttached: 4000,
  /** The HELLO named another runtime than the one attached here. */
  wrongRuntime: 4001,
  /** Another connection between the same two runtimes is kept instead. */
  superseded: 4002,
  /** A packet broke the link protocol. */
  protocol: 4003,
  /** The peer acknowledged nothing for too long. */
  stalled: 4004,
  /** No handshake in time. */
  handshakeTimeout: 4005,
  /** The socket's buffer passed uWS's hard limit: a write was dropped, so the connection is replaced. */
  overloaded: 4006,
} as const;

/** Receives what happens on a {@link Connection}. */
export interface ConnectionEvents {
  /** The WebSocket is open (the handshake of the link comes next). */
  opened(conn: Connection): void;
  /** A WebSocket message; `bytes` stays valid after the call. */
  packet(conn: Connection, bytes: Buffer, isBinary: boolean): void;
  drain(conn: Connection): void;
  closed(conn: Connection, code: number, reason: string): void;
}

/**
 * One WebSocket between two runtimes, whichever library holds it: the side
 * that accepted it (uWebSockets.js) or the side that dialled (ws). A link
 * uses one connection at a time and replaces it when it fails.
 */
export abstract class Connection {
  /** The peer's runtime id, once its handshake named it. */
  peer: string | undefined;
  /** The handshake completed and the link uses this connection. */
  established = false;
  /** No more events will come and nothing may be sent. */
  closed = false;
  /** This side asked for the close (and reported why, if it was a failure). */
  closedByUs = false;
  /** The socket error that preceded the close, if any. */
  failure: Error | undefined;
  /** When the connection opened (ms, `Date.now()`), for the handshake timeout. */
  readonly openedAt = Date.now();

  constructor(
    /** This side opened the connection. */
    readonly dialed: boolean,
    protected readonly events: ConnectionEvents,
  ) {}

  /** Sends one packet. Never throws. */
  abstract send(bytes: Uint8Array): void;
  /** Bytes handed to the socket and not yet written to the kernel. */
  abstract get buffered(): number;
  /** Closes with a code and a short reason; `closed` fires once. Never throws. */
  abstract close(code: number, reason: string): void;
  /** Asks for a `drain` event once the socket's buffer is low again. */
  abstract watchDrain(): void;
}

/** The accepting side: a uWebSockets.js socket. Valid until its close callback; never touched after. */
export class AcceptedConnection extends Connection {
  socket: UwsSocket<{ conn?: AcceptedConnection }> | undefined;

  constructor(socket: UwsSocket<{ conn?: AcceptedConnection }>, events: ConnectionEvents) {
    super(false, events);
    this.socket = socket;
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket === undefined) return;
    // 2: dropped at maxBackpressure. The link resends unacknowledged frames on a new connection, so nothing is lost.
    if (this.socket.send(bytes, true, false) === 2) this.close(CloseCode.overloaded, 'backpressure limit');
  }

  get buffered(): number {
    if (this.closed || this.socket === undefined) return 0;
    return this.socket.getBufferedAmount();
  }

  watchDrain(): void {
    // uWS calls the drain handler by itself whenever buffered data was written.
  }

  close(code: number, reason: string): void {
    if (this.closed || this.socket === undefined) return;
    this.closedByUs = true;
    // uWS calls the close handler synchronously from end(): that handler marks us closed.
    this.socket.end(code, reason);
  }

  /** @internal The uWS close handler ran: the socket is gone. */
  onClosed(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket = undefined;
    this.events.closed(this, code, reason);
  }
}

/** The dialling side: a `ws` client socket. */
export class DialedConnection extends Connection {
  private watching = false;

  constructor(
    readonly socket: WebSocket,
    readonly target: string,
    events: ConnectionEvents,
    private readonly lowWater: number,
  ) {
    super(true, events);
  }

  send(bytes: Uint8Array): void {
    if (this.closed || this.socket.readyState !== 1) return;
    this.socket.send(bytes, SEND_OPTIONS);
  }

  get buffered(): number {
    return this.closed ? 0 : this.socket.bufferedAmount;
  }

  watchDrain(): void {
    if (this.watching || this.closed || this.socket.readyState !== 1) return;
    // ws has no drain event; a ping's callback fires once everything before it reached the kernel.
    this.watching = true;
    this.socket.ping(undefined, undefined, this.onWritten);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closedByUs = true;
    try {
      if (this.socket.readyState === 0) this.socket.terminate();
      else this.socket.close(code, reason);
    } catch {
      this.socket.terminate();
    }
    // ws reports 'close' later; the link must stop using this connection now.
    this.markClosed(code, reason);
  }

  /** @internal The socket closed (or we closed it). */
  markClosed(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.events.closed(this, code, reason);
  }

  private readonly onWritten = (err?: Error): void => {
    this.watching = false;
    if (this.closed || err !== undefined) return;
    if (this.socket.bufferedAmount <= this.lowWater) this.events.drain(this);
    else this.watchDrain();
  };
}

const SEND_OPTIONS = { binary: true, compress: false, fin: true } as const;
