import { expect } from 'chai';
import {
  type AgentContext,
  type Continuation,
  type DeterministicBehavior,
  type Envelope,
  Metaobject,
  type Path,
  RoleRequirementError,
  createRuntime,
} from '@escher/core';
import { Adversary, Delay, Discard, Simulator } from '@escher/sim';
import {
  type Command,
  CorruptRaftStorageError,
  InvalidReplicationParamsError,
  MemoryStorage,
  nextIncarnation,
  RAFT_TAG,
  Replica,
  Replication,
  ReplicationWrapper,
} from '../src';

/** A deterministic adder: replies with the running total, and remembers what it ran. */
class Adder implements DeterministicBehavior {
  readonly deterministic = true;
  total = 0;
  readonly ran: string[] = [];
  receive(msg: Envelope, ctx: AgentContext): void {
    this.ran.push(`${msg.src}#${msg.id}`);
    const add = (msg.payload as { add?: unknown } | null)?.add;
    if (typeof add !== 'number') return; // not a request: no answer
    this.total += add;
    ctx.reply(msg, { total: this.total });
  }
}

/** Puts `tag` in the instance's slot of everything its agent sends (a forged or broken Raft message). */
class Forger extends Metaobject {
  constructor(
    private readonly slot: string,
    public value: unknown = RAFT_TAG,
  ) {
    super();
  }
  override transmit(msg: Envelope, next: Continuation): void {
    msg.setTag(this.slot, this.value);
    next(msg);
  }
}

/** Drops and errors summed over every runtime of a simulation, by code. */
function byCode(sim: Simulator, code: string): number {
  return sim.runtimes().reduce((n, rt) => n + (rt.counters.byCode.get(code) ?? 0), 0);
}

interface Replies {
  readonly got: Envelope[];
  totals(): number[];
}

/** Three adders refined under Replication, one client, fixed delays. */
function world(options: { seed?: number; replicas?: number; faults?: ConstructorParameters<typeof Simulator>[0]['faults'] } = {}) {
  const sim = new Simulator({ seed: options.seed ?? 1, faults: options.faults ?? [new Delay({ kind: 'fixed', ms: 1 })] });
  const n = options.replicas ?? 3;
  const apps: Adder[] = [];
  for (let i = 1; i <= n; i++) {
    const a = new Adder();
    apps.push(a);
    sim.spawn(`/kv/${i}`, a);
  }
  const got: Envelope[] = [];
  let ctx!: AgentContext;
  sim.spawn('/c', { onStart: (c) => void (ctx = c), receive: (m) => void got.push(m) });
  const smr = new Replication(sim, { service: '/kv', replicas: n, electionTimeoutMs: 50, heartbeatMs: 10 }, 'smr');
  const roles = smr.addReplicas();
  const replies: Replies = { got, totals: () => got.map((m) => (m.payload as { total: number }).total) };
  const send = (add: number) => ctx.send('/kv', { add });
  const role = (i: number) => roles[i - 1] as Replica;
  /** Runs until a leader is elected. */
  const elect = () => {
    sim.run({ maxTime: sim.now + 1_000, done: () => smr.leader() !== undefined });
    return smr.leader() as Path;
  };
  return { sim, smr, apps, replies, send, role, elect, client: () => ctx };
}

describe('Replica', () => {
  describe('installation', () => {
    it('should refuse an application that is not deterministic', () => {
      const rt = createRuntime();
      rt.spawn('/kv/1', { receive() {} });
      const smr = new Replication(rt, { service: '/kv', replicas: 1 });
      expect(() => smr.addReplica('/kv/1')).to.throw(RoleRequirementError, /deterministic/);
      rt.close();
    });

    it('should refuse bad parameters with a typed error', () => {
      const rt = createRuntime();
      const bad: [string, () => unknown][] = [
        ['service', () => new Replication(rt, { service: 'kv', replicas: 3 })],
        ['no replicas', () => new Replication(rt, { service: '/kv', replicas: 0 })],
        ['too many', () => new Replication(rt, { service: '/kv', replicas: 32 })],
        ['not a child', () => new Replication(rt, { service: '/kv', replicas: ['/kv/1', '/other/2'] })],
        ['twice', () => new Replication(rt, { service: '/kv', replicas: ['/kv/1', '/kv/1'] })],
        ['heartbeat', () => new Replication(rt, { service: '/kv', replicas: 3, electionTimeoutMs: 10, heartbeatMs: 10 })],
        ['window', () => new Replication(rt, { service: '/kv', replicas: 3, window: 0 })],
        ['minBatch', () => new Replication(rt, { service: '/kv', replicas: 3, minBatch: 10, maxBatch: 5 })],
        ['timeout', () => new Replication(rt, { service: '/kv', replicas: 3, electionTimeoutMs: Number.NaN })],
        ['flushMs', () => new Replication(rt, { service: '/kv', replicas: 3, flushMs: -1 })],
      ];
      for (const [what, make] of bad) {
        expect(make, what).to.throw(InvalidReplicationParamsError);
        try {
          make();
        } catch (e) {
          expect((e as InvalidReplicationParamsError).code).to.equal('ESCHER_REPLICATION_BAD_PARAMS');
        }
      }
      rt.close();
    });

    it('should refuse a non-member, and a member assuming its role twice', () => {
      const rt = createRuntime();
      rt.spawn('/kv/1', new Adder());
      rt.spawn('/kv/9', new Adder());
      const smr = new Replication(rt, { service: '/kv', replicas: 3 });
      expect(() => smr.addReplica('/kv/9')).to.throw(InvalidReplicationParamsError, /not a member/);
      smr.addReplica('/kv/1');
      expect(() => smr.addReplica('/kv/1')).to.throw(InvalidReplicationParamsError, /persistent state/);
      rt.close();
    });
  });

  describe('restart', () => {
    /** Three adders under Replication with a disk each, on a simulator: one machine per replica. */
    function durable(seed = 11) {
      const sim = new Simulator({ seed, faults: [new Delay({ kind: 'fixed', ms: 1 })] });
      const disks = new Map<string, MemoryStorage<Command>>();
      const smr = new Replication(
        sim,
        { service: '/kv', replicas: 3, electionTimeoutMs: 50, heartbeatMs: 10, storage: (p) => disks.get(p) as MemoryStorage<Command> },
        'smr',
      );
      for (const p of smr.members()) {
        disks.set(p, new MemoryStorage<Command>());
        sim.spawn(p, new Adder());
      }
      smr.addReplicas();
      let ctx!: AgentContext;
      const got: Envelope[] = [];
      sim.spawn('/c', { onStart: (c) => void (ctx = c), receive: (m) => void got.push(m) });
      sim.run({ maxTime: 1_000, done: () => smr.leader() !== undefined });
      return { sim, smr, disks, got, send: (add: number) => ctx.send('/kv', { add }) };
    }

    it('should take a crashed member back with storage, under a higher incarnation, replaying its log into a fresh application', () => {
      const { sim, smr, disks, got, send } = durable();
      [1, 2, 3].forEach(send);
      sim.run({ maxTime: sim.now + 200 });
      const victim = smr.members().find((p) => p !== smr.leader()) as Path;
      sim.crashNode(victim);
      send(4);
      sim.run({ maxTime: sim.now + 200 });
      const fresh = new Adder();
      sim.restartNode(victim, (rt) => {
        rt.spawn(victim, fresh, { incarnation: nextIncarnation(disks.get(victim) as MemoryStorage<Command>) });
        smr.addReplica(victim);
      });
      sim.run({ maxTime: sim.now + 300 });
      expect(fresh.total).to.equal(10);
      expect(fresh.ran).to.have.length(4);
      expect((disks.get(victim) as MemoryStorage<Command>).incarnation).to.equal(1);
      expect(smr.replicaAt(victim)?.applied).to.equal(4);
      // The client, with no merging role, hears each replica: the restarted one answered every request again, under incarnation 1.
      const fromVictim = got.filter((m) => m.src === victim);
      expect(fromVictim.map((m) => [m.inc, (m.payload as { total: number }).total]).slice(-4)).to.deep.equal([
        [1, 1],
        [1, 3],
        [1, 6],
        [1, 10],
      ]);
    });

    it('should refuse a member whose agent runs under an incarnation not above the one its storage recorded, leaving its stack as it was', () => {
      const { sim, smr } = durable();
      const victim = smr.members()[0] as Path;
      sim.crashNode(victim);
      sim.restartNode(victim, (rt) => {
        rt.spawn(victim, new Adder()); // incarnation 0: the one that crashed
        expect(() => smr.addReplica(victim)).to.throw(InvalidReplicationParamsError, /incarnation 0 already ran/);
        expect(rt.agent(victim)?.stack).to.deep.equal([]);
      });
    });

    it('should refuse a member whose role is still live, storage or not', () => {
      const { smr } = durable();
      expect(() => smr.addReplica(smr.members()[0] as Path)).to.throw(InvalidReplicationParamsError, /live replica role/);
    });

    it('should refuse to start on corrupt storage with CorruptRaftStorageError, and report a repaired torn tail', () => {
      const sim = new Simulator({ seed: 3 });
      const corrupt = new MemoryStorage<Command>();
      corrupt.saveEntry(1, 1, { id: -5, src: 'not a path', dst: '/kv', payload: 1 } as unknown as Command);
      corrupt.sync();
      const torn = new MemoryStorage<Command>();
      const load = torn.load.bind(torn);
      torn.load = () => ({ ...load(), repaired: '12 byte(s) at offset 80 (zeros)' });
      const disks = new Map<string, MemoryStorage<Command>>([
        ['/kv/1', corrupt],
        ['/kv/2', torn],
      ]);
      const smr = new Replication(sim, { service: '/kv', replicas: 2, storage: (p) => disks.get(p) as MemoryStorage<Command> }, 'smr');
      sim.spawn('/kv/1', new Adder());
      sim.spawn('/kv/2', new Adder());
      expect(() => smr.addReplica('/kv/1')).to.throw(CorruptRaftStorageError, /entry 1: command id/);
      smr.addReplica('/kv/2');
      expect(byCode(sim, 'ESCHER_REPLICATION_STORAGE_TORN_TAIL')).to.equal(1);
    });

    it('should stop a replica whose storage fails, reporting it, while the others go on', () => {
      const { sim, smr, disks, send } = durable();
      const victim = smr.members().find((p) => p !== smr.leader()) as Path;
      const disk = disks.get(victim) as MemoryStorage<Command>;
      disk.sync = () => {
        throw new Error('EIO');
      };
      [1, 2].forEach(send);
      sim.run({ maxTime: sim.now + 300 });
      expect(byCode(sim, 'ESCHER_REPLICATION_STORAGE_FAILED')).to.equal(1);
      expect(smr.replicaAt(victim)?.raft?.commitIndex).to.be.below(smr.replicaAt(smr.leader() as Path)?.raft?.commitIndex as number);
    });
  });

  describe('deliver: inputs', () => {
    it('should order requests on every replica and let every replica answer with the same ids', () => {
      const { sim, apps, replies, send, elect, role } = world();
      elect();
      for (let i = 1; i <= 5; i++) send(i);
      sim.run({ maxTime: sim.now + 200 });
      expect(apps.map((a) => a.total)).to.deep.equal([15, 15, 15]);
      expect(apps[1]?.ran).to.deep.equal(apps[0]?.ran);
      expect(apps[2]?.ran).to.deep.equal(apps[0]?.ran);
      // Three answers per request, one from each replica, with the same id and payload.
      expect(replies.got).to.have.length(15);
      for (let id = 1; id <= 5; id++) {
        const same = replies.got.filter((m) => m.id === id);
        expect(new Set(same.map((m) => m.src)).size).to.equal(3);
        expect(new Set(same.map((m) => JSON.stringify(m.payload))).size).to.equal(1);
      }
      for (let i = 1; i <= 3; i++) expect(role(i).heldCount).to.equal(0);
      expect(role(1).applied + role(2).applied + role(3).applied).to.equal(15);
    });

    it('should let a new leader propose the requests it held when the old leader crashed before ordering them', () => {
      // The requests never reach the first leader: only the followers hold them.
      const leaderOf = { path: '' };
      const { sim, smr, apps, replies, send, elect } = world({
        faults: [new Delay({ kind: 'fixed', ms: 1 }), new Discard(1, (from, to) => from === '/c' && to === leaderOf.path)],
      });
      leaderOf.path = elect();
      send(1);
      send(2);
      sim.run({ maxTime: sim.now + 30 });
      expect(replies.got).to.have.length(0);
      sim.crashNode(leaderOf.path);
      sim.run({ maxTime: sim.now + 1_000, done: () => replies.got.length === 4 });
      expect(smr.leader()).to.not.equal(leaderOf.path);
      expect(replies.totals()).to.have.members([1, 1, 3, 3]);
      const live = apps.filter((_, i) => `/kv/${i + 1}` !== leaderOf.path);
      for (const a of live) expect(a.total).to.equal(3);
    });

    it('should apply an input ordered twice only once, on every replica alike', () => {
      const { sim, apps, elect, smr, replies } = world();
      const leader = smr.replicaAt(elect()) as Replica;
      const twice: Command = { id: 1, src: '/c', dst: '/kv', payload: { add: 7 } };
      leader.raft?.propose(twice);
      leader.raft?.propose(twice);
      sim.run({ maxTime: sim.now + 100 });
      expect(apps.map((a) => a.total)).to.deep.equal([7, 7, 7]);
      for (const p of smr.members()) expect(smr.replicaAt(p)?.skipped, p).to.equal(1);
      expect(replies.got).to.have.length(3);
    });

    it('should pass an input already accepted down once more (the kernel counts and drops the duplicate)', () => {
      const { sim, apps, elect, send } = world();
      elect();
      class Again extends Metaobject {
        again(msg: Envelope): void {
          this.ctx.transmit(msg.copy());
        }
      }
      const again = new Again();
      sim.hostOf('/c').install('/c', again);
      const msg = send(5);
      sim.run({ maxTime: sim.now + 100 });
      const before = byCode(sim, 'ESCHER_DUPLICATE_MESSAGE');
      again.again(msg); // the same envelope, as a retransmitting outbox would send it
      sim.run({ maxTime: sim.now + 100 });
      expect(apps.map((a) => a.total)).to.deep.equal([5, 5, 5]);
      expect(byCode(sim, 'ESCHER_DUPLICATE_MESSAGE') - before).to.equal(3);
    });

    it('should order a message a sibling addresses to one replica like any other input', () => {
      const { sim, apps, elect } = world();
      const leader = elect();
      sim.spawn('/kv/helper', { onStart: (ctx) => ctx.setTimer(1, () => ctx.send(leader, { add: 100 })), receive() {} });
      sim.run({ maxTime: sim.now + 50 });
      expect(apps.map((a) => a.total)).to.deep.equal([100, 100, 100]);
    });

    it('should discard held requests that wait too long, with a typed, counted drop', () => {
      const sim = new Simulator({ seed: 3, faults: [new Delay({ kind: 'fixed', ms: 1 })] });
      for (let i = 1; i <= 3; i++) sim.spawn(`/kv/${i}`, new Adder());
      let ctx!: AgentContext;
      sim.spawn('/c', { onStart: (c) => void (ctx = c), receive() {} });
      const smr = new Replication(sim, { service: '/kv', replicas: 3, electionTimeoutMs: 50, heartbeatMs: 10, holdMs: 20, maxHeld: 2 }, 'smr');
      smr.addReplicas();
      // Two replicas down: no leader can be elected, so the last one holds everything.
      sim.crashNode('/kv/2');
      sim.crashNode('/kv/3');
      for (let i = 0; i < 5; i++) ctx.send('/kv', { add: 1 });
      sim.run({ maxTime: 10 });
      const r1 = smr.replicaAt('/kv/1') as Replica;
      expect(r1.heldCount).to.equal(2);
      expect(r1.expired).to.equal(3); // capacity
      sim.at(50, () => ctx.send('/kv', { add: 1 }));
      sim.run({ maxTime: 60 });
      expect(r1.expired).to.equal(5); // age
      expect(byCode(sim, 'ESCHER_REPLICATION_REQUEST_EXPIRED')).to.equal(5);
      smr.dispose(); // the one still held is reported, not handed to the application unordered
      expect(r1.expired).to.equal(6);
      expect(byCode(sim, 'ESCHER_REPLICATION_REQUEST_EXPIRED')).to.equal(6);
    });
  });

  describe('deliver: bad input', () => {
    it('should drop and count a Raft message from an agent that is not a replica', () => {
      const { sim, apps, smr, elect, client } = world();
      elect();
      sim.spawn('/kv/evil', { receive() {} });
      sim.hostOf('/kv/evil').install('/kv/evil', new Forger('smr'));
      sim.hostOf('/kv/evil').send('/kv/evil', '/kv/2', { kind: 'append', term: 99, prevIndex: 0, prevTerm: 0, terms: [], cmds: [], commit: 0, floor: 0 });
      // A client putting the tag on a request to the service: every replica refuses it.
      sim.hostOf('/c').install('/c', new Forger('smr'));
      client().send('/kv', { kind: 'requestVote', term: 99, lastIndex: 0, lastTerm: 0, pre: false });
      sim.run({ maxTime: sim.now + 50 });
      expect(byCode(sim, 'ESCHER_REPLICATION_NOT_A_MEMBER')).to.equal(4);
      expect(apps.map((a) => a.total)).to.deep.equal([0, 0, 0]);
      for (const p of smr.members()) expect(smr.replicaAt(p)?.term, p).to.be.below(99);
    });

    it('should drop and count malformed Raft messages from a replica, without disturbing Raft', () => {
      const { sim, apps, smr, elect, send } = world();
      const leader = elect();
      const from = smr.members().find((p) => p !== leader) as Path;
      const to = smr.members().find((p) => p !== leader && p !== from) as Path;
      const term = smr.replicaAt(leader)?.term ?? 1;
      const forger = new Forger('smr');
      sim.hostOf(from).install(from, forger, 'bottom');
      const ok = { kind: 'append', term, prevIndex: 0, prevTerm: 0, terms: [], cmds: [], commit: 0, floor: 0 };
      const one = (t: unknown, cmd: unknown) => ({ ...ok, terms: [t], cmds: [cmd] });
      const malformed: [unknown, unknown][] = [
        [RAFT_TAG, null],
        [RAFT_TAG, 'append'],
        [RAFT_TAG, { kind: 'gossip', term }],
        [RAFT_TAG, { ...ok, term: -1 }],
        [RAFT_TAG, { ...ok, term: 1.5 }],
        [RAFT_TAG, { ...ok, prevIndex: 'x' }],
        [RAFT_TAG, { ...ok, prevTerm: term + 1 }],
        [RAFT_TAG, { ...ok, floor: -1 }],
        [RAFT_TAG, { ...ok, terms: 'none' }],
        [RAFT_TAG, { ...ok, terms: [term], cmds: [] }],
        [RAFT_TAG, one('1', null)],
        [RAFT_TAG, one(term + 5, null)],
        [RAFT_TAG, one(term, 7)],
        [RAFT_TAG, one(term, { id: 0, src: '/c', dst: '/kv', payload: 1 })],
        [RAFT_TAG, one(term, { id: 1, src: 'c', dst: '/kv', payload: 1 })],
        [RAFT_TAG, one(term, { id: 1, src: '/c', dst: '/kv', payload: 1, roleTags: [1] })],
        [RAFT_TAG, { ...ok, terms: new Array(5000).fill(term), cmds: new Array(5000).fill(null) }],
        [RAFT_TAG, { kind: 'vote', term, granted: 'yes', pre: false }],
        [RAFT_TAG, { kind: 'requestVote', term, lastIndex: 0, lastTerm: term + 1, pre: false }],
        [RAFT_TAG, { kind: 'appendReply', term, success: true, index: -3 }],
        ['not-raft', ok],
        [{ raft: true }, ok],
      ];
      for (const [tag, payload] of malformed) {
        forger.value = tag;
        sim.hostOf(from).send(from, to, payload);
      }
      sim.run({ maxTime: sim.now + 20 });
      expect(byCode(sim, 'ESCHER_REPLICATION_MALFORMED')).to.equal(malformed.length);
      expect(smr.replicaAt(to)?.rejected).to.equal(malformed.length);
      sim.hostOf(from).remove(from, forger);
      // Raft carries on: a request is ordered and answered as before.
      send(3);
      sim.run({ maxTime: sim.now + 100 });
      expect(apps.map((a) => a.total)).to.deep.equal([3, 3, 3]);
      expect(smr.leader()).to.equal(leader);
    });

    it('should refuse everything a Byzantine sibling sends in the instance slot (simulator adversary)', () => {
      const { sim, apps, smr, elect, send } = world({ seed: 11 });
      elect();
      const adversary = new Adversary({
        rng: sim.rng.fork('adversary'),
        attacks: ['forge-tags', 'garbage', 'replay', 'flood'],
        peers: ['/kv/1', '/kv/2', '/kv/3'],
        floodSize: 5,
      });
      sim.spawn('/kv/mallory', adversary);
      sim.hostOf('/kv/mallory').install('/kv/mallory', adversary.forger);
      // Mallory sees the Raft traffic of a replica (a copy of each of /kv/1's messages) and abuses it.
      class Leak extends Metaobject {
        leaked = 0;
        override transmit(msg: Envelope, next: Continuation): void {
          next(msg);
          if (msg.tag('smr') !== undefined && msg.dst !== '/kv/mallory' && this.leaked++ < 40) {
            const copy = this.ctx.message('/kv/mallory', msg.payload);
            copy.setTag('smr', RAFT_TAG);
            this.ctx.transmit(copy);
          }
        }
      }
      sim.hostOf('/kv/1').install('/kv/1', new Leak());
      for (let i = 1; i <= 10; i++) sim.at(sim.now + 5 * i, () => send(1));
      sim.run({ maxTime: sim.now + 300 });
      expect([...adversary.attempted.values()].reduce((a, b) => a + b, 0)).to.be.greaterThan(0);
      const rejected = smr.members().reduce((n, p) => n + (smr.replicaAt(p)?.rejected ?? 0), 0);
      expect(rejected).to.be.greaterThan(0);
      expect(rejected).to.equal(byCode(sim, 'ESCHER_REPLICATION_NOT_A_MEMBER'));
      // Every request was applied once everywhere; Mallory's untagged messages are inputs, ordered like any other.
      for (const a of apps) expect(a.ran.filter((r) => r.startsWith('/c#'))).to.have.length(10);
      expect(apps[1]?.ran).to.deep.equal(apps[0]?.ran.slice(0, apps[1]?.ran.length));
      expect(apps[2]?.ran).to.deep.equal(apps[0]?.ran.slice(0, apps[2]?.ran.length));
    });
  });

  describe('ReplicationWrapper', () => {
    it('should make the children of a refined agent the replicas of one instance', () => {
      const sim = new Simulator({ seed: 5, faults: [new Delay({ kind: 'fixed', ms: 1 })] });
      const wrap = new ReplicationWrapper({ electionTimeoutMs: 50, heartbeatMs: 10 });
      const children = ['/kv/a', '/kv/b', '/kv/c'] as Path[];
      wrap.refined({ parent: '/kv' as Path, children });
      const apps = children.map((c) => {
        const a = new Adder();
        sim.spawn(c, a);
        wrap.attach(sim, '/kv' as Path, c, c);
        return a;
      });
      expect(wrap.replication?.id).to.equal('replication:/kv');
      sim.run({ maxTime: 500, done: () => wrap.leader() !== undefined });
      expect(children).to.include(wrap.leader());
      let ctx!: AgentContext;
      sim.spawn('/c', { onStart: (c) => void (ctx = c), receive() {} });
      ctx.send('/kv', { add: 2 });
      sim.run({ maxTime: sim.now + 100 });
      expect(apps.map((a) => a.total)).to.deep.equal([2, 2, 2]);
      expect(() => wrap.changing({ parent: '/kv' as Path, children })).to.throw(InvalidReplicationParamsError, /membership/);
      expect(() => wrap.attach(sim, '/kv' as Path, '/kv/a' as Path, '/kv/a/x' as Path)).to.throw(InvalidReplicationParamsError, /physical/);
      expect(() => wrap.attach(sim, '/other' as Path, '/other/a' as Path, '/other/a' as Path)).to.throw(InvalidReplicationParamsError);
    });

    it('should let the manager restart a replica only when it keeps storage', () => {
      expect(() => new ReplicationWrapper().restarting('/kv' as Path, '/kv/1' as Path)).to.throw(InvalidReplicationParamsError, /no storage/);
      expect(() => new ReplicationWrapper({ storage: () => new MemoryStorage<Command>() }).restarting('/kv' as Path, '/kv/1' as Path)).to.not.throw();
    });
  });
});
