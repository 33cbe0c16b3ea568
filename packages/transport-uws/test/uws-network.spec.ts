import type { NetworkEndpoint } from '@escher/core';
import { expect } from 'chai';
import { AlreadyAttachedError, type TransportError, UwsNetwork } from '../src';
import { Cluster, QUICK_RECONNECT, sleep, turn, until } from './helpers';
import { Relay } from './proxy';

/** An attached runtime and what it received, as [from, first byte] pairs. */
interface Node {
  readonly net: UwsNetwork;
  readonly endpoint: NetworkEndpoint;
  readonly got: { from: string; bytes: Uint8Array }[];
}

async function node(cluster: Cluster, id: string, options: Parameters<Cluster['network']>[1] = {}): Promise<Node> {
  const net = await cluster.network(id, options);
  const got: Node['got'] = [];
  const endpoint = net.attach(id, (from, bytes) => void got.push({ from, bytes }));
  return { net, endpoint, got };
}

/** A 4-byte frame holding `i`. */
function frame(i: number, size = 4): Uint8Array {
  const b = Buffer.alloc(Math.max(4, size));
  b.writeUInt32BE(i, 0);
  return b;
}

function indices(got: Node['got']): number[] {
  return got.map((g) => Buffer.from(g.bytes.buffer, g.bytes.byteOffset, g.bytes.byteLength).readUInt32BE(0));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('UwsNetwork', () => {
  let cluster: Cluster;

  beforeEach(() => {
    cluster = new Cluster();
  });

  afterEach(async () => {
    await cluster.close();
  });

  describe('start / attach', () => {
    it('should listen on 127.0.0.1 on a free port and report it', async () => {
      const net = await cluster.network('a');
      const addr = net.listening;
      expect(addr?.host).to.equal('127.0.0.1');
      expect(addr?.port).to.be.greaterThan(0);
      expect(addr?.url).to.equal(`ws://127.0.0.1:${addr?.port}/`);
      expect(await net.start()).to.deep.equal(addr);
    });

    it('should serve one runtime at a time, with a typed error for a second', async () => {
      const net = await cluster.network('a');
      const e = net.attach('a', () => undefined);
      expect(() => net.attach('b', () => undefined)).to.throw(AlreadyAttachedError).with.property('code', 'ESCHER_UWS_ALREADY_ATTACHED');
      e.close();
      expect(() => net.attach('b', () => undefined).close()).not.to.throw();
    });

    it('should refuse settings that could never carry a frame of the maximum size', () => {
      expect(() => new UwsNetwork({ resolve: () => undefined, maxFrameBytes: 1000, maxBufferedBytes: 500 })).to.throw(RangeError);
    });
  });

  describe('batching', () => {
    it('should send the frames of one tick to one peer as one WebSocket message', async () => {
      const a = await node(cluster, 'a');
      const b = await node(cluster, 'b');
      a.endpoint.send('b', frame(0));
      await until(() => b.got.length === 1);
      await cluster.settle();
      const before = { sent: a.net.stats.packetsSent, received: b.net.stats.packetsReceived };
      for (let i = 1; i <= 100; i++) a.endpoint.send('b', frame(i));
      await until(() => b.got.length === 101);
      expect(indices(b.got)).to.deep.equal(range(0, 101));
      expect(a.net.stats.packetsSent - before.sent).to.equal(1);
      expect(b.net.stats.packetsReceived - before.received).to.equal(1);
    });

    it('should split a batch that would pass the message size limit, in order', async () => {
      const a = await node(cluster, 'a', { maxFrameBytes: 1000 });
      const b = await node(cluster, 'b', { maxFrameBytes: 1000 });
      a.endpoint.send('b', frame(0));
      await until(() => b.got.length === 1);
      await cluster.settle();
      const before = a.net.stats.packetsSent;
      for (let i = 1; i <= 10; i++) a.endpoint.send('b', frame(i, 600));
      await until(() => b.got.length === 11);
      expect(indices(b.got)).to.deep.equal(range(0, 11));
      // Two 600-byte frames do not fit under 1000 + headers: one per message.
      expect(a.net.stats.packetsSent - before).to.equal(10);
    });
  });

  describe('one link per pair', () => {
    it('should keep the connection dialled by the lower id when both dial at once', async () => {
      const a = await node(cluster, 'a');
      const b = await node(cluster, 'b');
      a.endpoint.send('b', frame(1));
      b.endpoint.send('a', frame(2));
      await until(() => a.got.length === 1 && b.got.length === 1);
      await cluster.settle();
      expect(indices(a.got)).to.deep.equal([2]);
      expect(indices(b.got)).to.deep.equal([1]);
      expect(a.net.linkInfo('b')).to.include({ connected: true, dialedHere: true });
      expect(b.net.linkInfo('a')).to.include({ connected: true, dialedHere: false });
      expect(a.net.stats.duplicatesRefused).to.equal(1);
      expect(a.net.stats.connectionsEstablished + b.net.stats.connectionsEstablished).to.equal(2);
      // Further traffic both ways uses that one connection.
      a.endpoint.send('b', frame(3));
      b.endpoint.send('a', frame(4));
      await until(() => a.got.length === 2 && b.got.length === 2);
      expect(a.net.stats.connectionsEstablished).to.equal(1);
      expect(b.net.stats.connectionsEstablished).to.equal(1);
    });

    it('should use a connection the peer dialled for sending too', async () => {
      const a = await node(cluster, 'a');
      const b = await node(cluster, 'b');
      b.endpoint.send('a', frame(1));
      await until(() => a.got.length === 1);
      a.endpoint.send('b', frame(2));
      await until(() => b.got.length === 1);
      expect(a.net.linkInfo('b')).to.include({ dialedHere: false });
      expect(a.net.stats.connectionsEstablished).to.equal(1);
    });
  });

  describe('reconnection', () => {
    async function viaRelay(): Promise<{ a: Node; b: Node; relay: Relay }> {
      const b = await node(cluster, 'b');
      const relay = new Relay(b.net.listening?.port as number);
      const url = await relay.start();
      const a = await node(cluster, 'a', { resolve: (id: string) => (id === 'b' ? url : undefined) });
      return { a, b, relay };
    }

    it('should resend frames lost with a connection, without loss or duplicate', async () => {
      const errors: TransportError[] = [];
      const b = await node(cluster, 'b');
      const relay = new Relay(b.net.listening?.port as number);
      const url = await relay.start();
      const a = await node(cluster, 'a', { resolve: (id: string) => (id === 'b' ? url : undefined), onError: (e) => void errors.push(e) });
      try {
        a.endpoint.send('b', frame(0));
        await until(() => b.got.length === 1 && a.net.linkInfo('b')?.heldFrames === 0);
        // The path drops everything a sends; the frames are written, then the connection breaks.
        relay.forward = false;
        for (let i = 1; i <= 50; i++) a.endpoint.send('b', frame(i));
        await sleep(20);
        expect(a.net.linkInfo('b')?.heldFrames).to.equal(50);
        relay.forward = true;
        relay.cut();
        expect(await until(() => b.got.length >= 51)).to.equal(true);
        await cluster.settle();
        expect(indices(b.got)).to.deep.equal(range(0, 51));
        expect(a.net.stats.framesResent).to.be.at.least(50);
        expect(a.net.linkInfo('b')?.heldFrames).to.equal(0);
        expect(errors.map((e) => e.code)).to.include('ESCHER_UWS_CONNECTION');
      } finally {
        await relay.close();
      }
    });

    it('should not deliver twice frames that arrived but whose acknowledgement was lost', async () => {
      const { a, b, relay } = await viaRelay();
      try {
        a.endpoint.send('b', frame(0));
        await until(() => b.got.length === 1 && a.net.linkInfo('b')?.heldFrames === 0);
        // Acknowledgements are lost: a still holds frames b delivered.
        relay.back = false;
        for (let i = 1; i <= 50; i++) a.endpoint.send('b', frame(i));
        await until(() => b.got.length === 51);
        await sleep(20);
        expect(a.net.linkInfo('b')?.heldFrames).to.equal(50);
        relay.back = true;
        relay.cut();
        // The handshake tells a what b received: a releases them instead of resending.
        expect(await until(() => a.net.linkInfo('b')?.heldFrames === 0 && a.net.linkInfo('b')?.connected === true)).to.equal(true);
        a.endpoint.send('b', frame(51));
        await until(() => b.got.length >= 52);
        await cluster.settle();
        expect(indices(b.got)).to.deep.equal(range(0, 52));
        expect(b.net.stats.duplicatesDiscarded).to.equal(0);
      } finally {
        await relay.close();
      }
    });

    it('should keep order and deliver once across many breaks under steady traffic', async function () {
      this.timeout(20_000);
      const { a, b, relay } = await viaRelay();
      try {
        const total = 2000;
        let next = 0;
        for (let round = 0; round < 10; round++) {
          for (let i = 0; i < total / 10; i++) a.endpoint.send('b', frame(next++));
          await turn();
          if (round % 2 === 0) relay.cut();
          await sleep(5);
        }
        expect(await until(() => b.got.length >= total, 10_000)).to.equal(true);
        await cluster.settle();
        expect(indices(b.got)).to.deep.equal(range(0, total));
        expect(a.net.stats.connectionsEstablished).to.be.greaterThan(1);
      } finally {
        await relay.close();
      }
    });

    it("should drop frames a restarted peer's previous incarnation may have seen, and deliver the rest to the new one", async () => {
      const { a, b, relay } = await viaRelay();
      try {
        a.endpoint.send('b', frame(0));
        await until(() => b.got.length === 1 && a.net.linkInfo('b')?.heldFrames === 0);
        relay.back = false;
        for (let i = 1; i <= 10; i++) a.endpoint.send('b', frame(i));
        await until(() => b.got.length === 11);
        await sleep(20);
        // b restarts: a new incarnation on the same address.
        b.endpoint.close();
        const got2: Node['got'] = [];
        const e2 = b.net.attach('b', (from, bytes) => void got2.push({ from, bytes }));
        relay.back = true;
        relay.cut();
        expect(await until(() => a.net.linkInfo('b')?.connected === true && a.net.linkInfo('b')?.heldFrames === 0)).to.equal(true);
        a.endpoint.send('b', frame(11));
        expect(await until(() => got2.length >= 1)).to.equal(true);
        await cluster.settle();
        expect(indices(got2)).to.deep.equal([11]);
        expect(indices(b.got)).to.deep.equal(range(0, 11));
        expect(a.net.stats.framesDroppedPeerRestarted).to.equal(10);
        expect(a.net.stats.peerRestarts).to.equal(1);
        e2.close();
      } finally {
        await relay.close();
      }
    });

    it('should give up after the last attempt with a typed error and drop what it held', async () => {
      const errors: TransportError[] = [];
      const dead = new UwsNetwork({ resolve: () => undefined });
      const url = (await dead.start()).url;
      await dead.stop(); // nothing listens there any more
      const a = await node(cluster, 'a', { resolve: () => url, onError: (e) => void errors.push(e) });
      for (let i = 0; i < 3; i++) a.endpoint.send('b', frame(i));
      expect(await until(() => errors.some((e) => e.code === 'ESCHER_UWS_LINK_FAILED'))).to.equal(true);
      const failed = errors.find((e) => e.code === 'ESCHER_UWS_LINK_FAILED') as TransportError & { droppedFrames: number; attempts: number };
      expect(failed.droppedFrames).to.equal(3);
      expect(failed.attempts).to.equal(QUICK_RECONNECT.maxAttempts);
      expect(a.net.errors.get('ESCHER_UWS_CONNECTION')).to.equal(QUICK_RECONNECT.maxAttempts);
      expect(a.net.pendingFrames).to.equal(0);
      expect(a.net.stats.framesDropped).to.equal(3);
    });
  });

  describe('refusals', () => {
    it('should drop frames for a runtime without an address, with a typed error', async () => {
      const a = await node(cluster, 'a');
      expect(() => a.endpoint.send('nowhere', frame(0))).not.to.throw();
      expect(a.net.errors.get('ESCHER_UWS_UNKNOWN_PEER')).to.equal(1);
      expect(a.net.pendingFrames).to.equal(0);
    });

    it('should refuse a frame above maxFrameBytes on send, and go on with the next', async () => {
      const a = await node(cluster, 'a', { maxFrameBytes: 100 });
      const b = await node(cluster, 'b', { maxFrameBytes: 100 });
      a.endpoint.send('b', new Uint8Array(101));
      a.endpoint.send('b', frame(7, 100));
      await until(() => b.got.length === 1);
      expect(indices(b.got)).to.deep.equal([7]);
      expect(a.net.errors.get('ESCHER_UWS_OVERSIZED_FRAME')).to.equal(1);
    });

    it('should refuse frames beyond the per-peer buffer with a typed error, and hold no more than it', async () => {
      const cap = 64 * 1024;
      const errors: TransportError[] = [];
      // The peer's address answers nothing: frames pile up while the link retries.
      const a = await node(cluster, 'a', {
        maxFrameBytes: 8 * 1024,
        maxBufferedBytes: cap,
        resolve: () => 'ws://127.0.0.1:9/',
        onError: (e) => void errors.push(e),
      });
      for (let i = 0; i < 20; i++) a.endpoint.send('b', frame(i, 8 * 1024));
      const info = a.net.linkInfo('b');
      expect(info?.heldBytes).to.be.at.most(cap);
      expect(info?.heldFrames).to.equal(7);
      expect(a.net.errors.get('ESCHER_UWS_BUFFER_FULL')).to.equal(13);
      expect(a.net.stats.framesDropped).to.be.at.least(13);
    });

    it('should count a receiver that throws and keep the link', async () => {
      const a = await node(cluster, 'a');
      const net = await cluster.network('b');
      const got: number[] = [];
      net.attach('b', (_from, bytes) => {
        const i = Buffer.from(bytes).readUInt32BE(0);
        if (i === 1) throw new Error('boom');
        got.push(i);
      });
      for (let i = 0; i < 3; i++) a.endpoint.send('b', frame(i));
      await until(() => got.length === 2);
      await cluster.settle();
      expect(got).to.deep.equal([0, 2]);
      expect(net.errors.get('ESCHER_UWS_RECEIVER_THREW')).to.equal(1);
      expect(net.stats.connectionsEstablished).to.equal(1);
    });

    it('should refuse a connection for another runtime id, on both sides, and deliver nothing', async () => {
      const b = await node(cluster, 'b');
      const a = await node(cluster, 'a', { resolve: (id: string) => (id === 'c' ? b.net.listening?.url : undefined) });
      a.endpoint.send('c', frame(0));
      expect(await until(() => a.net.errors.get('ESCHER_UWS_LINK_FAILED') === 1)).to.equal(true);
      expect(a.net.errors.get('ESCHER_UWS_HANDSHAKE_REFUSED')).to.be.greaterThan(0);
      expect(b.net.errors.get('ESCHER_UWS_HANDSHAKE_REFUSED')).to.be.greaterThan(0);
      expect(b.got).to.deep.equal([]);
    });

    it('should refuse connections while no runtime is attached', async () => {
      const idle = await cluster.network('b');
      const a = await node(cluster, 'a');
      a.endpoint.send('b', frame(0));
      expect(await until(() => a.net.errors.get('ESCHER_UWS_LINK_FAILED') === 1)).to.equal(true);
      expect(idle.errors.get('ESCHER_UWS_HANDSHAKE_REFUSED')).to.be.greaterThan(0);
    });
  });

  describe('stop', () => {
    it('should close connections and the listener, so that peers see the address gone', async () => {
      const a = await node(cluster, 'a');
      const b = await node(cluster, 'b');
      a.endpoint.send('b', frame(0));
      await until(() => b.got.length === 1);
      await b.net.stop();
      expect(b.net.listening).to.equal(undefined);
      await until(() => a.net.linkInfo('b')?.connected === false);
      expect(a.net.linkInfo('b')?.connected).to.equal(false);
      // A frame sent now finds nobody; the link gives up and drops it.
      a.endpoint.send('b', frame(1));
      expect(await until(() => a.net.errors.get('ESCHER_UWS_LINK_FAILED') === 1)).to.equal(true);
      expect(b.got.length).to.equal(1);
    });
  });
});
