import { CorruptRaftStorageError } from '../errors';
import type { AppendEntries, AppendReply, RaftMessage, RequestVote, Vote } from '../messages';
import type { RaftStorage } from '../storage/raft-storage';
import { electionTimeout } from './election-timeout';
import type { RaftEnv, RaftRole } from './raft-env';
import { RaftLog } from './raft-log';
import type { RaftOptions } from './raft-options';
import { Peer } from './peer';

const NO_ENTRIES: readonly never[] = Object.freeze([]);
/** Timer residues below this count as expired: re-arming for a rounding residue would fire at the same instant forever. */
const EPSILON_MS = 1e-3;

/**
 * One replica's Raft (Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm", 2014), sans I/O: it reacts to {@link RaftNode.receive},
 * {@link RaftNode.propose} and {@link RaftNode.tick}, and acts only through
 * its {@link RaftEnv}. Replicas are numbered 0 … size−1 (their rank).
 *
 * Beyond the paper's Figure 2:
 * - **Batching and pipelining.** A leader keeps at most `window`
 *   AppendEntries with entries in flight per follower; entries proposed
 *   meanwhile accumulate and leave together, up to `maxBatch`, when an
 *   answer frees a slot. Fewer than `minBatch` waiting entries leave on the
 *   next flush (`flushMs` later, by default the next timer turn) rather
 *   than at once: where answers come back as fast as proposals arrive (one
 *   process), this is what makes batches form. The commit index rides on
 *   every AppendEntries; when it advances and a follower has nothing in
 *   flight, a heartbeat carries it at once.
 * - **Loss.** No per-entry timers: on each heartbeat tick, entries
 *   outstanding to a follower without progress for `retryMs` are sent again
 *   from its match index. Heartbeats name the follower's match index as
 *   `prevIndex`, so they never fail and never disturb the pipeline.
 * - **Deterministic timeouts** (see `election-timeout.ts`), so that a
 *   simulation replays exactly.
 * - **Compaction.** Applied entries are dropped once every follower has
 *   them (followers learn this floor from the leader), but never more than
 *   `retainEntries` applied entries are kept for a lagging one.
 * - A new leader appends a no-op (`noop`) to commit its predecessors' entries.
 * - **PreVote** (Raft thesis §9.6): on an election timeout a replica first
 *   asks whether a majority would vote for it, and starts a real election
 *   (a new term) only if so. A replica that heard from a live leader within
 *   the base election timeout says no, so a replica coming back from a
 *   partition does not depose a healthy leader.
 *
 * - **Durable state** (optional {@link RaftStorage}): term, vote and every
 *   log entry are saved as they change, and synced before anything leaves
 *   that depends on them (any message: votes, AppendEntries answers,
 *   RequestVotes) and before the leader counts its own log toward a commit.
 *   One sync covers every change since the previous one, so a burst of
 *   proposals costs one. A node built on storage that holds state starts
 *   from it, as a follower with nothing known committed: the leader's next
 *   AppendEntries tells it the commit index, and it applies its log again
 *   from index 1. If storage fails, the node stops (as if crashed) and says
 *   so through `storageFailed`. Without storage, state is volatile and a
 *   crashed node must not come back.
 */
export class RaftNode<C> {
  private currentTerm = 0;
  private votedFor = -1;
  private currentRole: RaftRole = 'follower';
  private leaderRank = -1;
  private votes = 0;
  /** Between an election timeout and the real election: asking whether a majority would vote (PreVote). */
  private preVoting = false;
  private preVotes = 0;
  private commit = 0;
  private applied = 0;
  private lastHeard = 0;
  private stopped = false;
  /** A flush of partial batches is due (asked for through `wakeIn`). */
  private flushPending = false;
  private readonly peers: Peer[] = [];
  private readonly majority: number;
  private readonly scratch: number[];
  /** Follower: the last leader's compaction floor (see {@link AppendEntries.floor}). */
  private floor = 0;
  /** Changes saved to storage since its last sync. */
  private dirty = false;
  readonly log = new RaftLog<C>();

  /**
   * @param rank - this replica's number, 0 ≤ rank < size
   * @param size - number of replicas (2f + 1 tolerates f crashes)
   * @param noop - the command of the entry a new leader appends
   * @param storage - where term, vote and log survive a crash; the node starts from what it holds
   * @throws RangeError, CorruptRaftStorageError (from loading storage, or a stored vote for no replica)
   */
  constructor(
    readonly rank: number,
    readonly size: number,
    private readonly noop: C,
    private readonly options: RaftOptions,
    private readonly env: RaftEnv<C>,
    private readonly storage?: RaftStorage<C>,
  ) {
    if (!Number.isInteger(size) || size < 1 || size > 31) throw new RangeError(`size must be an integer in 1..31, got ${size}`);
    if (!Number.isInteger(rank) || rank < 0 || rank >= size) throw new RangeError(`rank must be in 0..${size - 1}, got ${rank}`);
    for (let i = 0; i < size; i++) this.peers.push(new Peer());
    this.majority = (size >> 1) + 1;
    this.scratch = new Array<number>(size).fill(0);
    if (storage !== undefined) this.restore(storage);
  }

  /** Starts from what `storage` made durable: term, vote, log; nothing known committed. */
  private restore(storage: RaftStorage<C>): void {
    const s = storage.load();
    if (s.votedFor >= this.size) throw new CorruptRaftStorageError(`replica ${this.rank}`, `a vote for replica ${s.votedFor} of ${this.size}`);
    this.currentTerm = s.term;
    this.votedFor = s.votedFor;
    for (let i = 0; i < s.terms.length; i++) this.log.append(s.terms[i] as number, s.cmds[i] as C);
  }

  /** Term and vote changed: save them (synced before anything leaves). */
  private setTermAndVote(term: number, votedFor: number): void {
    this.currentTerm = term;
    this.votedFor = votedFor;
    const storage = this.storage;
    if (storage === undefined) return;
    storage.saveTermAndVote(term, votedFor);
    this.dirty = true;
  }

  /** Appends to the log and saves the entry (synced before anything leaves, or counts toward a commit). */
  private appendEntry(term: number, cmd: C): number {
    const index = this.log.append(term, cmd);
    const storage = this.storage;
    if (storage !== undefined) {
      storage.saveEntry(index, term, cmd);
      this.dirty = true;
    }
    return index;
  }

  /**
   * Makes saved changes durable. On failure the node stops: it can no
   * longer promise what it says, so it says nothing more.
   */
  private persist(): boolean {
    if (this.stopped) return false;
    try {
      (this.storage as RaftStorage<C>).sync();
      this.dirty = false;
      return true;
    } catch (e) {
      this.stopped = true;
      this.env.storageFailed(e);
      return false;
    }
  }

  /** Every message leaves through here: nothing is said before what it depends on is durable. */
  private send(to: number, msg: RaftMessage<C>): void {
    if (this.dirty && !this.persist()) return;
    this.env.send(to, msg);
  }

  /** Current term. */
  get term(): number {
    return this.currentTerm;
  }

  /** Follower, candidate or leader. */
  get role(): RaftRole {
    return this.currentRole;
  }

  /** This node leads its term. */
  get isLeader(): boolean {
    return this.currentRole === 'leader';
  }

  /** Rank of the leader this node knows for its term, or -1. */
  get leader(): number {
    return this.leaderRank;
  }

  /** Highest index known committed. */
  get commitIndex(): number {
    return this.commit;
  }

  /** Highest index handed to `apply`. */
  get lastApplied(): number {
    return this.applied;
  }

  /** The candidate this node voted for in its term, or -1. */
  get vote(): number {
    return this.votedFor;
  }

  /** A leader's view of follower `rank`: next index to send and highest known match. */
  progressOf(rank: number): { next: number; match: number; inFlight: number } {
    const p = this.peers[rank] as Peer;
    return { next: p.next, match: p.match, inFlight: p.inFlight.length };
  }

  /** Starts the election timer. */
  start(): void {
    this.lastHeard = this.env.now();
    this.env.wakeIn(this.timeout());
  }

  /** Stops reacting to anything (the replica was removed or crashed). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Appends `cmd` to the log if this node is the leader and returns its
   * index; returns 0 otherwise. The command is applied once committed.
   */
  propose(cmd: C): number {
    if (this.currentRole !== 'leader' || this.stopped) return 0;
    const index = this.appendEntry(this.currentTerm, cmd);
    if (this.size === 1) {
      this.advanceCommit();
      return index;
    }
    const peers = this.peers;
    for (let r = 0; r < peers.length; r++) if (r !== this.rank) this.maybeSend(r, peers[r] as Peer);
    return index;
  }

  /** Asks for a tick soon, which sends partial batches. */
  private requestFlush(): void {
    if (this.flushPending) return;
    this.flushPending = true;
    this.env.wakeIn(this.options.flushMs);
  }

  /** The timer asked for through `wakeIn` fired. */
  tick(): void {
    if (this.stopped) return;
    const now = this.env.now();
    this.flushPending = false;
    if (this.currentRole === 'leader') {
      this.leaderTick(now);
      this.env.wakeIn(this.options.heartbeatMs);
      return;
    }
    const left = this.lastHeard + this.timeout() - now;
    if (left > EPSILON_MS) {
      this.env.wakeIn(left);
      return;
    }
    this.startPreVote(now);
  }

  /** A message from replica `from` (already checked to be well formed). */
  receive(from: number, msg: RaftMessage<C>): void {
    if (this.stopped || from === this.rank || from < 0 || from >= this.size) return;
    // A pre-vote request, and a granted pre-vote, name a term nobody has entered yet.
    const hypothetical = (msg.kind === 'requestVote' && msg.pre) || (msg.kind === 'vote' && msg.pre && msg.granted);
    if (msg.term > this.currentTerm && !hypothetical) this.becomeFollower(msg.term, -1);
    switch (msg.kind) {
      case 'requestVote':
        this.onRequestVote(from, msg);
        return;
      case 'vote':
        this.onVote(from, msg);
        return;
      case 'append':
        this.onAppend(from, msg);
        return;
      case 'appendReply':
        this.onAppendReply(from, msg);
        return;
      default: {
        const never: never = msg;
        throw new Error(`unknown Raft message ${JSON.stringify(never)}`);
      }
    }
  }

  // ---- elections -------------------------------------------------------------

  private timeout(): number {
    return electionTimeout(this.options.electionTimeoutMs, this.rank, this.size, this.options.seeds, this.currentTerm);
  }

  private startPreVote(now: number): void {
    if (this.size === 1) {
      this.startElection(now);
      return;
    }
    this.preVoting = true;
    this.preVotes = 1 << this.rank;
    this.leaderRank = -1;
    this.lastHeard = now;
    const ask: RequestVote = {
      kind: 'requestVote',
      term: this.currentTerm + 1,
      lastIndex: this.log.lastIndex,
      lastTerm: this.log.lastTerm,
      pre: true,
    };
    for (let r = 0; r < this.size; r++) if (r !== this.rank) this.send(r, ask);
    this.env.wakeIn(this.timeout());
  }

  private startElection(now: number): void {
    this.preVoting = false;
    this.setTermAndVote(this.currentTerm + 1, this.rank);
    this.leaderRank = -1;
    this.votes = 1 << this.rank;
    this.lastHeard = now;
    const changed = this.currentRole !== 'candidate';
    this.currentRole = 'candidate';
    if (changed) this.env.roleChanged('candidate', this.currentTerm);
    if (this.size === 1) {
      this.becomeLeader(now);
      return;
    }
    const ask: RequestVote = {
      kind: 'requestVote',
      term: this.currentTerm,
      lastIndex: this.log.lastIndex,
      lastTerm: this.log.lastTerm,
      pre: false,
    };
    for (let r = 0; r < this.size; r++) if (r !== this.rank) this.send(r, ask);
    this.env.wakeIn(this.timeout());
  }

  private onRequestVote(from: number, m: RequestVote): void {
    const upToDate = m.lastTerm > this.log.lastTerm || (m.lastTerm === this.log.lastTerm && m.lastIndex >= this.log.lastIndex);
    if (m.pre) {
      const now = this.env.now();
      const leaderAlive =
        this.currentRole === 'leader' || (this.leaderRank >= 0 && now - this.lastHeard < this.options.electionTimeoutMs);
      const yes = m.term > this.currentTerm && upToDate && !leaderAlive;
      const answer: Vote = { kind: 'vote', term: yes ? m.term : this.currentTerm, granted: yes, pre: true };
      this.send(from, answer);
      return;
    }
    const granted =
      m.term === this.currentTerm &&
      this.currentRole === 'follower' &&
      (this.votedFor === -1 || this.votedFor === from) &&
      upToDate;
    if (granted) {
      this.setTermAndVote(this.currentTerm, from);
      this.lastHeard = this.env.now();
    }
    const answer: Vote = { kind: 'vote', term: this.currentTerm, granted, pre: false };
    this.send(from, answer);
  }

  private onVote(from: number, m: Vote): void {
    if (m.pre) {
      if (!this.preVoting || !m.granted || m.term !== this.currentTerm + 1) return;
      this.preVotes |= 1 << from;
      if (popcount(this.preVotes) >= this.majority) this.startElection(this.env.now());
      return;
    }
    if (this.currentRole !== 'candidate' || m.term !== this.currentTerm || !m.granted) return;
    this.votes |= 1 << from;
    if (popcount(this.votes) >= this.majority) this.becomeLeader(this.env.now());
  }

  private becomeLeader(now: number): void {
    this.preVoting = false;
    this.currentRole = 'leader';
    this.leaderRank = this.rank;
    const next = this.log.lastIndex + 1;
    // Every replica had the entries up to the last leader's floor: start from there rather than 0, so that a
    // follower is never taken for one that needs entries this replica already dropped.
    const known = Math.min(this.floor, this.log.lastIndex);
    for (const p of this.peers) p.reset(next, known, now);
    this.appendEntry(this.currentTerm, this.noop);
    for (let r = 0; r < this.size; r++) if (r !== this.rank) this.sendAppend(r, this.peers[r] as Peer, now);
    this.env.roleChanged('leader', this.currentTerm);
    if (this.size === 1) this.advanceCommit();
    this.env.wakeIn(this.options.heartbeatMs);
  }

  /** Steps down (or stays down) into `term`, which is ≥ the current one; `leader` if known. */
  private becomeFollower(term: number, leader: number): void {
    this.preVoting = false;
    if (term > this.currentTerm) this.setTermAndVote(term, -1);
    this.leaderRank = leader;
    if (this.currentRole === 'follower') return;
    const wasLeader = this.currentRole === 'leader';
    this.currentRole = 'follower';
    if (wasLeader) {
      // The heartbeat timer keeps running; from now on it counts toward an election.
      this.lastHeard = this.env.now();
    }
    this.env.roleChanged('follower', this.currentTerm);
  }

  // ---- replication: follower side -------------------------------------------

  private onAppend(from: number, m: AppendEntries<C>): void {
    if (m.term < this.currentTerm) {
      this.reply(from, false, this.log.lastIndex);
      return;
    }
    if (this.currentRole === 'leader') {
      this.env.violation(`two leaders in term ${m.term}: ${this.rank} and ${from}`);
      return;
    }
    this.becomeFollower(m.term, from);
    this.lastHeard = this.env.now();
    const log = this.log;
    if (m.prevIndex > log.lastIndex) {
      this.reply(from, false, log.lastIndex);
      return;
    }
    const terms = m.terms;
    const cmds = m.cmds;
    const count = terms.length;
    // Entries up to the log's base are applied here, hence committed, hence equal to the leader's: skip them.
    let skip = 0;
    let prev = m.prevIndex;
    if (prev < log.base) {
      skip = Math.min(count, log.base - prev);
      prev += skip;
      if (prev < log.base) {
        this.reply(from, true, prev);
        return;
      }
    } else if (log.termAt(prev) !== m.prevTerm) {
      this.reply(from, false, this.conflictHint(prev));
      return;
    }
    let index = prev + 1;
    for (let i = skip; i < count; i++, index++) {
      const term = terms[i] as number;
      if (index <= log.lastIndex) {
        if (log.termAt(index) === term) continue;
        if (index <= this.commit) {
          this.env.violation(`leader ${from} would overwrite committed entry ${index}`);
          return;
        }
        this.env.discarded(log.truncateFrom(index));
      }
      this.appendEntry(term, cmds[i] as C);
    }
    const matched = m.prevIndex + count;
    this.reply(from, true, matched);
    if (m.floor > this.floor) this.floor = Math.min(m.floor, matched);
    const commit = Math.min(m.commit, matched);
    if (commit > this.commit) {
      this.commit = commit;
      this.applyCommitted();
    }
  }

  /**
   * Where the leader should look next after `prevIndex` did not match: just
   * before the first entry of the conflicting term (one round trip per term
   * rather than per entry), never below what is committed here.
   */
  private conflictHint(prevIndex: number): number {
    const log = this.log;
    const t = log.termAt(prevIndex);
    let i = prevIndex - 1;
    while (i > this.commit && i > log.base && log.termAt(i) === t) i--;
    return Math.max(i, this.commit < log.base ? log.base : this.commit);
  }

  private reply(to: number, success: boolean, index: number): void {
    const r: AppendReply = { kind: 'appendReply', term: this.currentTerm, success, index };
    this.send(to, r);
  }

  // ---- replication: leader side ---------------------------------------------

  private onAppendReply(from: number, m: AppendReply): void {
    if (this.currentRole !== 'leader' || m.term !== this.currentTerm) return;
    const p = this.peers[from] as Peer;
    const now = this.env.now();
    if (!m.success) {
      // An answer overtaken by a later success (reordering) teaches nothing.
      if (m.index < p.match) return;
      const next = Math.max(p.match + 1, Math.min(p.next, m.index + 1));
      if (next >= p.next) return;
      p.next = next;
      p.inFlight.length = 0;
      // Go back at once, unless the log cannot repair it: then it hears heartbeats on ticks only.
      if (next <= this.log.base) this.reportBehind(from, p);
      else this.sendAppend(from, p, now);
      return;
    }
    if (m.index > this.log.lastIndex) return; // cannot match what was never sent
    const q = p.inFlight;
    while (q.length > 0 && (q[0] as number) <= m.index) q.shift();
    if (m.index > p.match) {
      p.match = m.index;
      p.lastProgress = now;
      if (p.next <= p.match) p.next = p.match + 1;
      this.advanceCommit();
    }
    this.maybeSend(from, p);
  }

  /**
   * Sends to `p` if a window slot is free and there are at least `minBatch`
   * entries it lacks (fewer wait for the flush), or a commit index it lacks.
   */
  private maybeSend(rank: number, p: Peer): void {
    if (p.inFlight.length >= this.options.window) return;
    const waiting = this.log.lastIndex - p.next + 1;
    if (waiting > 0) {
      // A follower the log cannot repair hears from us on heartbeat ticks only.
      if (p.next <= this.log.base) return;
      if (waiting < this.options.minBatch) this.requestFlush();
      else this.sendAppend(rank, p, this.env.now());
    }
    else if (p.sentCommit < this.commit && p.inFlight.length === 0) this.sendHeartbeat(rank, p, this.env.now());
  }

  /** AppendEntries from `p.next` (up to `maxBatch` entries, possibly none). */
  private sendAppend(rank: number, p: Peer, now: number): void {
    const log = this.log;
    const prev = p.next - 1;
    if (prev < log.base) {
      this.reportBehind(rank, p);
      this.sendHeartbeat(rank, p, now);
      return;
    }
    const last = Math.min(log.lastIndex, prev + this.options.maxBatch);
    const some = last > prev;
    const m: AppendEntries<C> = {
      kind: 'append',
      term: this.currentTerm,
      prevIndex: prev,
      prevTerm: log.termAt(prev),
      terms: some ? log.termsOf(prev + 1, last) : NO_ENTRIES,
      cmds: some ? log.cmdsOf(prev + 1, last) : NO_ENTRIES,
      commit: this.commit,
      floor: this.minMatch(),
    };
    if (some) {
      if (p.match === prev || p.inFlight.length === 0) p.lastProgress = now;
      p.inFlight.push(last);
      p.next = last + 1;
    }
    p.sentCommit = this.commit;
    p.lastSent = now;
    this.send(rank, m);
  }

  private reportBehind(rank: number, p: Peer): void {
    if (p.behindReported) return;
    p.behindReported = true;
    this.env.followerBehind(rank, p.next, this.log.base + 1);
  }

  /** An empty AppendEntries at the follower's match index: it cannot fail, and it carries the commit index. */
  private sendHeartbeat(rank: number, p: Peer, now: number): void {
    const log = this.log;
    const prev = Math.max(p.match, log.base);
    const m: AppendEntries<C> = {
      kind: 'append',
      term: this.currentTerm,
      prevIndex: prev,
      prevTerm: log.termAt(prev),
      terms: NO_ENTRIES,
      cmds: NO_ENTRIES,
      commit: this.commit,
      floor: this.minMatch(),
    };
    p.sentCommit = this.commit;
    p.lastSent = now;
    this.send(rank, m);
  }

  private leaderTick(now: number): void {
    const { heartbeatMs, retryMs, window } = this.options;
    for (let r = 0; r < this.size; r++) {
      if (r === this.rank) continue;
      const p = this.peers[r] as Peer;
      if (p.next - 1 > p.match && now - p.lastProgress >= retryMs - EPSILON_MS) {
        // Entries outstanding without progress: lost (or their answers were). Go back to the match index.
        p.next = p.match + 1;
        p.inFlight.length = 0;
        this.sendAppend(r, p, now);
      } else if (p.next <= this.log.lastIndex && p.next > this.log.base && p.inFlight.length < window) {
        this.sendAppend(r, p, now); // a partial batch, or entries the window held back
      } else if (now - p.lastSent >= heartbeatMs - EPSILON_MS) {
        if (p.next <= this.log.lastIndex && p.inFlight.length < window) this.sendAppend(r, p, now);
        else this.sendHeartbeat(r, p, now);
      }
    }
  }

  /** Commits the highest index stored on a majority, if it is from the current term (Raft §5.4.2). */
  private advanceCommit(): void {
    // The leader's own log counts toward the majority only once durable.
    if (this.dirty && !this.persist()) return;
    const s = this.scratch;
    for (let r = 0; r < this.size; r++) s[r] = r === this.rank ? this.log.lastIndex : (this.peers[r] as Peer).match;
    // Insertion sort, descending: size is small.
    for (let i = 1; i < s.length; i++) {
      const v = s[i] as number;
      let j = i - 1;
      while (j >= 0 && (s[j] as number) < v) {
        s[j + 1] = s[j] as number;
        j--;
      }
      s[j + 1] = v;
    }
    const n = s[this.majority - 1] as number;
    if (n <= this.commit || this.log.termAt(n) !== this.currentTerm) return;
    this.commit = n;
    this.applyCommitted();
    for (let r = 0; r < this.size; r++) if (r !== this.rank) this.maybeSend(r, this.peers[r] as Peer);
  }

  private applyCommitted(): void {
    const log = this.log;
    while (this.applied < this.commit) {
      const index = ++this.applied;
      this.env.apply(index, log.cmdAt(index));
    }
    this.compact();
  }

  /** Lowest match index among followers: what every follower has. */
  private minMatch(): number {
    let min = this.log.lastIndex;
    for (let r = 0; r < this.size; r++) if (r !== this.rank) min = Math.min(min, (this.peers[r] as Peer).match);
    return min;
  }

  /**
   * Drops applied entries every follower has (as far as the leader knows,
   * or as far as the last leader said), keeping at most `retainEntries`
   * applied entries for a follower that lags (or has crashed).
   */
  private compact(): void {
    const floor = this.currentRole === 'leader' ? this.minMatch() : this.floor;
    const upTo = Math.max(this.applied - this.options.retainEntries, Math.min(this.applied, floor));
    if (upTo > this.log.base) this.log.compactTo(upTo);
  }
}

function popcount(x: number): number {
  let n = 0;
  for (let b = x; b !== 0; b &= b - 1) n++;
  return n;
}
