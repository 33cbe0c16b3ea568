import type { Network, NetworkEndpoint, RuntimeId } from '@escher/core';
import { expect } from 'chai';

/**
 * What one implementation of {@link Network} gives the contract suite. The
 * suite never assumes a shared instance: it asks for the Network of each
 * runtime id (an in-memory network returns the same object every time; a
 * socket transport returns one per runtime, already able to reach the
 * others' addresses).
 */
export interface NetworkHarness {
  /**
   * The Network that runtime `id` attaches to. Called once per attach, so
   * also again for an id whose endpoint was closed (a restart): return the
   * same object if it can be attached again, or a fresh one (a decorator
   * that serves one attachment, such as `SecureNetwork`).
   */
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
  /** Runtimes in the many-peers test (default 5). */
  readonly peers?: number;
  /** Frames per link in the ordering tests (default 200). */
  readonly frames?: number;
}

/** Longest the suite waits on one harness call before failing (a hang guard, not a performance assertion). */
const BOUND_MS = 15_000;
/** Settle rounds the suite waits for an expected delivery before failing. */
const MAX_ROUNDS = 20;

/** One attached runtime as the suite sees it: its endpoint and everything it received, in order. */
interface Attached {
  readonly id: RuntimeId;
  readonly endpoint: NetworkEndpoint;
  readonly received: { from: RuntimeId; bytes: Uint8Array }[];
}

/**
 * The compliance suite every {@link Network} runs: frames arrive intact,
 * with the sender's runtime id, in order per link, both ways, between many
 * peers; frames to nobody vanish quietly; a closed endpoint receives nothing
 * more and its id can attach again; an id cannot attach twice at once.
 * `make` is called before each test and the harness closed after it.
 * Everything waits a bounded number of `settle()` rounds, each bounded in
 * time; nothing asserts speed.
 */
export function networkContract(name: string, make: () => Promise<NetworkHarness>, options: NetworkContractOptions = {}): void {
  const maxFrameBytes = options.maxFrameBytes ?? 1024 * 1024;
  const peers = options.peers ?? 5;
  const frames = options.frames ?? 200;

  describe(`Network contract: ${name}`, () => {
    let h: NetworkHarness;
    const settle = () => withinMs(h.settle(), BOUND_MS, 'harness.settle()');

    async function attach(id: RuntimeId): Promise<Attached> {
      const net = await withinMs(Promise.resolve(h.network(id)), BOUND_MS, `harness.network(${id})`);
      const received: Attached['received'] = [];
      const endpoint = net.attach(id, (from, bytes) => void received.push({ from, bytes }));
      return { id, endpoint, received };
    }

    /** Settles until `done()` holds, at most {@link MAX_ROUNDS} rounds. */
    async function eventually(done: () => boolean): Promise<void> {
      for (let i = 0; i < MAX_ROUNDS && !done(); i++) await settle();
    }

    beforeEach(async () => {
      h = await withinMs(make(), BOUND_MS, 'make()');
    });

    afterEach(async () => {
      await withinMs(h.close(), BOUND_MS, 'harness.close()');
    });

    describe('send', () => {
      it("should deliver a frame with the sender's runtime id", async () => {
        const a = await attach('a');
        const b = await attach('b');
        a.endpoint.send('b', bytesOf([1, 2, 3]));
        await eventually(() => b.received.length >= 1);
        expect(b.received.map((r) => r.from)).to.deep.equal(['a']);
        expect([...(b.received[0]?.bytes ?? [])]).to.deep.equal([1, 2, 3]);
        expect(a.received).to.deep.equal([]);
      });

      it('should keep the order of frames on one link, each delivered once, contents intact', async () => {
        const a = await attach('a');
        const b = await attach('b');
        for (let i = 0; i < frames; i++) a.endpoint.send('b', numbered(i, 1 + (i % 7) * 13));
        await eventually(() => b.received.length >= frames);
        await settle();
        // Checked after all arrived: a frame must not change once delivered (no reused buffers).
        expect(b.received.map((r) => indexOf(r.bytes))).to.deep.equal(range(frames));
        for (const r of b.received) expect(r.from).to.equal('a');
        for (let i = 0; i < frames; i++) expect(sameBytes(b.received[i]?.bytes, numbered(i, 1 + (i % 7) * 13)), `frame ${i}`).to.equal(true);
      });

      it('should carry both directions at once, in order each way', async () => {
        const a = await attach('a');
        const b = await attach('b');
        for (let i = 0; i < frames; i++) {
          a.endpoint.send('b', numbered(i, 8));
          b.endpoint.send('a', numbered(i, 8));
        }
        await eventually(() => a.received.length >= frames && b.received.length >= frames);
        expect(b.received.map((r) => indexOf(r.bytes))).to.deep.equal(range(frames));
        expect(a.received.map((r) => indexOf(r.bytes))).to.deep.equal(range(frames));
        expect(new Set(a.received.map((r) => r.from))).to.deep.equal(new Set(['b']));
        expect(new Set(b.received.map((r) => r.from))).to.deep.equal(new Set(['a']));
      });

      it('should let a receiver send from inside its receive callback', async () => {
        const a = await attach('a');
        const net = await withinMs(Promise.resolve(h.network('b')), BOUND_MS, 'harness.network(b)');
        let echoed = 0;
        const b: NetworkEndpoint = net.attach('b', (from, bytes) => {
          echoed++;
          b.send(from, bytes);
        });
        for (let i = 0; i < 10; i++) a.endpoint.send('b', numbered(i, 4));
        await eventually(() => a.received.length >= 10);
        expect(echoed).to.equal(10);
        expect(a.received.map((r) => indexOf(r.bytes))).to.deep.equal(range(10));
        expect(new Set(a.received.map((r) => r.from))).to.deep.equal(new Set(['b']));
      });

      it('should connect many peers, each link in order', async () => {
        const ids = range(peers).map((i) => `p${i}`);
        const nodes: Attached[] = [];
        for (const id of ids) nodes.push(await attach(id));
        const per = Math.max(1, Math.floor(frames / peers));
        for (let i = 0; i < per; i++) for (const n of nodes) for (const to of ids) if (to !== n.id) n.endpoint.send(to, numbered(i, 6));
        const expected = per * (peers - 1);
        await eventually(() => nodes.every((n) => n.received.length >= expected));
        for (const n of nodes) {
          expect(n.received.length, `frames at ${n.id}`).to.equal(expected);
          for (const from of ids) {
            if (from === n.id) continue;
            const mine = n.received.filter((r) => r.from === from).map((r) => indexOf(r.bytes));
            expect(mine, `${from} -> ${n.id}`).to.deep.equal(range(per));
          }
        }
      });

      it(`should deliver frames of every size up to ${maxFrameBytes} bytes intact`, async () => {
        const a = await attach('a');
        const b = await attach('b');
        const sizes = [...new Set([4, 100, 4096, Math.min(65_537, maxFrameBytes), maxFrameBytes])].filter((n) => n <= maxFrameBytes);
        const sent = sizes.map((n, i) => numbered(i, n));
        for (const f of sent) a.endpoint.send('b', f);
        await eventually(() => b.received.length >= sent.length);
        expect(b.received.map((r) => r.bytes.length)).to.deep.equal(sizes);
        sent.forEach((f, i) => expect(sameBytes(b.received[i]?.bytes, f), `frame of ${f.length} bytes`).to.equal(true));
      });

      it('should deliver an empty frame as an empty frame', async () => {
        const a = await attach('a');
        const b = await attach('b');
        a.endpoint.send('b', new Uint8Array(0));
        a.endpoint.send('b', numbered(1, 4));
        await eventually(() => b.received.length >= 2);
        expect(b.received.map((r) => r.bytes.length)).to.deep.equal([0, 4]);
      });

      it('should drop frames to a runtime that is not attached, without throwing', async () => {
        const a = await attach('a');
        const b = await attach('b');
        expect(() => a.endpoint.send('nobody', numbered(0, 4))).not.to.throw();
        a.endpoint.send('b', numbered(1, 4));
        await settle();
        await eventually(() => b.received.length >= 1);
        expect(b.received.map((r) => indexOf(r.bytes))).to.deep.equal([1]);
        expect(a.received).to.deep.equal([]);
      });
    });

    describe('attach / close', () => {
      it('should deliver nothing to an endpoint after it closed, even frames already on their way', async () => {
        const a = await attach('a');
        const b = await attach('b');
        a.endpoint.send('b', numbered(0, 4));
        await eventually(() => b.received.length >= 1);
        a.endpoint.send('b', numbered(1, 4));
        b.endpoint.close();
        a.endpoint.send('b', numbered(2, 4));
        await settle();
        await settle();
        expect(b.received.map((r) => indexOf(r.bytes))).to.deep.equal([0]);
      });

      it('should let an id attach again after its endpoint closed (a restart), and deliver to the new one only', async () => {
        const a = await attach('a');
        const b1 = await attach('b');
        a.endpoint.send('b', numbered(0, 4));
        await eventually(() => b1.received.length >= 1);
        b1.endpoint.close();
        await settle();
        const b2 = await attach('b');
        // The restarted runtime speaks first (as a runtime does: it announces, it acknowledges); then both ways work.
        b2.endpoint.send('a', numbered(1, 4));
        await eventually(() => a.received.length >= 1);
        expect(a.received.map((r) => [r.from, indexOf(r.bytes)])).to.deep.equal([['b', 1]]);
        a.endpoint.send('b', numbered(2, 4));
        await eventually(() => b2.received.length >= 1);
        expect(b2.received.map((r) => [r.from, indexOf(r.bytes)])).to.deep.equal([['a', 2]]);
        expect(b1.received.map((r) => indexOf(r.bytes))).to.deep.equal([0]);
      });

      it('should refuse to attach an id that is attached already', async () => {
        await attach('a');
        const net = await withinMs(Promise.resolve(h.network('a')), BOUND_MS, 'harness.network(a)');
        expect(() => net.attach('a', () => undefined)).to.throw();
      });

      it('should let closing an endpoint twice be harmless', async () => {
        const a = await attach('a');
        a.endpoint.close();
        expect(() => a.endpoint.close()).not.to.throw();
      });
    });
  });
}

/** A frame whose first four bytes hold `i` (big-endian) and whose rest is a pattern derived from it; at least 4 bytes. */
function numbered(i: number, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(4, size));
  new DataView(out.buffer).setUint32(0, i);
  for (let k = 4; k < out.length; k++) out[k] = (k * 31 + i * 7) & 0xff;
  return out;
}

function indexOf(bytes: Uint8Array): number {
  if (bytes.length < 4) return -1;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function bytesOf(values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function withinMs<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}
