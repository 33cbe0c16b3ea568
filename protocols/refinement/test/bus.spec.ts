import { expect } from 'chai';
import { type AgentContext, type DeterministicBehavior, type Envelope, Metaobject, type Continuation } from '@escher/core';
import { Discard, Duplicate, Shuffle, Simulator, Delay, assertSeedsPassed, runSeeds } from '@escher/sim';
import {
  CompiledMergeSpec,
  FragmentOutsideFromSetError,
  Manager,
  MergeGroupExpiredError,
  type MuTag,
  RefinedAwayError,
  StaleEpochError,
  TagMismatchError,
} from '../src';

const REPLAY = 'npx mocha --no-config protocols/refinement/dist/test/bus.spec.js';

/** A deterministic service: answers each request with the request's value doubled, and counts what it ran. */
class Doubler implements DeterministicBehavior {
  readonly deterministic = true;
  ran = 0;
  receive(msg: Envelope, ctx: AgentContext): void {
    this.ran++;
    ctx.reply(msg, { v: (msg.payload as { v: number }).v * 2 });
  }
}

/** Records what reaches the application. */
class Recorder {
  readonly got: Envelope[] = [];
  ctx!: AgentContext;
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }
  receive(msg: Envelope): void {
    this.got.push(msg);
  }
}

/** A Byzantine layer on top of the stack: rewrites what leaves the agent. */
class Rewrite extends Metaobject {
  constructor(private readonly f: (msg: Envelope) => void) {
    super();
  }
  override transmit(msg: Envelope, next: Continuation): void {
    this.f(msg);
    next(msg);
  }
}

/** Counts every drop and error published by the simulation's runtimes, by error code (call after spawning). */
function watch(sim: Simulator): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rt of sim.runtimes()) {
    rt.events$.subscribe((e) => {
      if (e.kind === 'dropped' || e.kind === 'error') {
        const code = (e.kind === 'dropped' ? e.reason : e.error).code;
        counts[code] = (counts[code] ?? 0) + 1;
      }
    });
  }
  return counts;
}

function world(seed = 1, reliable = true) {
  const sim = new Simulator({ seed });
  const mgr = new Manager(sim, { now: () => sim.now, refinement: { reliable } });
  return { sim, mgr };
}

describe('Refinement bus', () => {
  describe('one refined server, one client', () => {
    it('should deliver one reply per request, from the virtual agent, with replies from every replica merged', () => {
      const { sim, mgr } = world();
      const replicas: Doubler[] = [];
      mgr.refine('/kv', { children: ['1', '2', '3'], create: () => replicas[replicas.push(new Doubler()) - 1] as Doubler });
      const client = new Recorder();
      mgr.spawn('/c', client);
      sim.at(1, () => [1, 2, 3, 4, 5].forEach((v) => client.ctx.send('/kv', { v })));
      sim.run({ maxTime: 1000 });
      expect(client.got.map((m) => [m.src, (m.payload as { v: number }).v])).to.deep.equal([1, 2, 3, 4, 5].map((v) => ['/kv', v * 2]));
      expect(replicas.map((r) => r.ran)).to.deep.equal([5, 5, 5]);
      const merger = mgr.refinement.rolesAt('/c').merger;
      // 5 replies merged from 15 fragments (10 arrive late), and 15 ACKs of the requests (each replica acknowledges each).
      expect(merger?.merged).to.equal(5 + 15);
      expect(merger?.late).to.equal(10);
      for (const p of ['/c', '/kv/1', '/kv/2', '/kv/3']) expect(mgr.refinement.rolesAt(p).outbox?.size, p).to.equal(0);
    });
  });

  describe('multi-level merging', () => {
    it('should merge /a/1/x → /d tagged [μ(/a/1), μ(/a)] into one message from /a, and deliver sibling messages untagged', () => {
      const { sim, mgr } = world(2);
      mgr.refine('/a', { children: ['1', '2'] });
      const leaves = new Map<string, Recorder>();
      const make = (p: string) => {
        const r = new Recorder();
        leaves.set(p, r);
        return r;
      };
      mgr.refine('/a/1', { children: ['1', '2'], create: make });
      mgr.refine('/a/2', { children: ['1'], create: make });
      const d = new Recorder();
      mgr.spawn('/d', d);
      sim.at(1, () => {
        for (const p of ['/a/1/1', '/a/1/2', '/a/2/1']) leaves.get(p)?.ctx.send('/d', 'hello');
        leaves.get('/a/1/1')?.ctx.send('/a/2', 'cousin');
        leaves.get('/a/1/1')?.ctx.send('/a/1/2', 'sibling');
      });
      sim.run({ maxTime: 1000 });
      expect(d.got.map((m) => `${m.src}:${String(m.payload)}:${m.tags === undefined}`)).to.deep.equal(['/a:hello:true']);
      expect(leaves.get('/a/2/1')?.got.map((m) => `${m.src}:${String(m.payload)}`)).to.deep.equal(['/a/1:cousin']);
      expect(leaves.get('/a/1/2')?.got.map((m) => `${m.src}:${String(m.payload)}`)).to.deep.equal(['/a/1/1:sibling']);
    });
  });

  describe('refined client and refined server', () => {
    it('should give each client replica the one reply, and run each request once per server replica', () => {
      const { sim, mgr } = world(3);
      const servers: Doubler[] = [];
      mgr.refine('/kv', { children: ['1', '2', '3'], create: () => servers[servers.push(new Doubler()) - 1] as Doubler });
      const clients: Recorder[] = [];
      mgr.refine('/app', { children: ['1', '2'], create: () => clients[clients.push(new Recorder()) - 1] as Recorder });
      // Both client replicas send the same requests, as a replicated client's replicas would.
      sim.at(1, () => clients.forEach((c) => [1, 2, 3].forEach((v) => c.ctx.send('/kv', { v }))));
      sim.run({ maxTime: 1000 });
      for (const c of clients) expect(c.got.map((m) => [m.src, (m.payload as { v: number }).v])).to.deep.equal([['/kv', 2], ['/kv', 4], ['/kv', 6]]);
      expect(servers.map((s) => s.ran)).to.deep.equal([3, 3, 3]);
      for (const p of ['/app/1', '/app/2', '/kv/1', '/kv/2', '/kv/3']) expect(mgr.refinement.rolesAt(p).outbox?.size, p).to.equal(0);
    });
  });

  describe('waitForMatching', () => {
    it('should need f+1 matching payloads, so one lying replica cannot decide the reply', () => {
      const { sim, mgr } = world(4);
      const apps: Doubler[] = [];
      mgr.refine('/kv', { children: ['1', '2', '3', '4'], merge: { waitForMatching: 2 }, create: () => apps[apps.push(new Doubler()) - 1] as Doubler });
      // /kv/1 lies about every reply, and says it first.
      sim.install('/kv/1' as never, new Rewrite((m) => void (m.payload = { v: -1 })), 'top');
      const c = new Recorder();
      mgr.spawn('/c', c);
      sim.at(1, () => [1, 2, 3].forEach((v) => c.ctx.send('/kv', { v })));
      sim.run({ maxTime: 1000 });
      expect(c.got.map((m) => (m.payload as { v: number }).v)).to.deep.equal([2, 4, 6]);
    });

    it('should never deliver a payload that only one child sent, even if it sends it twice', () => {
      const { sim, mgr } = world(5);
      mgr.refine('/kv', { children: ['1', '2', '3', '4'], merge: { waitForMatching: 2 }, create: () => new Doubler() });
      sim.install('/kv/1' as never, new Rewrite((m) => void (m.payload = { v: -1 })), 'top');
      const c = new Recorder();
      mgr.spawn('/c', c);
      // The honest replicas are slow to start: only the liar's fragments arrive for a while.
      sim.crash('/kv/2');
      sim.crash('/kv/3');
      sim.crash('/kv/4');
      sim.at(1, () => c.ctx.send('/kv', { v: 1 }));
      sim.run({ maxTime: 1000 });
      expect(c.got).to.have.length(0);
      const merger = mgr.refinement.rolesAt('/c').merger;
      // The liar's retransmissions count once; its reply and its ACK of the request wait in two groups.
      expect(merger?.repeated).to.be.greaterThan(0);
      expect(merger?.openGroups).to.equal(2);
      sim.run({ maxTime: 20_000 });
      expect(c.got).to.have.length(0);
      // The liar retransmits for ever (nobody acknowledges it); each attempt reopens a group that expires again.
      expect(merger?.openGroups).to.be.at.most(2);
      expect(merger?.expired).to.be.at.least(2);
    });
  });

  describe('bad input', () => {
    it('should reject fragments from a child outside the from set', () => {
      const { sim, mgr } = world(6);
      mgr.refine('/kv', { children: ['1', '2', '3'], merge: { waitForMatching: 1, from: ['2', '3'] }, create: () => new Doubler() });
      const c = new Recorder();
      mgr.spawn('/c', c);
      const codes = watch(sim);
      sim.crash('/kv/2');
      sim.crash('/kv/3');
      sim.at(1, () => c.ctx.send('/kv', { v: 1 }));
      sim.run({ maxTime: 300 });
      expect(c.got).to.have.length(0);
      expect(codes[new FragmentOutsideFromSetError('', '').code]).to.be.greaterThan(0);
    });

    it('should reject a weaker merge spec (μ_F), a foreign parent, missing tags and extra tags', () => {
      const { sim, mgr } = world(7);
      const r = mgr.refine('/kv', { children: ['1', '2', '3'], merge: { waitForMatching: 2 }, create: () => new Doubler() });
      const weak = CompiledMergeSpec.from({ waitForMatching: 1, from: r.merge.spec.from });
      const forged: MuTag = { parent: r.parent, epoch: r.epoch, hash: weak.hash, spec: weak.spec };
      const variants: ((m: Envelope) => void)[] = [
        (m) => void (m.tags = [forged]),
        (m) => void (m.tags = [{ ...r.tag, parent: '/other' }]),
        (m) => void (m.tags = undefined),
        (m) => void (m.tags = [r.tag, r.tag]),
      ];
      variants.forEach((f, i) => sim.install(`/kv/${(i % 3) + 1}` as never, new Rewrite(f), 'top'));
      const c = new Recorder();
      mgr.spawn('/c', c);
      const codes = watch(sim);
      sim.at(1, () => c.ctx.send('/kv', { v: 1 }));
      sim.run({ maxTime: 300 });
      expect(c.got).to.have.length(0);
      expect(codes[new TagMismatchError('', '', '').code]).to.be.greaterThan(2);
    });

    it('should refuse tags of an old epoch after the grace period', () => {
      const { sim, mgr } = world(8);
      const r1 = mgr.refine('/kv', { children: ['1', '2'], create: () => new Doubler() });
      mgr.change('/kv', { children: ['1', '2', '3'] });
      sim.install('/kv/1' as never, new Rewrite((m) => void (m.tags = [r1.tag])), 'top');
      sim.crash('/kv/2');
      sim.crash('/kv/3');
      const c = new Recorder();
      mgr.spawn('/c', c);
      const codes = watch(sim);
      sim.at(5000, () => c.ctx.send('/kv', { v: 1 }));
      sim.run({ maxTime: 5300 });
      expect(c.got).to.have.length(0);
      expect(codes[new StaleEpochError('', 0, 0).code]).to.be.greaterThan(0);
    });

    it('should expire a merge group that never completes, and count it', () => {
      const { sim, mgr } = world(9, false);
      mgr.refine('/kv', { children: ['1', '2', '3'], merge: { waitForMatching: 2 }, create: () => new Doubler() });
      sim.crash('/kv/2');
      sim.crash('/kv/3');
      const c = new Recorder();
      mgr.spawn('/c', c);
      const codes = watch(sim);
      sim.at(1, () => c.ctx.send('/kv', { v: 1 }));
      sim.run({ maxTime: 20_000 });
      const merger = mgr.refinement.rolesAt('/c').merger;
      expect(merger?.expired).to.equal(1);
      expect(merger?.openGroups).to.equal(0);
      expect(codes[new MergeGroupExpiredError('', '', 0, 0, '').code]).to.equal(1);
    });

    it('should refuse sending to an agent that was refined away', () => {
      const { sim, mgr } = world(10);
      mgr.refine('/svc', { children: ['1', '2'], create: () => new Doubler() });
      const r = new Recorder();
      mgr.refine('/app', { children: ['x', 'y'], create: (p) => (p === '/app/x' ? r : new Recorder()) });
      mgr.change('/app', { children: ['x'] });
      const codes = watch(sim);
      sim.at(1, () => r.ctx.send('/app/y', 'hi'));
      sim.run({ maxTime: 100 });
      expect(codes[new RefinedAwayError('', 0).code]).to.equal(1);
    });
  });

  describe('changing a refinement on a live system', () => {
    it('should keep answering every request exactly once while a child is removed and the merge spec changes', () => {
      const report = runSeeds(
        {
          name: 'refinement changed while a client runs',
          options: { faults: [new Delay({ kind: 'uniform', min: 0.5, max: 8 })] },
          build(sim) {
            const rng = sim.rng.fork('workload');
            const mgr = new Manager(sim, { now: () => sim.now });
            mgr.refine('/svc', { children: ['1', '2', '3'], merge: { waitForMatching: 2 }, create: () => new Doubler() });
            const c = new Recorder();
            mgr.spawn('/c', c);
            const requests = rng.int(20, 60);
            for (let v = 1; v <= requests; v++) sim.at(v * 5, () => c.ctx.send('/svc', { v }));
            const changeAt = rng.int(10, requests * 5);
            const codes = watch(sim);
            sim.at(changeAt, () => mgr.change('/svc', { children: ['1', '2'], merge: { waitForMatching: 1 } }));
            const got = () => c.got.map((m) => (m.payload as { v: number }).v);
            return {
              maxTime: 30_000,
              done: () => c.got.length === requests,
              always: () => {
                if (new Set(got()).size !== c.got.length) throw new Error(`a reply came twice: ${got().join(',')}`);
              },
              atEnd: () => {
                expect(got().sort((a, b) => a - b)).to.deep.equal(Array.from({ length: requests }, (_, i) => 2 * (i + 1)));
                expect(mgr.hierarchy.refinementOf('/svc')?.epoch).to.equal(2);
                expect(sim.isRunning('/svc/3')).to.equal(false);
                expect(codes.ESCHER_STALE_EPOCH ?? 0).to.equal(0);
              },
            };
          },
        },
        { seeds: 300, budgetMs: 10_000 },
      );
      console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 300 })}`);
    });
  });

  describe('under loss, duplication and reordering', () => {
    it('should deliver every request and reply exactly once, and empty every outbox', () => {
      // The server is not refined here: replicas of a server without an ordering wrapper diverge when
      // messages are reordered (the replication wrapper's tests cover refined servers under faults).
      const report = runSeeds(
        {
          name: 'refined client, physical server, over a lossy network',
          options: { faults: [new Delay({ kind: 'uniform', min: 0.1, max: 5 }), new Discard(0.2), new Duplicate(0.1), new Shuffle(0.2)] },
          build(sim) {
            const mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 20 } });
            const rng = sim.rng.fork('workload');
            const server = new Doubler();
            mgr.spawn('/kv', server);
            const clients: Recorder[] = [];
            const n = rng.int(1, 3);
            mgr.refine('/app', { children: ['1', '2', '3'].slice(0, n), create: () => clients[clients.push(new Recorder()) - 1] as Recorder });
            const requests = rng.int(1, 20);
            for (let v = 1; v <= requests; v++) {
              const at = rng.int(0, 200);
              // Every client replica sends the same requests in the same order, as a replicated client's would.
              sim.at(at, () => clients.forEach((c) => c.ctx.send('/kv', { v })));
            }
            const replies = (c: Recorder) => c.got.map((m) => (m.payload as { v: number }).v);
            // A message for a refined agent is delivered once one child has it (R^I of replication, §2.2): the
            // children of an agent without an ordering wrapper may each miss some, but together they have all.
            const union = () => new Set(clients.flatMap(replies));
            const outboxesEmpty = () =>
              mgr.hierarchy.list().every((e) => e.kind === 'virtual' || mgr.refinement.rolesAt(e.path).outbox?.size === 0);
            return {
              maxTime: 60_000,
              done: () => union().size === requests && outboxesEmpty(),
              always: () => {
                for (const c of clients) if (new Set(replies(c)).size !== c.got.length) throw new Error(`a reply was delivered twice: ${replies(c).join(',')}`);
                if (server.ran > requests) throw new Error(`the server ran ${server.ran} requests of ${requests}`);
              },
              atEnd: () => {
                expect([...union()].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: requests }, (_, i) => 2 * (i + 1)));
                expect(server.ran).to.equal(requests);
                expect(outboxesEmpty()).to.equal(true);
              },
            };
          },
        },
        { seeds: 1000, budgetMs: 20_000 },
      );
      console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 1000 })}`);
    });
  });
});
