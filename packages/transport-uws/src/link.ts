import type { RuntimeId } from '@escher/core';
import type { Connection } from './connection';
import { SequenceError, type TransportError } from './errors';
import { SendQueue } from './send-queue';
import { DATA_HEADER_BYTES, FRAME_PREFIX_BYTES, type Handshake, KIND_HELLO, KIND_WELCOME, checkData, decodeAck, encodeAck, encodeData } from './wire';

/** What a {@link Link} needs from the network that owns it. */
export interface LinkHost {
  readonly self: RuntimeId;
  readonly incarnation: number;
  readonly maxFrameBytes: number;
  /** Largest WebSocket message this side sends (a batch is split to stay within it). */
  readonly maxPacketBytes: number;
  /** Socket buffer above which writing stops until it drains. */
  readonly highWaterBytes: number;
  readonly stats: LinkStats;
  /** Hands a frame to the attached runtime (never throws). */
  deliver(from: RuntimeId, frame: Uint8Array): void;
  /** Counts and reports an error. */
  report(error: TransportError, peer: RuntimeId): void;
}

/** Running totals over every link of a network. */
export interface LinkStats {
  /** Frames accepted by `send` for another runtime. */
  framesSent: number;
  /** Frames handed to the attached runtime. */
  framesDelivered: number;
  /** Frames written again after a reconnection. */
  framesResent: number;
  /** Frames received a second time after a reconnection, and discarded. */
  duplicatesDiscarded: number;
  /** Frames dropped because the peer restarted before acknowledging them. */
  framesDroppedPeerRestarted: number;
  /** WebSocket messages (DATA and ACK packets) written. */
  packetsSent: number;
  /** DATA packets received. */
  packetsReceived: number;
  /** Connections that completed a handshake. */
  connectionsEstablished: number;
}

/**
 * The one link between this runtime and a peer runtime: the frames held for
 * it (numbered, kept until acknowledged), how far its frames were delivered
 * here, and the connection currently carrying both directions. The
 * connection may change (a reconnection, a simultaneous dial resolved); the
 * numbering carries over, so the peer gets every frame once and in order.
 */
export class Link {
  readonly queue = new SendQueue();
  /** Highest sequence number of the peer's frames delivered here. */
  delivered = 0;
  /** The peer's incarnation (0 until a handshake told it). */
  peerIncarnation = 0;
  /** The established connection, if any. */
  conn: Connection | undefined;
  /** A connection this side dialled, its handshake still running. */
  dialing: Connection | undefined;
  /** Writing waits for the connection's buffer to drain. */
  blocked = false;
  /** Frames were delivered that the peer has not been told about. */
  ackDue = false;
  /** Waiting in the network's list of links to flush this tick. */
  dirty = false;
  /** Failed connection attempts since the peer last acknowledged something (or since an idle link connected). */
  attempts = 0;
  /** Pending reconnection timer. */
  retry: NodeJS.Timeout | undefined;
  /** The last handshake showed a new incarnation of a peer known before; the network reports it once established. */
  restarted = false;
  /** When the peer last acknowledged something new (or frames became outstanding). */
  lastProgressAt = 0;

  constructor(readonly peer: RuntimeId, private readonly host: LinkHost) {}

  /** What this side says in a HELLO or WELCOME on a connection with the peer. */
  handshake(kind: typeof KIND_HELLO | typeof KIND_WELCOME): Handshake {
    const q = this.queue;
    return {
      kind,
      from: this.host.self,
      to: this.peer,
      incarnation: this.host.incarnation,
      peerIncarnation: this.peerIncarnation,
      received: this.delivered,
      sendBase: q.acked,
      written: q.everWritten,
    };
  }

  /**
   * Takes in the peer's handshake. A peer with a new incarnation restarted:
   * what it had received is gone, and frames of ours it may have seen are
   * dropped rather than shown to its new incarnation. Otherwise frames it
   * already received are released and the rest will be written again.
   * @throws SequenceError if the peer claims frames we never sent
   */
  adopt(h: Handshake): void {
    const q = this.queue;
    if (h.peerIncarnation === this.host.incarnation && h.received > q.next - 1) {
      throw new SequenceError(this.peer, `peer claims frame ${h.received}, only ${q.next - 1} were sent`);
    }
    if (this.peerIncarnation !== h.incarnation) {
      if (this.peerIncarnation !== 0) {
        this.host.stats.framesDroppedPeerRestarted += q.dropWritten();
        this.restarted = true;
      }
      this.peerIncarnation = h.incarnation;
      // Frames the peer wrote to an incarnation of ours it knew before are dropped on its side too (see adopt there).
      const stale = h.peerIncarnation !== 0 && h.peerIncarnation !== this.host.incarnation;
      this.delivered = stale ? Math.max(h.sendBase, h.written) : h.sendBase;
    } else {
      const stale = h.peerIncarnation !== 0 && h.peerIncarnation !== this.host.incarnation;
      this.delivered = Math.max(this.delivered, stale ? Math.max(h.sendBase, h.written) : h.sendBase);
    }
    if (h.peerIncarnation === this.host.incarnation && h.received > q.acked) {
      q.ack(h.received);
      this.attempts = 0;
    }
    q.rewind();
  }

  /** The handshake on `conn` completed: the link uses it from now on. */
  establish(conn: Connection, now: number): void {
    conn.established = true;
    conn.peer = this.peer;
    this.conn = conn;
    this.blocked = false;
    // A peer that accepts connections but never acknowledges keeps counting attempts, so the link gives up in the end.
    if (this.queue.length === 0) this.attempts = 0;
    this.lastProgressAt = now;
    this.host.stats.connectionsEstablished++;
    const resend = this.queue.everWritten - this.queue.written;
    if (resend > 0) this.host.stats.framesResent += resend;
  }

  /**
   * Writes what is waiting: frames as DATA packets (each as large as allowed,
   * so a tick's frames leave in one message), else a bare ACK if one is due.
   */
  flush(now: number): void {
    const conn = this.conn;
    if (conn === undefined || conn.closed || this.blocked) return;
    const q = this.queue;
    const max = this.host.maxPacketBytes;
    const high = this.host.highWaterBytes;
    let sent = false;
    while (q.unwritten > 0) {
      const first = q.written + 1;
      const last = q.next - 1;
      let bytes = 0;
      let seq = first;
      // At least one frame per packet: a frame is at most maxFrameBytes, and maxPacketBytes leaves room for it.
      for (; seq <= last; seq++) {
        const n = q.at(seq).length + FRAME_PREFIX_BYTES;
        if (seq > first && DATA_HEADER_BYTES + bytes + n > max) break;
        bytes += n;
      }
      const count = seq - first;
      const frames = this.framesFor(first, count);
      if (q.outstanding === 0) this.lastProgressAt = now;
      conn.send(encodeData(this.delivered, first, frames, 0, count, bytes - count * FRAME_PREFIX_BYTES));
      q.markWritten(seq - 1);
      this.host.stats.packetsSent++;
      sent = true;
      if (conn.closed) return;
      if (conn.buffered > high) {
        this.blocked = true;
        conn.watchDrain();
        break;
      }
    }
    if (sent) this.ackDue = false;
    else if (this.ackDue) {
      this.ackDue = false;
      conn.send(encodeAck(this.delivered));
      this.host.stats.packetsSent++;
    }
  }

  /** A DATA packet from the peer on the established connection. @throws MalformedPacketError, OversizedFrameError, SequenceError */
  onData(bytes: Buffer, now: number): void {
    const h = checkData(bytes, this.host.maxFrameBytes, this.peer);
    this.onAckNumber(h.ack, now);
    if (h.count === 0) return;
    if (h.firstSeq > this.delivered + 1) {
      throw new SequenceError(this.peer, `frame ${h.firstSeq} follows ${this.delivered}: a gap`);
    }
    this.host.stats.packetsReceived++;
    let p = DATA_HEADER_BYTES;
    let seq = h.firstSeq;
    for (let i = 0; i < h.count; i++, seq++) {
      const n = bytes.readUInt32BE(p);
      p += FRAME_PREFIX_BYTES;
      if (seq <= this.delivered) {
        // Already delivered before the connection changed: the peer resent it without knowing.
        this.host.stats.duplicatesDiscarded++;
      } else {
        this.delivered = seq;
        this.host.deliver(this.peer, bytes.subarray(p, p + n));
      }
      p += n;
    }
    this.ackDue = true;
  }

  /** An ACK packet from the peer. @throws MalformedPacketError, SequenceError */
  onAck(bytes: Uint8Array, now: number): void {
    this.onAckNumber(decodeAck(bytes, this.peer), now);
  }

  private onAckNumber(ack: number, now: number): void {
    const q = this.queue;
    if (ack <= q.acked) return;
    if (ack > q.written) throw new SequenceError(this.peer, `ack of ${ack}, only ${q.written} were written`);
    q.ack(ack);
    this.lastProgressAt = now;
    this.attempts = 0;
  }

  private framesFor(first: number, count: number): Uint8Array[] {
    const out = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) out[i] = this.queue.at(first + i);
    return out;
  }
}
