import { type Discovery, type DiscoveryChange, Path, type RuntimeId } from '@escher/core';
import { expect } from 'chai';

/**
 * What one implementation of {@link Discovery} gives the contract suite.
 * Each runtime has its own Discovery (NATS: one connection per runtime; in
 * process: one shared table, returned for every id).
 */
export interface DiscoveryHarness {
  /**
   * The Discovery runtime `id` uses, ready to announce and to learn (a
   * networked one has connected and fetched what others announced). An
   * authenticating implementation gives runtime `id` identities for every
   * agent of {@link DISCOVERY_CONTRACT_ROOTS} (the suite announces nothing
   * else).
   */
  discovery(id: RuntimeId): Discovery | Promise<Discovery>;
  /** Resolves once announcements and withdrawals made so far are visible to every runtime (bounded in time). */
  settle(): Promise<void>;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** Top-level agents under which every path the suite announces lies. */
export const DISCOVERY_CONTRACT_ROOTS: readonly string[] = ['/kv', '/app', '/bulk'];

/** Longest the suite waits for the harness to settle before failing (a hang guard, not a performance assertion). */
const SETTLE_BOUND_MS = 15_000;

/**
 * The compliance suite every {@link Discovery} runs (Escher §3.2 and the
 * delivery rule of §2.2: a message for `d` reaches every physical agent `a`
 * with `d` ancestor-or-self of `a` and depth(d) ≥ a.minDepth). `make` is
 * called before each test and the harness closed after it, so tests never
 * see each other's announcements.
 */
export function discoveryContract(name: string, make: () => Promise<DiscoveryHarness>): void {
  describe(`Discovery contract: ${name}`, () => {
    let h: DiscoveryHarness;
    const settle = () => bounded(h.settle(), SETTLE_BOUND_MS, 'harness.settle()');
    const discovery = (id: RuntimeId) => bounded(Promise.resolve(h.discovery(id)), SETTLE_BOUND_MS, `harness.discovery(${id})`);

    beforeEach(async () => {
      h = await make();
    });

    afterEach(async () => {
      await bounded(h.close(), SETTLE_BOUND_MS, 'harness.close()');
    });

    describe('announce / resolve', () => {
      it('should resolve a path announced by another runtime', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1'), 1);
        await settle();
        expect(sorted(b.resolve(p('/kv/1')))).to.deep.equal(['r1']);
      });

      it('should resolve a destination to the runtimes of its descendants', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1/a'), 1);
        await settle();
        expect(sorted(b.resolve(p('/kv')))).to.deep.equal(['r1']);
        expect(sorted(b.resolve(p('/kv/1')))).to.deep.equal(['r1']);
        expect(sorted(b.resolve(p('/kv/1/a')))).to.deep.equal(['r1']);
      });

      it('should not resolve siblings, unrelated paths or paths below the agent', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1'), 1);
        await settle();
        expect(b.resolve(p('/kv/2'))).to.deep.equal([]);
        expect(b.resolve(p('/app'))).to.deep.equal([]);
        expect(b.resolve(p('/kv/1/x'))).to.deep.equal([]);
      });

      it('should honour the minimum depth: a destination shallower than it does not resolve to the agent', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1/a'), 2);
        await settle();
        expect(b.resolve(p('/kv'))).to.deep.equal([]);
        expect(sorted(b.resolve(p('/kv/1')))).to.deep.equal(['r1']);
        expect(sorted(b.resolve(p('/kv/1/a')))).to.deep.equal(['r1']);
      });

      it('should list every runtime hosting an agent under the destination, once each', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        const c = await discovery('r3');
        const d = await discovery('r4');
        a.announce('r1', p('/kv/1'), 1);
        a.announce('r1', p('/kv/3'), 1);
        b.announce('r2', p('/kv/1'), 1);
        c.announce('r3', p('/kv/2'), 1);
        await settle();
        expect(sorted(d.resolve(p('/kv')))).to.deep.equal(['r1', 'r2', 'r3']);
        expect(sorted(d.resolve(p('/kv/1')))).to.deep.equal(['r1', 'r2']);
        expect(sorted(d.resolve(p('/kv/2')))).to.deep.equal(['r3']);
      });

      it('should replace an announcement of the same runtime and path (a new minimum depth)', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1'), 1);
        await settle();
        a.announce('r1', p('/kv/1'), 2);
        await settle();
        expect(b.resolve(p('/kv'))).to.deep.equal([]);
        expect(sorted(b.resolve(p('/kv/1')))).to.deep.equal(['r1']);
      });

      it("should include the runtime's own announcements in its own answers", async () => {
        const a = await discovery('r1');
        a.announce('r1', p('/app'), 1);
        await settle();
        expect(sorted(a.resolve(p('/app')))).to.deep.equal(['r1']);
      });
    });

    describe('withdraw', () => {
      it('should stop resolving a withdrawn path everywhere', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1'), 1);
        await settle();
        expect(sorted(b.resolve(p('/kv')))).to.deep.equal(['r1']);
        a.withdraw('r1', p('/kv/1'));
        await settle();
        expect(b.resolve(p('/kv'))).to.deep.equal([]);
        expect(a.resolve(p('/kv'))).to.deep.equal([]);
      });

      it("should leave another runtime's announcement of the same path in place", async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        const c = await discovery('r3');
        a.announce('r1', p('/kv/1'), 1);
        b.announce('r2', p('/kv/1'), 1);
        await settle();
        a.withdraw('r1', p('/kv/1'));
        await settle();
        expect(sorted(c.resolve(p('/kv/1')))).to.deep.equal(['r2']);
      });

      it('should ignore a withdrawal of something never announced', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        const seen = record(b);
        a.withdraw('r1', p('/kv/9'));
        await settle();
        expect(seen.changes.filter((c) => c.path === '/kv/9')).to.deep.equal([]);
        seen.stop();
      });

      it('should announce again after a withdrawal', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1'), 1);
        a.withdraw('r1', p('/kv/1'));
        a.announce('r1', p('/kv/1'), 1);
        await settle();
        expect(sorted(b.resolve(p('/kv/1')))).to.deep.equal(['r1']);
      });
    });

    describe('changes$', () => {
      it('should emit announced and withdrawn changes seen from another runtime', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        const seen = record(b);
        a.announce('r1', p('/kv/1'), 1);
        await settle();
        a.withdraw('r1', p('/kv/1'));
        await settle();
        seen.stop();
        const mine = seen.changes.filter((c) => c.runtime === 'r1' && c.path === '/kv/1');
        expect(mine).to.deep.equal([
          { kind: 'announced', runtime: 'r1', path: '/kv/1', minDepth: 1 },
          { kind: 'withdrawn', runtime: 'r1', path: '/kv/1', minDepth: 1 },
        ]);
      });
    });

    describe('late joiners', () => {
      it('should let a runtime that joins later resolve what was announced before it joined', async () => {
        const a = await discovery('r1');
        const b = await discovery('r2');
        a.announce('r1', p('/kv/1'), 1);
        b.announce('r2', p('/app'), 1);
        await settle();
        const late = await discovery('late');
        await settle();
        expect(sorted(late.resolve(p('/kv')))).to.deep.equal(['r1']);
        expect(sorted(late.resolve(p('/app')))).to.deep.equal(['r2']);
      });

      it('should not show a late joiner what was withdrawn before it joined', async () => {
        const a = await discovery('r1');
        a.announce('r1', p('/kv/1'), 1);
        a.announce('r1', p('/kv/2'), 1);
        await settle();
        a.withdraw('r1', p('/kv/1'));
        await settle();
        const late = await discovery('late');
        await settle();
        expect(late.resolve(p('/kv/1'))).to.deep.equal([]);
        expect(sorted(late.resolve(p('/kv/2')))).to.deep.equal(['r1']);
      });
    });

    describe('bounded time', () => {
      it('should make many announcements from several runtimes visible after one settle', async () => {
        const ids = ['r1', 'r2', 'r3'];
        const ds = await Promise.all(ids.map((id) => discovery(id)));
        const observer = await discovery('observer');
        const perRuntime = 20;
        ds.forEach((d, i) => {
          for (let k = 0; k < perRuntime; k++) d.announce(ids[i] as string, p(`/bulk/${ids[i]}-${k}`), 1);
        });
        await settle();
        expect(sorted(observer.resolve(p('/bulk')))).to.deep.equal(ids);
        for (const id of ids) {
          for (let k = 0; k < perRuntime; k++) expect(observer.resolve(p(`/bulk/${id}-${k}`))).to.deep.equal([id]);
        }
      });
    });
  });
}

function p(s: string): Path {
  return Path.parse(s);
}

function sorted(ids: readonly RuntimeId[]): RuntimeId[] {
  return [...ids].sort();
}

function record(d: Discovery): { changes: DiscoveryChange[]; stop(): void } {
  const changes: DiscoveryChange[] = [];
  const sub = d.changes$.subscribe((c) => changes.push({ kind: c.kind, runtime: c.runtime, path: c.path, minDepth: c.minDepth }));
  return { changes, stop: () => sub.unsubscribe() };
}

/** Resolves with `promise`, or fails with a clear message once `ms` have passed. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
