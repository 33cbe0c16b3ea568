import { randomInt } from 'node:crypto';
import type { Network, NetworkEndpoint, RuntimeId } from '@escher/core';
import { backoffDelay } from './backoff';
import { CloseCode, type Connection, type ConnectionEvents } from './connection';
import { ErrorCounters } from './counters';
import { dial } from './dialer';
import {
  AlreadyAttachedError,
  BufferFullError,
  ConnectionError,
  HandshakeRefusedError,
  HandshakeTimeoutError,
  LinkFailedError,
  ListenError,
  MalformedPacketError,
  OversizedFrameError,
  PeerStalledError,
  ReceiverError,
  TransportError,
  UnknownPeerError,
} from './errors';
import { Link, type LinkHost } from './link';
import { Listener } from './listener';
import { type LinkInfo, type ListeningAddress, type Settings, type UwsNetworkOptions, type UwsNetworkStats, settingsOf } from './options';
import { FRAME_OVERHEAD_BYTES } from './send-queue';
import { KIND_ACK, KIND_DATA, KIND_HELLO, KIND_WELCOME, checkHeader, decodeHandshake, encodeHandshake, isValidRuntimeId } from './wire';

/** The runtime currently attached. */
interface Attachment {
  readonly id: RuntimeId;
  readonly incarnation: number;
  readonly receive: (from: RuntimeId, bytes: Uint8Array) => void;
}

const UNKNOWN_PEER = '(unidentified)';

/**
 * A {@link Network} over WebSockets: this runtime listens with
 * uWebSockets.js and dials peers with `ws` (uWS has no client). Create one
 * per runtime; it serves one attached runtime at a time.
 *
 * There is one link per pair of runtimes, carrying both directions over
 * one connection; when both dial at once, the connection dialled by the
 * lower runtime id is kept. Frames sent to a peer during one event-loop
 * tick leave as one WebSocket message. Every frame is numbered per link and
 * held until the peer acknowledges it, so a connection that drops and comes
 * back (with backoff and jitter, a bounded number of attempts) resumes where
 * it stopped: nothing lost, nothing delivered twice. What a link holds is
 * capped (`maxBufferedBytes`); beyond it new frames are refused and counted
 * — the protocols above retransmit. Everything a peer or the network does
 * wrong is a typed error, counted in {@link errors}, reported to `onError`,
 * never thrown into a socket callback.
 *
 * ```ts
 * const net = new UwsNetwork({ resolve: (id) => addresses.get(id) });
 * const { url } = await net.start();   // tell peers: addresses.set('r1', url)
 * const rt = createRuntime({ id: 'r1', network: net, discovery, codec: new MsgpackCodec() });
 * ```
 */
export class UwsNetwork implements Network, ConnectionEvents {
  /** Errors by code. */
  readonly errors = new ErrorCounters();
  readonly stats: UwsNetworkStats = {
    framesSent: 0,
    framesDelivered: 0,
    framesResent: 0,
    duplicatesDiscarded: 0,
    framesDroppedPeerRestarted: 0,
    packetsSent: 0,
    packetsReceived: 0,
    connectionsEstablished: 0,
    framesDropped: 0,
    duplicatesRefused: 0,
    peerRestarts: 0,
  };
  private readonly settings: Settings;
  private attachment: Attachment | undefined;
  private links = new Map<RuntimeId, Link>();
  private dirty: Link[] = [];
  private flushScheduled = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  private listener: Listener | undefined;
  private stopped = false;

  /** @throws RangeError for options out of range */
  constructor(private readonly options: UwsNetworkOptions) {
    this.settings = settingsOf(options);
  }

  /** Where the listener is bound, once `start()` resolved. */
  get listening(): ListeningAddress | undefined {
    return this.listener?.address;
  }

  /** The runtime attached now, if any. */
  get attached(): RuntimeId | undefined {
    return this.attachment?.id;
  }

  /** Frames held over every link (written and unacknowledged, or waiting): 0 once everything sent was acknowledged or dropped. */
  get pendingFrames(): number {
    let n = 0;
    for (const link of this.links.values()) n += link.queue.length;
    return n;
  }

  /** The link to `peer` as it stands (for tools and tests); `undefined` if there is none. */
  linkInfo(peer: RuntimeId): LinkInfo | undefined {
    const link = this.links.get(peer);
    if (link === undefined) return undefined;
    return {
      connected: link.conn !== undefined,
      dialedHere: link.conn?.dialed,
      heldFrames: link.queue.length,
      heldBytes: link.queue.bytes,
      sent: link.queue.next - 1,
      acknowledged: link.queue.acked,
      delivered: link.delivered,
    };
  }

  /**
   * Starts listening (idempotent). Peers can connect once it resolves;
   * attaching before or after does not matter.
   * @throws ListenError
   */
  async start(): Promise<ListeningAddress> {
    if (this.listener !== undefined) return this.listener.address;
    if (this.stopped) throw new ListenError('(stopped)', 0);
    const listen = this.options.listen;
    if (listen === false) throw new ListenError('(listen: false)', 0);
    this.listener = await Listener.open(listen?.host ?? '127.0.0.1', listen?.port ?? 0, this.settings, this);
    return this.listener.address;
  }

  /** Detaches the runtime, closes every connection and stops listening. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.detach();
    this.listener?.close();
    this.listener = undefined;
    this.stopSweep();
  }

  /** Attaches the one runtime this network serves. @throws AlreadyAttachedError, RangeError (id not 1..255 UTF-8 bytes) */
  attach(runtime: RuntimeId, receive: (from: RuntimeId, bytes: Uint8Array) => void): NetworkEndpoint {
    if (this.attachment !== undefined) throw new AlreadyAttachedError(runtime, this.attachment.id);
    if (!isValidRuntimeId(runtime)) throw new RangeError(`runtime id must be 1..255 UTF-8 bytes: ${JSON.stringify(runtime)}`);
    // A fresh incarnation tells peers this is a new start: they drop what the previous one may have seen.
    const att: Attachment = { id: runtime, incarnation: randomInt(1, 2 ** 48), receive };
    this.attachment = att;
    this.ensureSweep();
    return {
      send: (to, bytes) => {
        if (this.attachment === att) this.send(to, bytes);
      },
      close: () => {
        if (this.attachment === att) this.detach();
      },
    };
  }

  // ---- sending ---------------------------------------------------------------

  private send(to: RuntimeId, bytes: Uint8Array): void {
    const att = this.attachment as Attachment;
    if (bytes.length > this.settings.maxFrameBytes) {
      this.drop(new OversizedFrameError(to, bytes.length, this.settings.maxFrameBytes), to);
      return;
    }
    if (to === att.id) {
      // To itself: never leaves the process.
      queueMicrotask(() => {
        if (this.attachment === att) this.deliver(att.id, bytes);
      });
      return;
    }
    const link = this.linkOf(to);
    const q = link.queue;
    if (q.bytes + bytes.length + FRAME_OVERHEAD_BYTES > this.settings.maxBufferedBytes) {
      this.drop(new BufferFullError(to, q.bytes, this.settings.maxBufferedBytes), to);
      return;
    }
    q.push(bytes);
    this.stats.framesSent++;
    if (link.conn !== undefined) this.markDirty(link);
    else if (link.dialing === undefined && link.retry === undefined) this.dial(link);
  }

  private drop(error: TransportError, peer: RuntimeId): void {
    this.stats.framesDropped++;
    this.report(error, peer);
  }

  private markDirty(link: Link): void {
    if (link.dirty) return;
    link.dirty = true;
    this.dirty.push(link);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One flush per event-loop turn: everything sent to a peer meanwhile leaves in one message.
      setImmediate(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    const links = this.dirty;
    this.dirty = [];
    const now = Date.now();
    for (const link of links) {
      link.dirty = false;
      if (this.links.get(link.peer) === link) link.flush(now);
    }
  };

  // ---- connections -----------------------------------------------------------

  private dial(link: Link): void {
    const att = this.attachment;
    if (att === undefined || link.conn !== undefined || link.dialing !== undefined) return;
    let url: string | undefined;
    try {
      url = this.options.resolve(link.peer);
    } catch {
      url = undefined;
    }
    if (url === undefined) {
      this.giveUp(link, new UnknownPeerError(link.peer));
      return;
    }
    try {
      link.dialing = dial(url, link.peer, this.settings, this);
    } catch (e) {
      this.giveUp(link, new ConnectionError(link.peer, `bad address ${url}`, { cause: e }));
      return;
    }
    this.ensureSweep();
  }

  /** ConnectionEvents: a WebSocket opened; the dialer speaks first. */
  opened(conn: Connection): void {
    this.ensureSweep();
    if (!conn.dialed) return;
    const link = this.links.get(conn.peer as RuntimeId);
    if (link === undefined || link.dialing !== conn) {
      conn.close(CloseCode.superseded, 'no longer wanted');
      return;
    }
    conn.send(encodeHandshake(link.handshake(KIND_HELLO)));
  }

  /** ConnectionEvents: every packet from every connection comes here; nothing thrown leaves. */
  packet(conn: Connection, bytes: Buffer, isBinary: boolean): void {
    if (conn.closed) return;
    const label = conn.peer ?? UNKNOWN_PEER;
    try {
      if (!isBinary) throw new MalformedPacketError(label, 'text message');
      checkHeader(bytes, label);
      if (!conn.established) {
        if (conn.dialed) this.onWelcome(conn, bytes);
        else this.onHello(conn, bytes);
        return;
      }
      const link = this.links.get(conn.peer as RuntimeId);
      if (link === undefined || link.conn !== conn) return;
      const now = Date.now();
      switch (bytes[1]) {
        case KIND_DATA:
          link.onData(bytes, now);
          break;
        case KIND_ACK:
          link.onAck(bytes, now);
          break;
        default:
          throw new MalformedPacketError(label, `unexpected packet kind ${String(bytes[1])} on an established link`);
      }
      if (link.ackDue || link.queue.unwritten > 0) this.markDirty(link);
    } catch (e) {
      const error = e instanceof TransportError ? e : new MalformedPacketError(label, String(e), { cause: e });
      this.fail(conn, error, CloseCode.protocol);
    }
  }

  /** The first packet on an accepted connection: the dialer's HELLO. */
  private onHello(conn: Connection, bytes: Uint8Array): void {
    const h = decodeHandshake(bytes, UNKNOWN_PEER);
    if (h.kind !== KIND_HELLO) throw new MalformedPacketError(h.from, 'expected HELLO');
    const att = this.attachment;
    if (att === undefined) {
      this.refuse(conn, h.from, CloseCode.notAttached, 'no runtime attached');
      return;
    }
    if (h.to !== att.id || h.from === att.id) {
      this.refuse(conn, h.from, CloseCode.wrongRuntime, `this is ${att.id}`);
      return;
    }
    conn.peer = h.from;
    const link = this.linkOf(h.from);
    if (link.conn !== undefined && link.peerIncarnation !== 0 && h.incarnation !== link.peerIncarnation) {
      // The peer restarted: the connection to its old incarnation is dead, whatever TCP says.
      this.supersede(link, link.conn);
    }
    const ownDial = link.dialing !== undefined || link.conn?.dialed === true;
    if (ownDial && att.id < h.from) {
      // Both dialled: the connection dialled by the lower id is kept, on both sides.
      this.stats.duplicatesRefused++;
      conn.close(CloseCode.superseded, 'the lower id dials');
      if (link.conn !== undefined) {
        // Show quickly whether our connection is still alive: a write on a dead one fails.
        link.ackDue = true;
        this.markDirty(link);
      }
      return;
    }
    link.adopt(h);
    if (link.dialing !== undefined) this.supersede(link, link.dialing);
    if (link.conn !== undefined) this.supersede(link, link.conn);
    conn.send(encodeHandshake(link.handshake(KIND_WELCOME)));
    link.establish(conn, Date.now());
    this.markDirty(link);
    this.noticeRestart(link);
  }

  /** The first packet on a dialled connection: the acceptor's WELCOME. */
  private onWelcome(conn: Connection, bytes: Uint8Array): void {
    const peer = conn.peer as RuntimeId;
    const h = decodeHandshake(bytes, peer);
    const att = this.attachment;
    const link = this.links.get(peer);
    if (att === undefined || link === undefined || link.dialing !== conn) {
      conn.close(CloseCode.superseded, 'no longer wanted');
      return;
    }
    if (h.kind !== KIND_WELCOME || h.from !== peer || h.to !== att.id) {
      throw new HandshakeRefusedError(peer, `WELCOME from ${h.from} to ${h.to}, expected ${peer} to ${att.id}`);
    }
    link.adopt(h);
    link.dialing = undefined;
    if (link.conn !== undefined) this.supersede(link, link.conn);
    link.establish(conn, Date.now());
    this.markDirty(link);
    this.noticeRestart(link);
  }

  private refuse(conn: Connection, peer: RuntimeId, code: number, reason: string): void {
    this.report(new HandshakeRefusedError(peer, reason), peer);
    conn.close(code, reason);
  }

  /** Closes a connection the link no longer uses, without treating it as a failure. */
  private supersede(link: Link, conn: Connection): void {
    if (link.conn === conn) link.conn = undefined;
    if (link.dialing === conn) link.dialing = undefined;
    conn.close(CloseCode.superseded, 'replaced');
  }

  /** Reports `error` and closes `conn` with `code`; the link reconnects if it holds frames. */
  private fail(conn: Connection, error: TransportError, code: number): void {
    this.report(error, conn.peer ?? UNKNOWN_PEER);
    conn.close(code, error.code);
  }

  /** ConnectionEvents: a connection closed, whoever closed it. */
  closed(conn: Connection, code: number, reason: string): void {
    const peer = conn.peer;
    const link = peer === undefined ? undefined : this.links.get(peer);
    if (peer === undefined || link === undefined || (link.dialing !== conn && link.conn !== conn)) {
      // Carried no link: only a message refused for its size is worth counting.
      if (!conn.closedByUs && isTooBig(code, reason)) this.report(new OversizedFrameError(peer ?? UNKNOWN_PEER, undefined, this.settings.maxPacketBytes), peer ?? UNKNOWN_PEER);
      return;
    }
    if (link.dialing === conn) {
      link.dialing = undefined;
      if (code === CloseCode.superseded) {
        // The peer keeps the connection it dialled; if that one never comes, the retry below dials again.
        if (link.conn === undefined) this.scheduleReconnect(link);
        return;
      }
      if (!conn.closedByUs) this.report(this.closeError(conn, code, reason), peer);
      this.scheduleReconnect(link);
      return;
    }
    if (link.conn !== conn) return;
    link.conn = undefined;
    link.blocked = false;
    if (!conn.closedByUs && code !== CloseCode.goingAway && code !== 1000 && code !== CloseCode.superseded) {
      this.report(this.closeError(conn, code, reason), peer);
    }
    this.scheduleReconnect(link);
  }

  /** ConnectionEvents: the socket's buffer drained. */
  drain(conn: Connection): void {
    const link = conn.peer === undefined ? undefined : this.links.get(conn.peer);
    if (link === undefined || link.conn !== conn || !link.blocked) return;
    if (conn.buffered > this.settings.highWaterBytes / 2) return;
    link.blocked = false;
    this.markDirty(link);
  }

  private closeError(conn: Connection, code: number, reason: string): TransportError {
    const peer = conn.peer ?? UNKNOWN_PEER;
    switch (code) {
      case CloseCode.notAttached:
      case CloseCode.wrongRuntime:
        return new HandshakeRefusedError(peer, reason || `close code ${code}`);
      default: {
        const cause = conn.failure;
        // ws reports a message over maxPayload as an error with this code, then closes.
        const wsTooBig = (cause as { code?: string } | undefined)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
        if (wsTooBig || isTooBig(code, reason)) return new OversizedFrameError(peer, undefined, this.settings.maxPacketBytes);
        const what = cause?.message ?? (reason === '' ? `closed with code ${code}` : `closed with code ${code}: ${reason}`);
        return new ConnectionError(peer, what, cause === undefined ? undefined : { cause });
      }
    }
  }

  private scheduleReconnect(link: Link): void {
    if (this.attachment === undefined || this.links.get(link.peer) !== link) return;
    if (link.retry !== undefined || link.dialing !== undefined || link.conn !== undefined) return;
    if (link.queue.length === 0) {
      // Nothing to deliver: stay idle until the next send dials.
      link.attempts = 0;
      return;
    }
    link.attempts++;
    if (link.attempts >= this.settings.backoff.maxAttempts) {
      this.giveUp(link, undefined);
      return;
    }
    const delay = backoffDelay(this.settings.backoff, link.attempts, this.settings.random);
    link.retry = setTimeout(() => {
      link.retry = undefined;
      if (this.links.get(link.peer) === link && link.conn === undefined) this.dial(link);
    }, delay);
    link.retry.unref();
  }

  /** Drops what the link holds; the next send starts over. */
  private giveUp(link: Link, error: TransportError | undefined): void {
    const dropped = link.queue.dropAll();
    this.stats.framesDropped += dropped;
    const attempts = link.attempts;
    link.attempts = 0;
    this.report(error ?? new LinkFailedError(link.peer, attempts, dropped), link.peer);
  }

  // ---- receiving -------------------------------------------------------------

  private deliver(from: RuntimeId, frame: Uint8Array): void {
    const att = this.attachment;
    if (att === undefined) return;
    this.stats.framesDelivered++;
    try {
      att.receive(from, frame);
    } catch (e) {
      this.report(new ReceiverError(from, { cause: e }), from);
    }
  }

  // ---- housekeeping ----------------------------------------------------------

  /** Handshake timeouts and stalled peers, checked a few times per timeout. */
  private readonly sweep = (): void => {
    const now = Date.now();
    for (const conn of this.listener?.connections ?? []) {
      if (!conn.established && now - conn.openedAt > this.settings.handshakeTimeoutMs) {
        this.fail(conn, new HandshakeTimeoutError(conn.peer ?? UNKNOWN_PEER, this.settings.handshakeTimeoutMs), CloseCode.handshakeTimeout);
      }
    }
    for (const link of [...this.links.values()]) {
      const d = link.dialing;
      if (d !== undefined && now - d.openedAt > this.settings.handshakeTimeoutMs) {
        this.report(new HandshakeTimeoutError(link.peer, this.settings.handshakeTimeoutMs), link.peer);
        d.close(CloseCode.handshakeTimeout, 'handshake timeout');
      }
      const c = link.conn;
      if (c !== undefined && link.queue.outstanding > 0 && now - link.lastProgressAt > this.settings.ackTimeoutMs) {
        link.conn = undefined;
        link.blocked = false;
        this.report(new PeerStalledError(link.peer, this.settings.ackTimeoutMs), link.peer);
        c.close(CloseCode.stalled, 'no acknowledgement');
        this.scheduleReconnect(link);
      }
    }
    if (this.attachment === undefined && (this.listener?.connections.size ?? 0) === 0) this.stopSweep();
  };

  private ensureSweep(): void {
    if (this.sweepTimer !== undefined) return;
    const period = Math.min(1000, Math.max(10, Math.floor(Math.min(this.settings.handshakeTimeoutMs, this.settings.ackTimeoutMs) / 4)));
    this.sweepTimer = setInterval(this.sweep, period);
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private detach(): void {
    if (this.attachment === undefined) return;
    this.attachment = undefined;
    const links = [...this.links.values()];
    this.links = new Map();
    this.dirty = [];
    for (const link of links) {
      if (link.retry !== undefined) clearTimeout(link.retry);
      link.retry = undefined;
      const conns = [link.conn, link.dialing];
      link.conn = undefined;
      link.dialing = undefined;
      for (const c of conns) c?.close(CloseCode.goingAway, 'detached');
    }
  }

  private linkOf(peer: RuntimeId): Link {
    let link = this.links.get(peer);
    if (link === undefined) {
      link = new Link(peer, this.linkHost());
      this.links.set(peer, link);
    }
    return link;
  }

  private host: LinkHost | undefined;

  private linkHost(): LinkHost {
    const att = this.attachment as Attachment;
    if (this.host !== undefined && this.host.self === att.id && this.host.incarnation === att.incarnation) return this.host;
    const net = this;
    this.host = {
      self: att.id,
      incarnation: att.incarnation,
      maxFrameBytes: this.settings.maxFrameBytes,
      maxPacketBytes: this.settings.maxPacketBytes,
      highWaterBytes: this.settings.highWaterBytes,
      stats: this.stats,
      deliver: (from, frame) => net.deliver(from, frame),
      report: (error, peer) => net.report(error, peer),
    };
    return this.host;
  }

  /** Tells `onPeerRestart` once per restart seen in a handshake. */
  private noticeRestart(link: Link): void {
    if (!link.restarted) return;
    link.restarted = false;
    this.stats.peerRestarts++;
    try {
      this.options.onPeerRestart?.(link.peer);
    } catch {
      // A listener's failure must not reach the socket callback that delivered the handshake.
    }
  }

  private report(error: TransportError, peer: RuntimeId): void {
    this.errors.count(error);
    try {
      this.options.onError?.(error, peer);
    } catch {
      // A listener's failure must not reach the socket callback that reported.
    }
  }
}

/** uWS closes with 1006 and this reason, ws with 1009, when a message passes the size limit. */
function isTooBig(code: number, reason: string): boolean {
  return code === CloseCode.tooBig || /too big/i.test(reason);
}
