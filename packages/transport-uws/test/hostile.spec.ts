import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode, type TransportError } from '../src';
import { KIND_ACK, KIND_HELLO, KIND_WELCOME, LINK_VERSION, decodeHandshake, encodeAck, encodeData, encodeHandshake } from '../src/wire';
import { Cluster, until } from './helpers';

/** A raw WebSocket client speaking (or breaking) the link protocol by hand. */
class RawPeer {
  readonly messages: Buffer[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly ws: WebSocket;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (d: Buffer) => void this.messages.push(d));
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    this.ws.on('error', () => undefined);
  }

  async open(): Promise<this> {
    await until(() => this.ws.readyState === WebSocket.OPEN || this.closed !== undefined);
    return this;
  }

  /** Sends a HELLO as runtime `from` to `to` and waits for the WELCOME. */
  async hello(from: string, to: string, fields: Partial<{ incarnation: number; received: number; sendBase: number; written: number }> = {}): Promise<void> {
    this.ws.send(
      encodeHandshake({
        kind: KIND_HELLO,
        from,
        to,
        incarnation: fields.incarnation ?? 42,
        peerIncarnation: 0,
        received: fields.received ?? 0,
        sendBase: fields.sendBase ?? 0,
        written: fields.written ?? 0,
      }),
    );
    await until(() => this.messages.length > 0 || this.closed !== undefined);
  }

  send(bytes: Uint8Array | string, options: { fin?: boolean } = {}): void {
    this.ws.send(bytes, { binary: typeof bytes !== 'string', fin: options.fin ?? true });
  }

  async whenClosed(): Promise<{ code: number; reason: string } | undefined> {
    await until(() => this.closed !== undefined);
    return this.closed;
  }
}

const frame = (i: number, size = 4) => {
  const b = Buffer.alloc(size);
  b.writeUInt32BE(i, 0);
  return b;
};

describe('UwsNetwork under hostile or broken peers', () => {
  let cluster: Cluster;
  const servers: WebSocketServer[] = [];

  beforeEach(() => {
    cluster = new Cluster();
  });

  afterEach(async () => {
    await cluster.close();
    for (const s of servers.splice(0)) {
      for (const c of s.clients) c.terminate();
      await new Promise((resolve) => s.close(resolve));
    }
  });

  /** Runtime `b`, attached, listening, recording what it receives. */
  async function victim(options: Parameters<Cluster['network']>[1] = {}) {
    const net = await cluster.network('b', { handshakeTimeoutMs: 200, ...options });
    const got: Buffer[] = [];
    net.attach('b', (_from, bytes) => void got.push(Buffer.from(bytes)));
    return { net, got, url: net.listening?.url as string };
  }

  /** After the attack, a well-behaved peer still gets through. */
  async function stillServes(b: { got: Buffer[] }): Promise<void> {
    const a = await cluster.network('a');
    const e = a.attach('a', () => undefined);
    const before = b.got.length;
    e.send('b', frame(777));
    expect(await until(() => b.got.length > before)).to.equal(true);
    expect(b.got[b.got.length - 1]?.readUInt32BE(0)).to.equal(777);
  }

  describe('malformed packets', () => {
    const cases: [string, (p: RawPeer) => void][] = [
      ['a text message', (p) => p.send('hello')],
      ['a one-byte message', (p) => p.send(Uint8Array.from([LINK_VERSION]))],
      ['another link version', (p) => p.send(Uint8Array.from([LINK_VERSION + 1, KIND_HELLO, 0, 0]))],
      ['data before the handshake', (p) => p.send(encodeData(0, 1, [frame(1)], 0, 1, 4))],
      ['a truncated HELLO', (p) => p.send(encodeHandshake({ kind: KIND_HELLO, from: 'x', to: 'b', incarnation: 1, peerIncarnation: 0, received: 0, sendBase: 0, written: 0 }).subarray(0, 9))],
      ['a WELCOME sent to the acceptor', (p) => p.send(encodeHandshake({ kind: KIND_WELCOME, from: 'x', to: 'b', incarnation: 1, peerIncarnation: 0, received: 0, sendBase: 0, written: 0 }))],
    ];
    for (const [what, attack] of cases) {
      it(`should count ${what} as malformed, close the connection, and keep serving`, async () => {
        const b = await victim();
        const p = await new RawPeer(b.url).open();
        attack(p);
        expect((await p.whenClosed())?.code).to.equal(CloseCode.protocol);
        expect(b.net.errors.get('ESCHER_UWS_MALFORMED_PACKET')).to.equal(1);
        expect(b.got).to.deep.equal([]);
        await stillServes(b);
      });
    }

    it('should refuse a frame length prefix above maxFrameBytes inside a packet that fits, before reading it', async () => {
      const b = await victim({ maxFrameBytes: 1000 });
      const p = await new RawPeer(b.url).open();
      await p.hello('x', 'b');
      const packet = Buffer.from(encodeData(0, 1, [frame(1, 200)], 0, 1, 200));
      packet.writeUInt32BE(50_000, 22);
      p.send(packet);
      expect((await p.whenClosed())?.code).to.equal(CloseCode.protocol);
      expect(b.net.errors.get('ESCHER_UWS_OVERSIZED_FRAME')).to.equal(1);
      expect(b.got).to.deep.equal([]);
    });

    it('should refuse a gap in sequence numbers and an acknowledgement of frames never sent', async () => {
      const b = await victim();
      const gap = await new RawPeer(b.url).open();
      await gap.hello('x', 'b');
      gap.send(encodeData(0, 5, [frame(5)], 0, 1, 4));
      expect((await gap.whenClosed())?.code).to.equal(CloseCode.protocol);
      const ack = await new RawPeer(b.url).open();
      await ack.hello('y', 'b');
      ack.send(encodeAck(3));
      expect((await ack.whenClosed())?.code).to.equal(CloseCode.protocol);
      expect(b.net.errors.get('ESCHER_UWS_SEQUENCE')).to.equal(2);
      expect(b.got).to.deep.equal([]);
      expect(encodeAck(3)[1]).to.equal(KIND_ACK);
    });
  });

  describe('oversized messages', () => {
    it('should refuse a WebSocket message above the limit (uWS refuses it before buffering) and keep serving', async () => {
      const b = await victim({ maxFrameBytes: 1000 });
      const p = await new RawPeer(b.url).open();
      p.send(Buffer.alloc(64 * 1024));
      await p.whenClosed();
      expect(b.net.errors.get('ESCHER_UWS_OVERSIZED_FRAME')).to.equal(1);
      await stillServes(b);
    });

    it('should refuse a message whose fragments together pass the limit, though each fits', async () => {
      const b = await victim({ maxFrameBytes: 1000 });
      const p = await new RawPeer(b.url).open();
      await p.hello('x', 'b');
      p.send(Buffer.alloc(700), { fin: false });
      p.send(Buffer.alloc(700), { fin: true });
      await p.whenClosed();
      expect(b.net.errors.get('ESCHER_UWS_OVERSIZED_FRAME')).to.equal(1);
      expect(b.got).to.deep.equal([]);
    });

    it('should refuse, on the dialling side, a message above the limit from the peer', async () => {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      servers.push(server);
      server.on('connection', (ws) => ws.on('message', () => ws.send(Buffer.alloc(64 * 1024))));
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const a = await cluster.network('a', { maxFrameBytes: 1000, resolve: () => url });
      a.attach('a', () => undefined).send('b', frame(1));
      expect(await until(() => a.errors.get('ESCHER_UWS_OVERSIZED_FRAME') >= 1)).to.equal(true);
    });
  });

  describe('handshakes', () => {
    it('should close a connection that never says HELLO', async () => {
      const b = await victim();
      const p = await new RawPeer(b.url).open();
      expect((await p.whenClosed())?.code).to.equal(CloseCode.handshakeTimeout);
      expect(b.net.errors.get('ESCHER_UWS_HANDSHAKE_TIMEOUT')).to.equal(1);
    });

    it('should give up on a listener that never answers the HELLO', async () => {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      servers.push(server);
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const a = await cluster.network('a', { handshakeTimeoutMs: 50, resolve: () => url });
      a.attach('a', () => undefined).send('b', frame(1));
      expect(await until(() => a.errors.get('ESCHER_UWS_LINK_FAILED') === 1)).to.equal(true);
      expect(a.errors.get('ESCHER_UWS_HANDSHAKE_TIMEOUT')).to.be.greaterThan(0);
      expect(a.pendingFrames).to.equal(0);
    });

    it('should refuse a WELCOME from another runtime than the one dialled', async () => {
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      servers.push(server);
      server.on('connection', (ws) =>
        ws.on('message', (d: Buffer) => {
          const h = decodeHandshake(d, 'test');
          ws.send(encodeHandshake({ ...h, kind: KIND_WELCOME, from: 'impostor', to: h.from, incarnation: 9, peerIncarnation: h.incarnation, received: 0 }));
        }),
      );
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const a = await cluster.network('a', { resolve: () => url });
      a.attach('a', () => undefined).send('b', frame(1));
      expect(await until(() => a.errors.get('ESCHER_UWS_LINK_FAILED') === 1)).to.equal(true);
      expect(a.errors.get('ESCHER_UWS_HANDSHAKE_REFUSED')).to.be.greaterThan(0);
    });
  });

  describe('resent frames', () => {
    it('should discard frames a reconnecting peer sends again, and deliver the new ones once', async () => {
      const b = await victim();
      const first = await new RawPeer(b.url).open();
      await first.hello('x', 'b', { incarnation: 7 });
      first.send(encodeData(0, 1, [frame(1), frame(2), frame(3)], 0, 3, 12));
      await until(() => b.got.length === 3);
      first.ws.terminate();
      await first.whenClosed();
      // Same incarnation, says it holds everything from 1: frames 1–3 come again with 4 and 5.
      const second = await new RawPeer(b.url).open();
      await second.hello('x', 'b', { incarnation: 7 });
      const welcome = decodeHandshake(second.messages[0] as Buffer, 'b');
      expect(welcome.received).to.equal(3);
      second.send(encodeData(0, 1, [1, 2, 3, 4, 5].map((i) => frame(i)), 0, 5, 20));
      await until(() => b.got.length === 5);
      expect(b.got.map((g) => g.readUInt32BE(0))).to.deep.equal([1, 2, 3, 4, 5]);
      expect(b.net.stats.duplicatesDiscarded).to.equal(3);
    });
  });

  describe('a peer that stops reading', () => {
    it('should refuse frames beyond the buffer, declare the peer stalled, and give up with memory bounded', async function () {
      this.timeout(20_000);
      const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      servers.push(server);
      // A listener that completes the handshake, then never reads again.
      server.on('connection', (ws) =>
        ws.once('message', (d: Buffer) => {
          const h = decodeHandshake(d, 'test');
          ws.send(encodeHandshake({ kind: KIND_WELCOME, from: 'b', to: h.from, incarnation: 99, peerIncarnation: h.incarnation, received: 0, sendBase: 0, written: 0 }));
          (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        }),
      );
      await new Promise((resolve) => server.once('listening', resolve));
      const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const cap = 256 * 1024;
      const errors: TransportError[] = [];
      const a = await cluster.network('a', {
        resolve: () => url,
        maxFrameBytes: 16 * 1024,
        maxBufferedBytes: cap,
        highWaterBytes: 32 * 1024,
        ackTimeoutMs: 100,
        onError: (e) => void errors.push(e),
      });
      const e = a.attach('a', () => undefined);
      let maxHeld = 0;
      for (let round = 0; round < 40 && a.errors.get('ESCHER_UWS_LINK_FAILED') === 0; round++) {
        for (let i = 0; i < 8; i++) e.send('b', frame(i, 16 * 1024));
        maxHeld = Math.max(maxHeld, a.linkInfo('b')?.heldBytes ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await until(() => a.errors.get('ESCHER_UWS_LINK_FAILED') >= 1)).to.equal(true);
      expect(maxHeld).to.be.at.most(cap);
      expect(a.errors.get('ESCHER_UWS_BUFFER_FULL')).to.be.greaterThan(0);
      expect(a.errors.get('ESCHER_UWS_PEER_STALLED')).to.be.greaterThan(0);
      expect(errors.every((x) => x.code.startsWith('ESCHER_UWS_'))).to.equal(true);
    });
  });
});
