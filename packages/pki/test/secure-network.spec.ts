import { expect } from 'chai';
import {
  type Clock,
  MemoryDiscovery,
  MemoryNetwork,
  type Network,
  type NetworkEndpoint,
  type RuntimeId,
  type TimerHandle,
  createRuntime,
} from '@escher/core';
import { type Identity, type PkiError, type Protection, SecureNetwork, type SecureNetworkOptions, TrustStore } from '../src';
import { TestSystem, settle, turns, usePki } from './helpers';

/** A network between the secure layers that lets a test see, drop, alter and inject raw bytes. */
class TapNetwork implements Network {
  readonly inner = new MemoryNetwork();
  readonly log: { from: RuntimeId; to: RuntimeId; bytes: Uint8Array }[] = [];
  /** Return `undefined` to drop, other bytes to alter. */
  filter: (from: RuntimeId, to: RuntimeId, bytes: Uint8Array) => Uint8Array | undefined = (_f, _t, b) => b;
  private readonly endpoints = new Map<RuntimeId, NetworkEndpoint>();

  attach(runtime: RuntimeId, receive: (from: RuntimeId, bytes: Uint8Array) => void): NetworkEndpoint {
    const ep = this.inner.attach(runtime, receive);
    this.endpoints.set(runtime, ep);
    return {
      send: (to, bytes) => {
        this.log.push({ from: runtime, to, bytes });
        const out = this.filter(runtime, to, bytes);
        if (out !== undefined) ep.send(to, out);
      },
      close: () => ep.close(),
    };
  }

  /** Sends raw bytes as `from` (which must be attached). */
  inject(from: RuntimeId, to: RuntimeId, bytes: Uint8Array): void {
    (this.endpoints.get(from) as NetworkEndpoint).send(to, bytes);
  }

  dataFrames(from: RuntimeId): Uint8Array[] {
    return this.log.filter((e) => e.from === from && e.bytes[1] === 3).map((e) => e.bytes);
  }
}

/** A clock whose timers run only when the test says so. */
class ManualClock implements Clock {
  private t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const id = this.next++;
    this.timers.set(id, { at: this.t + delayMs, fn });
    return id as unknown as TimerHandle;
  }
  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }
  advance(ms: number): void {
    this.t += ms;
    for (const [id, tm] of [...this.timers]) {
      if (tm.at <= this.t) {
        this.timers.delete(id);
        tm.fn();
      }
    }
  }
  get pending(): number {
    return this.timers.size;
  }
}

interface Side {
  readonly net: SecureNetwork;
  readonly got: { from: RuntimeId; text: string }[];
  readonly ep: NetworkEndpoint;
  readonly rejected: PkiError[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function side(tap: Network, id: RuntimeId, identities: Identity[], trust: TrustStore, extra: Partial<SecureNetworkOptions> = {}): Side {
  const got: { from: RuntimeId; text: string }[] = [];
  const rejected: PkiError[] = [];
  const net = new SecureNetwork(tap, { identities, trust, onRejected: (e) => rejected.push(e), ...extra });
  const ep = net.attach(id, (from, bytes) => got.push({ from, text: dec.decode(bytes) }));
  return { net, got, ep, rejected };
}

describe('SecureNetwork', () => {
  usePki();

  function pair(options: { protection?: [Protection, Protection]; tap?: TapNetwork; extra?: Partial<SecureNetworkOptions> } = {}) {
    const sys = new TestSystem();
    const tap = options.tap ?? new TapNetwork();
    const app = sys.path('/app');
    const kv = sys.path('/kv');
    const trustB = new TrustStore({ roots: [sys.root.chain.leaf] });
    const a = side(tap, 'A', [app], new TrustStore({ roots: [sys.root.chain.leaf] }), { protection: options.protection?.[0] ?? 'aead', ...options.extra });
    const b = side(tap, 'B', [kv], trustB, { protection: options.protection?.[1] ?? 'aead', ...options.extra });
    return { sys, tap, a, b, trustB };
  }

  describe('handshake', () => {
    it('should authenticate both sides on first contact and deliver the frames queued meanwhile, in order', async () => {
      const { a, b, tap } = pair();
      for (let i = 0; i < 5; i++) a.ep.send('B', enc.encode(`m${i}`));
      expect(a.net.isEstablished('B')).to.equal(false);
      await turns();
      expect(b.got.map((g) => g.text)).to.deep.equal(['m0', 'm1', 'm2', 'm3', 'm4']);
      expect(b.got.every((g) => g.from === 'A')).to.equal(true);
      expect(a.net.isEstablished('B') && b.net.isEstablished('A')).to.equal(true);
      expect(a.net.peerIdentities('B').map((v) => v.path)).to.deep.equal(['/kv']);
      expect(b.net.peerIdentities('A').map((v) => v.path)).to.deep.equal(['/app']);
      // HELLO, HELLO, PROOF, PROOF: one round trip and a half, then data only.
      expect(tap.log.filter((e) => e.bytes[1] !== 3)).to.have.length(4);
      b.ep.send('A', enc.encode('reply'));
      await turns();
      expect(a.got.map((g) => g.text)).to.deep.equal(['reply']);
      expect(a.rejected.concat(b.rejected)).to.deep.equal([]);
    });

    it('should complete when both sides start at once', async () => {
      const { a, b, tap } = pair();
      a.ep.send('B', enc.encode('from A'));
      b.ep.send('A', enc.encode('from B'));
      await turns();
      expect(b.got.map((g) => g.text)).to.deep.equal(['from A']);
      expect(a.got.map((g) => g.text)).to.deep.equal(['from B']);
      expect(a.net.stats.handshakesCompleted).to.equal(1);
      expect(b.net.stats.handshakesCompleted).to.equal(1);
      expect(tap.log.filter((e) => e.bytes[1] === 1)).to.have.length(2);
    });

    it('should not encrypt frames in mac mode, and use the stronger protection when the sides differ', async () => {
      const mac = pair({ protection: ['mac', 'mac'] });
      mac.a.ep.send('B', enc.encode('readable'));
      await turns();
      expect(mac.a.net.protectionWith('B')).to.equal('mac');
      expect(dec.decode(mac.tap.dataFrames('A')[0])).to.include('readable');
      expect(mac.b.got.map((g) => g.text)).to.deep.equal(['readable']);

      const mixed = pair({ protection: ['mac', 'aead'] });
      mixed.a.ep.send('B', enc.encode('secret'));
      await turns();
      expect(mixed.a.net.protectionWith('B')).to.equal('aead');
      expect(dec.decode(mixed.tap.dataFrames('A')[0])).to.not.include('secret');
      expect(mixed.b.got.map((g) => g.text)).to.deep.equal(['secret']);
    });

    it('should refuse a peer whose chain leads to another system agent, and deliver nothing', async () => {
      const sys = new TestSystem();
      const rogue = new TestSystem();
      const tap = new TapNetwork();
      const a = side(tap, 'A', [rogue.path('/app')], new TrustStore({ roots: [rogue.root.chain.leaf] }));
      const b = side(tap, 'B', [sys.path('/kv')], new TrustStore({ roots: [sys.root.chain.leaf] }));
      a.ep.send('B', enc.encode('let me in'));
      await turns();
      expect(b.got).to.deep.equal([]);
      expect(b.net.rejections.get('ESCHER_PKI_UNTRUSTED_ROOT')).to.equal(1);
      expect(b.net.isEstablished('A')).to.equal(false);
    });

    it('should refuse a HELLO that copies a genuine chain without holding its key', async () => {
      const { sys, tap, b } = pair();
      const genuine = sys.path('/app');
      // The impostor presents /app's real chain but signs with a key of its own.
      const impostorId = { ...genuine, key: sys.path('/other').key, chain: genuine.chain, path: genuine.path, epoch: 1 } as unknown as Identity;
      const c = side(tap, 'C', [impostorId], new TrustStore({ roots: [sys.root.chain.leaf] }));
      c.ep.send('B', enc.encode('forged'));
      await turns();
      expect(b.got).to.deep.equal([]);
      expect(b.net.rejections.get('ESCHER_PKI_BAD_SIGNATURE')).to.equal(1);
      expect(b.net.mayClaim('C', '/app')).to.equal(false);
    });

    it('should refuse a HELLO addressed to another runtime', async () => {
      const { tap, a, b } = pair();
      a.ep.send('B', enc.encode('x'));
      const hello = tap.log.find((e) => e.from === 'A' && e.bytes[1] === 1)?.bytes as Uint8Array;
      const c = side(tap, 'C', [new TestSystem().path('/z')], new TrustStore({ roots: [new TestSystem().root.chain.leaf] }));
      tap.inject('A', 'C', hello);
      await turns();
      expect(c.net.rejections.get('ESCHER_PKI_HANDSHAKE')).to.equal(1);
      expect(b.got).to.have.length(1);
    });

    it('should retry a lost HELLO and give up after the last attempt, dropping the queue', async () => {
      const clock = new ManualClock();
      const tap = new TapNetwork();
      let dropHellos = 2;
      tap.filter = (_f, _t, bytes) => (bytes[1] === 1 && dropHellos-- > 0 ? undefined : bytes);
      const { a, b } = pair({ tap, extra: { clock, handshakeRetryMs: 100, handshakeAttempts: 4 } });
      a.ep.send('B', enc.encode('eventually'));
      await turns();
      expect(b.got).to.deep.equal([]);
      clock.advance(100);
      await turns();
      expect(b.got).to.deep.equal([]);
      clock.advance(100);
      await turns();
      expect(b.got.map((g) => g.text)).to.deep.equal(['eventually']);
      expect(clock.pending).to.equal(0);

      const c = side(tap, 'C', [new TestSystem().path('/c')], new TrustStore({ roots: [new TestSystem().root.chain.leaf] }), {
        clock,
        handshakeRetryMs: 100,
        handshakeAttempts: 3,
      });
      c.ep.send('nobody', enc.encode('lost'));
      for (let i = 0; i < 3; i++) clock.advance(100);
      expect(c.net.rejections.get('ESCHER_PKI_HANDSHAKE_TIMEOUT')).to.equal(1);
      expect(c.net.stats.framesDropped).to.equal(1);
    });

    it('should recover when the peer lost our PROOF', async () => {
      const clock = new ManualClock();
      const tap = new TapNetwork();
      let dropProofFromA = 1;
      tap.filter = (from, _t, bytes) => (from === 'A' && bytes[1] === 2 && dropProofFromA-- > 0 ? undefined : bytes);
      const { a, b } = pair({ tap, extra: { clock, handshakeRetryMs: 100 } });
      a.ep.send('B', enc.encode('one'));
      await turns();
      // A finished (it saw B's proof) and sent data, which B holds until A's proof arrives.
      expect(a.net.isEstablished('B')).to.equal(true);
      expect(b.net.isEstablished('A')).to.equal(false);
      clock.advance(100); // B sends its HELLO again; A answers with its PROOF
      await turns();
      expect(b.net.isEstablished('A')).to.equal(true);
      expect(b.got.map((g) => g.text)).to.deep.equal(['one']);
    });

    it('should bound the queue of frames waiting for a handshake', async () => {
      const { a } = pair({ extra: { maxQueuedFrames: 3 } });
      for (let i = 0; i < 5; i++) a.ep.send('nobody', enc.encode(String(i)));
      expect(a.net.rejections.get('ESCHER_PKI_QUEUE_FULL')).to.equal(2);
      expect(a.net.stats.framesDropped).to.equal(2);
      a.ep.close();
    });

    it('should drop new HELLOs beyond the per-peer budget unverified, and admit them again as time passes', async () => {
      const clock = new ManualClock();
      const { a, b } = pair({ extra: { clock, handshakesPerSecond: 2 } });
      a.ep.send('B', enc.encode('first'));
      await turns();
      // Burst of 2 × 2: the first contact and three rekeys pass, the next ones are refused before any verification.
      for (let i = 0; i < 6; i++) {
        a.net.rekey('B');
        await turns();
      }
      expect(b.net.rejections.get('ESCHER_PKI_HANDSHAKE_RATE_LIMITED')).to.be.at.least(1);
      expect(b.net.stats.handshakesCompleted).to.equal(4);
      // The session already established keeps carrying frames meanwhile.
      a.ep.send('B', enc.encode('still here'));
      await turns();
      expect(b.got.map((g) => g.text)).to.deep.equal(['first', 'still here']);
      clock.advance(1000);
      a.net.rekey('B');
      await turns();
      expect(b.net.stats.handshakesCompleted).to.equal(5);
    });

    it('should tell listeners about every session installed, with the chains the peer proved', async () => {
      const { a, b } = pair();
      const seen: string[] = [];
      const off = b.net.onAuthenticated((peer, ids) => seen.push(`${peer}:${ids.map((v) => v.path).join(',')}`));
      a.ep.send('B', enc.encode('hi'));
      await turns();
      expect(seen).to.deep.equal(['A:/app']);
      off();
      a.net.rekey('B');
      await turns();
      expect(seen).to.have.length(1);
    });

    it('should handshake again with a peer that restarted', async () => {
      const { sys, tap, a, b } = pair();
      a.ep.send('B', enc.encode('before'));
      await turns();
      b.ep.close();
      const b2 = side(tap, 'B', [sys.path('/kv')], new TrustStore({ roots: [sys.root.chain.leaf] }));
      b2.ep.send('A', enc.encode('I am back'));
      await turns();
      expect(a.got.map((g) => g.text)).to.deep.equal(['I am back']);
      a.ep.send('B', enc.encode('after'));
      await turns();
      expect(b2.got.map((g) => g.text)).to.deep.equal(['after']);
    });
  });

  describe('a restarted peer that only listens', () => {
    it('should offer a new session when frames arrive under one it lost, so the sender switches to it', async () => {
      const { sys, tap, a, b } = pair();
      a.ep.send('B', enc.encode('before'));
      await turns();
      expect(b.got.map((g) => g.text)).to.deep.equal(['before']);
      // B restarts: its sessions are gone, and it has nothing to send A.
      b.ep.close();
      const b2 = side(tap, 'B', [sys.path('/kv')], new TrustStore({ roots: [sys.root.chain.leaf] }));
      a.ep.send('B', enc.encode('lost'));
      await turns();
      expect(b2.net.rejections.get('ESCHER_PKI_UNKNOWN_SESSION')).to.equal(1);
      // B2 offered a handshake on its own; A now seals with the new session.
      expect(a.net.isEstablished('B') && b2.net.isEstablished('A')).to.equal(true);
      a.ep.send('B', enc.encode('after'));
      await turns();
      expect(b2.got.map((g) => g.text)).to.deep.equal(['after']);
    });
  });

  describe('frames', () => {
    async function established(protection: Protection) {
      const p = pair({ protection: [protection, protection] });
      p.a.ep.send('B', enc.encode('first'));
      await turns();
      return p;
    }

    for (const protection of ['aead', 'mac'] as const) {
      describe(protection, () => {
        it('should refuse a replayed frame', async () => {
          const { tap, b } = await established(protection);
          const frame = tap.dataFrames('A')[0] as Uint8Array;
          tap.inject('A', 'B', frame);
          await turns();
          expect(b.got.map((g) => g.text)).to.deep.equal(['first']);
          expect(b.net.rejections.get('ESCHER_PKI_REPLAY')).to.equal(1);
        });

        it('should refuse a tampered frame, then still accept the genuine one', async () => {
          const { tap, a, b } = await established(protection);
          let held: Uint8Array | undefined;
          tap.filter = (_f, _t, bytes) => {
            if (bytes[1] === 3 && held === undefined) {
              held = bytes;
              return undefined;
            }
            return bytes;
          };
          a.ep.send('B', enc.encode('second'));
          const frame = held as Uint8Array;
          for (const at of [frame.length - 1, 20, 12]) {
            const t = new Uint8Array(frame);
            t[at] = (t[at] as number) ^ 0x01;
            tap.inject('A', 'B', t);
          }
          await turns();
          expect(b.net.rejections.get('ESCHER_PKI_FRAME_AUTH')).to.equal(3);
          tap.inject('A', 'B', frame);
          await turns();
          expect(b.got.map((g) => g.text)).to.deep.equal(['first', 'second']);
        });

        it('should refuse truncated frames', async () => {
          const { tap, b } = await established(protection);
          const frame = tap.dataFrames('A')[0] as Uint8Array;
          tap.inject('A', 'B', frame.subarray(0, 1));
          tap.inject('A', 'B', frame.subarray(0, 10));
          tap.inject('A', 'B', frame.subarray(0, 20));
          tap.inject('A', 'B', frame.subarray(0, frame.length - 1));
          await turns();
          expect(b.net.rejections.get('ESCHER_PKI_TRUNCATED')).to.equal(3);
          expect(b.net.rejections.get('ESCHER_PKI_FRAME_AUTH') + b.net.rejections.get('ESCHER_PKI_REPLAY')).to.equal(1);
          expect(b.got).to.have.length(1);
        });

        it('should accept reordering within the window and refuse frames behind it', async () => {
          const tap = new TapNetwork();
          const p = pair({ tap, protection: [protection, protection], extra: { replayWindow: 4 } });
          p.a.ep.send('B', enc.encode('0'));
          await turns();
          const held: Uint8Array[] = [];
          tap.filter = (_f, _t, bytes) => {
            held.push(bytes);
            return undefined;
          };
          for (let i = 1; i <= 8; i++) p.a.ep.send('B', enc.encode(String(i)));
          tap.filter = (_f, _t, b) => b;
          const order = [2, 1, 7, 3, 6, 5, 4, 8].map((n) => held[n - 1] as Uint8Array);
          for (const f of order) tap.inject('A', 'B', f);
          await turns();
          // Window 4: once 7 is in, 3 is too old; 6, 5, 4 are within it.
          expect(p.b.got.map((g) => g.text)).to.deep.equal(['0', '2', '1', '7', '6', '5', '4', '8']);
          expect(p.b.net.rejections.get('ESCHER_PKI_OUT_OF_WINDOW')).to.equal(1);
        });

        it('should refuse a frame sent to another runtime', async () => {
          const { sys, tap, a } = await established(protection);
          const c = side(tap, 'C', [sys.path('/c')], new TrustStore({ roots: [sys.root.chain.leaf] }));
          c.ep.send('A', enc.encode('hi'));
          await turns();
          // A frame A sealed for B, replayed by C to... C cannot decrypt; shown to A as from C, it fails too.
          const frame = tap.dataFrames('A')[0] as Uint8Array;
          tap.inject('C', 'A', frame);
          await turns();
          expect(a.net.rejections.get('ESCHER_PKI_UNKNOWN_SESSION') + a.net.rejections.get('ESCHER_PKI_FRAME_AUTH')).to.equal(1);
        });
      });
    }

    it('should refuse junk: unknown version, unknown kind, empty, data without a session', async () => {
      const { tap, b } = pair();
      tap.inject('A', 'B', new Uint8Array([]));
      tap.inject('A', 'B', new Uint8Array([7, 1]));
      tap.inject('A', 'B', new Uint8Array([1, 9]));
      tap.inject('A', 'B', new Uint8Array(40).fill(3).fill(1, 0, 1));
      tap.inject('A', 'B', new Uint8Array([1, 1, 0]));
      tap.inject('A', 'B', new Uint8Array([1, 2, 0]));
      await turns();
      const r = b.net.rejections;
      expect(r.get('ESCHER_PKI_TRUNCATED')).to.equal(3);
      expect(r.get('ESCHER_PKI_UNSUPPORTED_VERSION')).to.equal(1);
      expect(r.get('ESCHER_PKI_MALFORMED')).to.equal(1);
      expect(r.get('ESCHER_PKI_UNKNOWN_SESSION')).to.equal(1);
      expect(r.total).to.equal(6);
      expect(b.got).to.deep.equal([]);
    });
  });

  describe('mayClaim', () => {
    it('should allow the sources the peer is certified for, and their descendants only', async () => {
      const sys = new TestSystem();
      const tap = new TapNetwork();
      const kv = sys.path('/kv');
      const r1 = sys.certify(kv, '1');
      const a = side(tap, 'A', [r1, sys.path('/svc')], new TrustStore({ roots: [sys.root.chain.leaf] }));
      const b = side(tap, 'B', [sys.path('/app')], new TrustStore({ roots: [sys.root.chain.leaf] }));
      a.ep.send('B', enc.encode('x'));
      await turns();
      expect(b.net.mayClaim('A', '/kv/1')).to.equal(true);
      expect(b.net.mayClaim('A', '/kv/1/x')).to.equal(true);
      expect(b.net.mayClaim('A', '/svc/anything')).to.equal(true);
      expect(b.net.mayClaim('A', '/kv/2')).to.equal(false);
      expect(b.net.mayClaim('A', '/kv')).to.equal(false);
      expect(b.net.mayClaim('A', '/app')).to.equal(false);
      expect(b.net.mayClaim('A', 'not a path')).to.equal(false);
      expect(b.net.mayClaim('nobody', '/kv/1')).to.equal(false);
    });

    it('should stop allowing a source once its epoch is retired', async () => {
      const { a, b, trustB } = pair();
      a.ep.send('B', enc.encode('x'));
      await turns();
      expect(b.net.mayClaim('A', '/app')).to.equal(true);
      trustB.advanceEpoch('', 2);
      expect(b.net.mayClaim('A', '/app')).to.equal(false);
    });

    it('should learn identities added after the handshake', async () => {
      const { sys, a, b } = pair();
      a.ep.send('B', enc.encode('x'));
      await turns();
      expect(b.net.mayClaim('A', '/later')).to.equal(false);
      a.net.addIdentity(sys.path('/later'));
      await turns();
      expect(b.net.mayClaim('A', '/later')).to.equal(true);
      a.ep.send('B', enc.encode('y'));
      await turns();
      expect(b.got.map((g) => g.text)).to.deep.equal(['x', 'y']);
      a.net.removeIdentity('/later');
      await turns();
      expect(b.net.mayClaim('A', '/later')).to.equal(false);
      expect(b.net.mayClaim('A', '/app')).to.equal(true);
    });
  });

  describe('under a Runtime', () => {
    it('should carry messages between runtimes created with it as their network', async () => {
      const sys = new TestSystem();
      const memory = new MemoryNetwork();
      const discovery = new MemoryDiscovery();
      const n1 = new SecureNetwork(memory, { identities: [sys.path('/client')], trust: new TrustStore({ roots: [sys.root.chain.leaf] }) });
      const n2 = new SecureNetwork(memory, { identities: [sys.path('/server')], trust: new TrustStore({ roots: [sys.root.chain.leaf] }) });
      const r1 = createRuntime({ id: 'r1', network: n1, discovery });
      const r2 = createRuntime({ id: 'r2', network: n2, discovery });
      const replies: unknown[] = [];
      r2.spawn('/server', (m, ctx) => ctx.reply(m, { echo: m.payload }));
      r1.spawn('/client', (m) => void replies.push(m.payload));
      for (let i = 0; i < 3; i++) r1.send('/client', '/server', i);
      await settle(r1, r2);
      expect(replies).to.deep.equal([{ echo: 0 }, { echo: 1 }, { echo: 2 }]);
      expect(n2.mayClaim('r1', '/client')).to.equal(true);
      expect(n1.mayClaim('r2', '/server')).to.equal(true);
      r1.close();
      r2.close();
    });

    it('should refuse a second runtime on the same SecureNetwork', () => {
      const sys = new TestSystem();
      const n = new SecureNetwork(new MemoryNetwork(), { identities: [sys.path('/a')], trust: sys.trust });
      n.attach('r1', () => {});
      expect(() => n.attach('r2', () => {})).to.throw(/already serves/);
    });
  });
});
