import { expect } from 'chai';
import { type AppendEntries, type AppendReply, RaftNode, type Vote, electionTimeout } from '../src';
import { type Cmd, Cluster, OPTIONS, Recorder, type Sent } from './raft-cluster';

/** One node alone with a recording environment, for scripted exchanges. */
function lone(rank = 0, size = 3) {
  const net = { now: 0, sent: [] as Sent[], post: (s: Sent) => void net.sent.push(s) };
  const env = new Recorder(net, rank);
  const node = new RaftNode<Cmd>(rank, size, null, OPTIONS, env);
  node.start();
  const last = <T>() => (net.sent[net.sent.length - 1] as Sent).msg as T;
  return { net, env, node, last };
}

const append = (term: number, prevIndex: number, prevTerm: number, entries: [number, Cmd][], commit = 0): AppendEntries<Cmd> => ({
  kind: 'append',
  term,
  prevIndex,
  prevTerm,
  terms: entries.map(([t]) => t),
  cmds: entries.map(([, cmd]) => cmd),
  commit,
  floor: 0,
});

/** Commands of a node's kept log. */
const cmds = (node: RaftNode<Cmd>) => [...node.log.from(1)].map(([, , cmd]) => cmd);

describe('RaftNode', () => {
  describe('election', () => {
    it('should elect exactly one leader, known to every follower, in the first term', () => {
      const c = new Cluster(3);
      c.run(300);
      const leader = c.leader();
      expect(leader.term).to.equal(1);
      for (const n of c.nodes) {
        expect(n.term).to.equal(1);
        expect(n.leader).to.equal(leader.rank);
      }
    });

    it('should elect a leader with 1, 2, 5 and 7 replicas', () => {
      for (const size of [1, 2, 5, 7]) {
        const c = new Cluster(size);
        c.run(300);
        expect(c.leaders(), `size ${size}`).to.have.length(1);
      }
    });

    it('should spread election timeouts deterministically over [base, 2 × base), distinct within a term', () => {
      for (let term = 0; term < 50; term++) {
        const seen = new Set<number>();
        for (let rank = 0; rank < 5; rank++) {
          const t = electionTimeout(100, rank, 5, { group: 3, self: 11 * rank }, term);
          expect(t).to.be.within(100, 200);
          expect(electionTimeout(100, rank, 5, { group: 3, self: 11 * rank }, term)).to.equal(t);
          seen.add(Math.floor((t - 100) / 20));
        }
        expect(seen.size, `term ${term}: one slot per replica`).to.equal(5);
      }
    });

    it('should elect a new leader with a higher term when the leader crashes', () => {
      const c = new Cluster(3);
      c.run(300);
      const old = c.leader();
      c.down.add(old.rank);
      c.run(500);
      const next = c.leader();
      expect(next.rank).to.not.equal(old.rank);
      expect(next.term).to.be.greaterThan(old.term);
    });

    it('should make no progress without a majority, and recover when it returns', () => {
      const c = new Cluster(3);
      c.run(300);
      const old = c.leader();
      const others = [0, 1, 2].filter((r) => r !== old.rank);
      c.down.add(old.rank);
      c.down.add(others[0] as number);
      c.run(1000);
      expect(c.leaders()).to.deep.equal([]);
      c.down.delete(others[0] as number);
      c.run(1000);
      expect(c.leaders()).to.have.length(1);
    });
  });

  describe('pre-vote', () => {
    it('should ask before starting an election, and change no term by asking or answering', () => {
      const { node, net, last } = lone(0);
      net.now = 1000;
      node.tick();
      const ask = last<{ kind: string; term: number; pre: boolean }>();
      expect(ask).to.include({ kind: 'requestVote', term: 1, pre: true });
      expect(node.term).to.equal(0);
      node.receive(1, { kind: 'vote', term: 1, granted: false, pre: true });
      expect(node.role).to.equal('follower');
      const voter = lone(1);
      voter.node.receive(0, { kind: 'requestVote', term: 9, lastIndex: 0, lastTerm: 0, pre: true });
      expect(voter.last<Vote>()).to.include({ granted: true, term: 9, pre: true });
      expect(voter.node.term).to.equal(0);
      expect(voter.node.vote).to.equal(-1);
    });

    it('should refuse a pre-vote while it hears from a live leader', () => {
      const { node, net, last } = lone(1);
      node.receive(0, append(1, 0, 0, []));
      net.now = 50;
      node.receive(2, { kind: 'requestVote', term: 2, lastIndex: 0, lastTerm: 0, pre: true });
      expect(last<Vote>()).to.include({ granted: false, term: 1 });
      net.now = 200;
      node.receive(2, { kind: 'requestVote', term: 2, lastIndex: 0, lastTerm: 0, pre: true });
      expect(last<Vote>()).to.include({ granted: true, term: 2 });
    });

    it('should adopt the higher term of a refusal, so a replica behind in term can catch up', () => {
      const { node, net } = lone(0);
      net.now = 1000;
      node.tick();
      node.receive(1, { kind: 'vote', term: 7, granted: false, pre: true });
      expect(node.term).to.equal(7);
    });

    it('should let a replica back from a partition rejoin without deposing the leader', () => {
      const c = new Cluster(3);
      c.run(300);
      const leader = c.leader();
      const away = [0, 1, 2].find((r) => r !== leader.rank) as number;
      c.blocked = (f, t) => f === away || t === away;
      c.run(2000); // it times out again and again, asking in vain
      expect(c.nodes[away]?.term).to.equal(1);
      c.blocked = () => false;
      c.run(500);
      expect(c.leader().rank).to.equal(leader.rank);
      expect(leader.term).to.equal(1);
    });
  });

  describe('term rules', () => {
    it('should refuse an AppendEntries from an older term and tell the sender its term', () => {
      const { node, last } = lone(1);
      node.receive(0, append(3, 0, 0, []));
      expect(node.term).to.equal(3);
      node.receive(2, append(2, 0, 0, [[2, 'stale']]));
      const r = last<AppendReply>();
      expect(r).to.include({ kind: 'appendReply', term: 3, success: false });
      expect(node.log.lastIndex).to.equal(0);
    });

    it('should adopt a higher term from any message and forget its vote', () => {
      const { node, last } = lone(1);
      node.receive(0, { kind: 'requestVote', term: 2, lastIndex: 0, lastTerm: 0, pre: false });
      expect(last<Vote>()).to.include({ granted: true, term: 2 });
      expect(node.vote).to.equal(0);
      node.receive(2, { kind: 'vote', term: 5, granted: false, pre: false });
      expect(node.term).to.equal(5);
      expect(node.vote).to.equal(-1);
    });

    it('should vote at most once per term', () => {
      const { node, last } = lone(1);
      node.receive(0, { kind: 'requestVote', term: 2, lastIndex: 0, lastTerm: 0, pre: false });
      expect(last<Vote>().granted).to.equal(true);
      node.receive(2, { kind: 'requestVote', term: 2, lastIndex: 0, lastTerm: 0, pre: false });
      expect(last<Vote>().granted).to.equal(false);
      node.receive(0, { kind: 'requestVote', term: 2, lastIndex: 0, lastTerm: 0, pre: false });
      expect(last<Vote>().granted, 'the same candidate asking again').to.equal(true);
    });

    it('should refuse its vote to a candidate whose log is less up to date', () => {
      const { node, last } = lone(1);
      node.receive(0, append(2, 0, 0, [[1, 'a'], [2, 'b']]));
      // Shorter log with the same last term, then an older last term with a longer log.
      node.receive(2, { kind: 'requestVote', term: 3, lastIndex: 1, lastTerm: 2, pre: false });
      expect(last<Vote>().granted).to.equal(false);
      node.receive(2, { kind: 'requestVote', term: 4, lastIndex: 9, lastTerm: 1, pre: false });
      expect(last<Vote>().granted).to.equal(false);
      node.receive(2, { kind: 'requestVote', term: 5, lastIndex: 2, lastTerm: 2, pre: false });
      expect(last<Vote>().granted).to.equal(true);
    });

    it('should turn a candidate into a follower on an AppendEntries of its term', () => {
      const { node, net, env } = lone(0);
      net.now = 1000;
      node.tick();
      expect(node.role, 'a pre-vote first').to.equal('follower');
      node.receive(1, { kind: 'vote', term: 1, granted: true, pre: true });
      expect(node.role).to.equal('candidate');
      expect(node.term).to.equal(1);
      node.receive(1, append(node.term, 0, 0, []));
      expect(node.role).to.equal('follower');
      expect(node.leader).to.equal(1);
      expect(env.roles.map(([r]) => r)).to.deep.equal(['candidate', 'follower']);
    });

    it('should make a stale leader step down when a follower answers with a higher term', () => {
      const c = new Cluster(3);
      c.run(300);
      const old = c.leader();
      const others = [0, 1, 2].filter((r) => r !== old.rank);
      c.blocked = (f, t) => f === old.rank || t === old.rank;
      c.run(600);
      const next = c.leaders().filter((r) => r !== old.rank);
      expect(next).to.have.length(1);
      expect(old.isLeader, 'the old leader does not know yet').to.equal(true);
      c.blocked = () => false;
      c.run(100);
      expect(c.leaders()).to.deep.equal(next);
      expect(old.term).to.equal((c.nodes[next[0] as number] as RaftNode<Cmd>).term);
      expect(others).to.include(next[0]);
    });
  });

  describe('log replication and commit', () => {
    it('should replicate, commit and apply proposals in the same order everywhere', () => {
      const c = new Cluster(3);
      c.run(300);
      const leader = c.leader();
      for (const x of ['a', 'b', 'c']) expect(leader.propose(x)).to.be.greaterThan(0);
      c.run(100);
      for (let r = 0; r < 3; r++) expect(c.appliedBy(r)).to.deep.equal(['a', 'b', 'c']);
      expect(leader.commitIndex).to.equal(4); // the no-op, then a, b, c
    });

    it('should refuse proposals on a follower', () => {
      const c = new Cluster(3);
      c.run(300);
      const follower = c.nodes.find((n) => !n.isLeader) as RaftNode<Cmd>;
      expect(follower.propose('x')).to.equal(0);
    });

    it('should commit on a majority only', () => {
      const c = new Cluster(5);
      c.run(300);
      const leader = c.leader();
      const others = [0, 1, 2, 3, 4].filter((r) => r !== leader.rank);
      c.down.add(others[0] as number);
      c.down.add(others[1] as number);
      c.down.add(others[2] as number);
      const before = leader.commitIndex;
      leader.propose('x');
      c.run(50);
      expect(leader.commitIndex).to.equal(before);
      c.down.delete(others[2] as number);
      c.run(100);
      expect(leader.commitIndex).to.equal(before + 1);
      expect(c.appliedBy(leader.rank)).to.deep.equal(['x']);
    });

    it('should batch entries proposed while an AppendEntries is in flight (window 1)', () => {
      const c = new Cluster(3, { window: 1 });
      c.run(300);
      const leader = c.leader();
      const follower = [0, 1, 2].find((r) => r !== leader.rank) as number;
      c.log.length = 0;
      for (let i = 0; i < 10; i++) leader.propose(`x${i}`);
      const sizes = c.log
        .filter((s) => s.to === follower && s.msg.kind === 'append')
        .map((s) => (s.msg as AppendEntries<Cmd>).cmds.length);
      expect(sizes).to.deep.equal([1]); // the other nine wait for the answer
      c.deliverAll();
      const after = c.log.filter((s) => s.to === follower && s.msg.kind === 'append').map((s) => (s.msg as AppendEntries<Cmd>).cmds.length);
      expect(after.slice(0, 2)).to.deep.equal([1, 9]);
      c.run(50);
      expect(c.appliedBy(follower)).to.have.length(10);
    });

    it('should pipeline up to `window` AppendEntries per follower', () => {
      const c = new Cluster(3, { window: 3 });
      c.run(300);
      const leader = c.leader();
      const follower = [0, 1, 2].find((r) => r !== leader.rank) as number;
      c.log.length = 0;
      for (let i = 0; i < 10; i++) leader.propose(`x${i}`);
      const sizes = c.log.filter((s) => s.to === follower && s.msg.kind === 'append').map((s) => (s.msg as AppendEntries<Cmd>).cmds.length);
      expect(sizes).to.deep.equal([1, 1, 1]);
      expect(leader.progressOf(follower).inFlight).to.equal(3);
    });

    it('should hold fewer than minBatch waiting entries for the flush, and send a full batch at once', () => {
      const c = new Cluster(3, { minBatch: 4, flushMs: 1 });
      c.run(300);
      const leader = c.leader();
      const follower = [0, 1, 2].find((r) => r !== leader.rank) as number;
      const sizes = () =>
        c.log
          .filter((s) => s.to === follower && s.msg.kind === 'append')
          .map((s) => (s.msg as AppendEntries<Cmd>).cmds.length)
          .filter((n) => n > 0);
      c.log.length = 0;
      for (let i = 0; i < 3; i++) leader.propose(`a${i}`);
      expect(sizes()).to.deep.equal([]);
      c.run(1); // the flush
      expect(sizes()).to.deep.equal([3]);
      c.log.length = 0;
      for (let i = 0; i < 4; i++) leader.propose(`b${i}`);
      expect(sizes()).to.deep.equal([4]);
      c.run(50);
      expect(c.appliedBy(follower)).to.have.length(7);
    });

    it('should split a long catch-up into batches of at most maxBatch entries', () => {
      const c = new Cluster(3, { maxBatch: 4 });
      c.run(300);
      const leader = c.leader();
      const lagging = [0, 1, 2].find((r) => r !== leader.rank) as number;
      c.down.add(lagging);
      for (let i = 0; i < 30; i++) leader.propose(`x${i}`);
      c.run(100);
      c.down.delete(lagging);
      c.log.length = 0;
      c.run(500);
      const batches = c.log.filter((s) => s.to === lagging && s.msg.kind === 'append').map((s) => (s.msg as AppendEntries<Cmd>).cmds.length);
      expect(Math.max(...batches)).to.be.at.most(4);
      expect(c.appliedBy(lagging)).to.deep.equal(c.appliedBy(leader.rank));
    });

    it('should send entries again when an AppendEntries is lost (no per-entry timer)', () => {
      const c = new Cluster(3);
      c.run(300);
      const leader = c.leader();
      let lose = true;
      c.blocked = (f, t) => {
        if (lose && f === leader.rank && t !== leader.rank) {
          lose = false;
          return true;
        }
        return false;
      };
      leader.propose('x');
      c.run(200);
      for (let r = 0; r < 3; r++) expect(c.appliedBy(r)).to.deep.equal(['x']);
    });

    it('should tolerate duplicated and reordered messages', () => {
      const c = new Cluster(3, { window: 4 });
      c.run(300);
      const leader = c.leader();
      for (let i = 0; i < 20; i++) {
        leader.propose(`x${i}`);
        // Reverse what is in flight and duplicate its first two messages.
        c.queue.reverse();
        c.queue.push(...c.queue.slice(0, 2));
        c.deliverAll(3);
      }
      c.run(300);
      const expected = Array.from({ length: 20 }, (_, i) => `x${i}`);
      for (let r = 0; r < 3; r++) expect(c.appliedBy(r)).to.deep.equal(expected);
    });

    it('should carry a new commit index to followers at once, without waiting for a heartbeat', () => {
      const c = new Cluster(3);
      c.run(300);
      const leader = c.leader();
      leader.propose('x');
      c.deliverAll();
      for (let r = 0; r < 3; r++) expect(c.appliedBy(r), `replica ${r}`).to.deep.equal(['x']);
    });
  });

  describe('leader change', () => {
    it('should keep every committed entry across leader crashes', () => {
      const c = new Cluster(5);
      c.run(300);
      const committed: string[] = [];
      for (let round = 0; round < 2; round++) {
        const leader = c.leader();
        for (let i = 0; i < 5; i++) leader.propose(`r${round}.${i}`);
        c.run(100);
        committed.push(...Array.from({ length: 5 }, (_, i) => `r${round}.${i}`));
        expect(c.appliedBy(leader.rank)).to.deep.equal(committed);
        c.down.add(leader.rank);
        c.run(600);
      }
      const survivor = c.leader();
      survivor.propose('last');
      c.run(100);
      for (let r = 0; r < 5; r++) if (!c.down.has(r)) expect(c.appliedBy(r)).to.deep.equal([...committed, 'last']);
    });

    it('should commit a previous leader’s entries through its own no-op, never by counting replicas', () => {
      const c = new Cluster(3);
      c.run(300);
      const old = c.leader();
      const [a, b] = [0, 1, 2].filter((r) => r !== old.rank) as [number, number];
      // 'x' reaches follower a only, and a's answer is lost: nobody commits it.
      c.blocked = (f, t) => (f === old.rank && t === b) || (f === a && t === old.rank);
      old.propose('x');
      c.deliverAll();
      expect(old.commitIndex).to.equal(1);
      c.down.add(old.rank);
      c.blocked = () => false;
      c.run(600);
      const leader = c.leader();
      expect(leader.rank).to.equal(a); // b's log is behind: it cannot win
      for (const r of [a, b]) expect(c.appliedBy(r)).to.deep.equal(['x']);
      const noops = (c.envs[a] as Recorder).applied.filter((x) => x === null).length;
      expect(noops).to.equal(2);
    });

    it('should discard a deposed leader’s uncommitted entries and report them', () => {
      const c = new Cluster(3);
      c.run(300);
      const old = c.leader();
      c.blocked = (f, t) => f === old.rank || t === old.rank;
      old.propose('lost1');
      old.propose('lost2');
      c.run(600);
      const leader = c.leaders().find((r) => r !== old.rank) as number;
      (c.nodes[leader] as RaftNode<Cmd>).propose('kept');
      c.run(100);
      c.blocked = () => false;
      c.run(200);
      expect(old.isLeader).to.equal(false);
      for (let r = 0; r < 3; r++) expect(c.appliedBy(r)).to.deep.equal(['kept']);
      const discarded = (c.envs[old.rank] as Recorder).discards.flat();
      expect(discarded).to.include.members(['lost1', 'lost2']);
    });
  });

  describe('log repair', () => {
    it('should overwrite a follower’s conflicting uncommitted suffix with the leader’s entries', () => {
      const { node, env, last } = lone(1);
      // Term 1 leader 0 sent a, b, c; then term 2 leader 2 had only a and appended d, e.
      node.receive(0, append(1, 0, 0, [[1, 'a'], [1, 'b'], [1, 'c']], 1));
      node.receive(2, append(2, 2, 2, [[2, 'e']], 1));
      expect(last<AppendReply>()).to.include({ success: false });
      const hint = last<AppendReply>().index;
      expect(hint).to.be.at.least(1).and.below(3);
      node.receive(2, append(2, 1, 1, [[2, 'd'], [2, 'e']], 3));
      expect(last<AppendReply>()).to.include({ success: true, index: 3 });
      expect(cmds(node)).to.deep.equal(['a', 'd', 'e']);
      expect(env.discards).to.deep.equal([['b', 'c']]);
      expect(env.applied).to.deep.equal(['a', 'd', 'e']);
    });

    it('should answer a gap with its last index so the leader backs up in one step', () => {
      const { node, last } = lone(1);
      node.receive(0, append(1, 0, 0, [[1, 'a']]));
      node.receive(0, append(1, 7, 1, [[1, 'h']]));
      expect(last<AppendReply>()).to.include({ success: false, index: 1 });
    });

    it('should never overwrite a committed entry, and report the attempt', () => {
      const { node, env } = lone(1);
      node.receive(0, append(1, 0, 0, [[1, 'a'], [1, 'b']], 2));
      node.receive(2, append(2, 0, 0, [[2, 'z']], 0));
      expect(env.applied).to.deep.equal(['a', 'b']);
      expect(cmds(node)).to.deep.equal(['a', 'b']);
      expect(env.violations).to.have.length(1);
    });

    it('should ignore an AppendEntries already applied (a late duplicate) without truncating', () => {
      const { node, last } = lone(1);
      node.receive(0, append(1, 0, 0, [[1, 'a'], [1, 'b'], [1, 'c']], 3));
      node.receive(0, append(1, 0, 0, [[1, 'a']], 3));
      expect(last<AppendReply>()).to.include({ success: true, index: 1 });
      expect(node.log.lastIndex).to.equal(3);
    });

    it('should repair a follower that missed many entries under two leaders', () => {
      const c = new Cluster(3, { maxBatch: 3 });
      c.run(300);
      const first = c.leader();
      const lagging = [0, 1, 2].find((r) => r !== first.rank) as number;
      c.down.add(lagging);
      for (let i = 0; i < 10; i++) first.propose(`a${i}`);
      c.run(100);
      c.down.add(first.rank);
      c.down.delete(lagging);
      c.run(600); // the third replica leads (the lagging one cannot win)
      const second = c.leader();
      expect(second.rank).to.not.equal(lagging);
      for (let i = 0; i < 5; i++) second.propose(`b${i}`);
      c.run(300);
      expect(c.appliedBy(lagging)).to.deep.equal(c.appliedBy(second.rank));
      expect(c.appliedBy(lagging)).to.have.length(15);
      const from = Math.max(c.nodes[lagging]?.log.base ?? 0, second.log.base) + 1;
      expect(c.terms(lagging, from)).to.deep.equal(c.terms(second.rank, from));
      expect(c.nodes[lagging]?.log.lastIndex).to.equal(second.log.lastIndex);
    });
  });

  describe('compaction', () => {
    it('should drop applied entries that every follower has', () => {
      const c = new Cluster(3, { retainEntries: 10 });
      c.run(300);
      const leader = c.leader();
      for (let i = 0; i < 100; i++) leader.propose(`x${i}`);
      c.run(100);
      expect(leader.log.base).to.be.greaterThan(50);
      expect(leader.log.size).to.be.below(60);
      for (let r = 0; r < 3; r++) expect(c.appliedBy(r)).to.have.length(100);
    });

    it('should let followers drop what every replica has, as the leader tells them', () => {
      const c = new Cluster(3, { retainEntries: 1_000_000 });
      c.run(300);
      const leader = c.leader();
      for (let i = 0; i < 100; i++) leader.propose(`x${i}`);
      c.run(100);
      for (const n of c.nodes) expect(n.log.size, `replica ${n.rank}`).to.be.below(60);
    });

    it('should not take a follower for one beyond repair after a leader change that followed compaction', () => {
      const c = new Cluster(3, { retainEntries: 1_000_000 });
      c.run(300);
      const first = c.leader();
      for (let i = 0; i < 100; i++) first.propose(`x${i}`);
      c.run(100);
      const [a, b] = [0, 1, 2].filter((r) => r !== first.rank) as [number, number];
      c.down.add(first.rank);
      c.run(600);
      const second = c.leader();
      expect(second.log.base).to.be.greaterThan(50); // it compacted as a follower
      c.down.add(second.rank === a ? b : a);
      c.down.delete(first.rank); // back, with everything up to the old floor
      c.run(300);
      expect((c.envs[second.rank] as Recorder).behind).to.deep.equal([]);
      second.propose('y');
      c.run(100);
      expect(c.appliedBy(first.rank).slice(-1)).to.deep.equal(['y']);
    });

    it('should keep at most retainEntries for a crashed follower, and report one that needs more', () => {
      const c = new Cluster(3, { retainEntries: 10 });
      c.run(300);
      const leader = c.leader();
      const gone = [0, 1, 2].find((r) => r !== leader.rank) as number;
      c.down.add(gone);
      for (let i = 0; i < 100; i++) leader.propose(`x${i}`);
      c.run(100);
      expect(leader.log.size).to.be.at.most(30);
      c.down.delete(gone);
      c.run(100);
      const behind = (c.envs[leader.rank] as Recorder).behind;
      expect(behind).to.have.length(1);
      expect(behind[0]?.[0]).to.equal(gone);
      // It still hears heartbeats, so it does not disturb the leader with elections.
      c.run(1000);
      expect(c.leader().rank).to.equal(leader.rank);
      expect(leader.term).to.equal(1);
    });
  });
});
