import type { Command } from '../messages';

/**
 * What a replica had made durable when it stopped: Raft's persistent state
 * (Figure 2 of the Raft paper: current term, vote, log) and the incarnation
 * it ran as.
 */
export interface PersistedRaftState<C = Command> {
  /** Latest term the replica had seen (0: none). */
  readonly term: number;
  /** Rank it voted for in `term`, or -1. */
  readonly votedFor: number;
  /** Terms of log entries 1 … n. */
  readonly terms: readonly number[];
  /** Commands of log entries 1 … n. */
  readonly cmds: readonly C[];
  /** Incarnation of the last replica that ran on this storage, or -1 if none has. */
  readonly incarnation: number;
  /** What was dropped while loading (a torn last write), if anything; the replica reports it. */
  readonly repaired?: string;
}

/**
 * Stable storage for one Raft replica: what must survive a crash for it to
 * restart safely (a replica that forgot its vote could vote twice in a term;
 * one that forgot entries it acknowledged could undo a commit).
 *
 * Writes are synchronous and buffered: `save*` calls record changes, and
 * nothing they record may be taken as durable until {@link RaftStorage.sync}
 * returns. The Raft core calls `sync` before anything leaves that depends on
 * what it wrote — a vote, an AppendEntries answer, a RequestVote — and before
 * counting its own log toward a commit, so each burst of changes costs one
 * sync (one `fsync` for {@link FileStorage}), however many entries it holds.
 * A crash loses whatever was not synced, which is exactly what nobody was
 * told about.
 *
 * The log is kept whole: the core's in-memory compaction does not shorten it,
 * because a restarted replica rebuilds its application by applying every
 * committed entry again from index 1 (there are no snapshots).
 */
export interface RaftStorage<C = Command> {
  /**
   * The durable state, as of the last `sync` (anything saved since is
   * dropped, as a crash would). Read once, when a replica starts.
   * @throws CorruptRaftStorageError
   */
  load(): PersistedRaftState<C>;
  /** The incarnation recorded by the last replica that ran here, or -1 (durable value). */
  readonly incarnation: number;
  /** Records the current term and the vote in it. */
  saveTermAndVote(term: number, votedFor: number): void;
  /** Records log entry `index`; entries after it, if any were stored, are gone (a follower overwriting a conflicting suffix). */
  saveEntry(index: number, term: number, cmd: C): void;
  /** Records the incarnation a replica starting on this storage runs as. */
  saveIncarnation(incarnation: number): void;
  /** Makes everything saved so far durable before returning. @throws RaftStorageError */
  sync(): void;
  /** Lets go of the underlying resources (a crashed or removed replica); unsynced changes are dropped. */
  close?(): void;
}

/** The incarnation a replica restarting on `storage` should run as: one more than the last recorded there. */
export function nextIncarnation(storage: RaftStorage<unknown>): number {
  return storage.incarnation + 1;
}
