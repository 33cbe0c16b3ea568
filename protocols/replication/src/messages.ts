/**
 * The messages replicas exchange. Raft's own messages are generic in the
 * command type `C` so the Raft core knows nothing about envelopes; the
 * replica role instantiates them with {@link Command}.
 *
 * Every message is a plain, structured-cloneable value (it may cross a
 * real network), is treated as immutable once sent (payloads are shared
 * between local receivers) and is validated field by field on arrival
 * (`validate.ts`).
 */

/**
 * Candidate → every replica: vote for me in `term`; my log ends at
 * (`lastIndex`, `lastTerm`). With `pre`, a pre-vote (Raft thesis §9.6):
 * would you vote for me if I started an election in `term`? Nobody changes
 * state for a pre-vote, so a replica cut off by a partition cannot force a
 * healthy leader to step down when it comes back.
 */
export interface RequestVote {
  readonly kind: 'requestVote';
  readonly term: number;
  readonly lastIndex: number;
  readonly lastTerm: number;
  readonly pre: boolean;
}

/**
 * Replica → candidate: the answer to a {@link RequestVote}. For a granted
 * pre-vote, `term` is the term asked about; otherwise it is the voter's
 * current term.
 */
export interface Vote {
  readonly kind: 'vote';
  readonly term: number;
  readonly granted: boolean;
  readonly pre: boolean;
}

/**
 * Leader → follower: append entries after the entry at `prevIndex` (whose
 * term must be `prevTerm`), and the leader has committed up to `commit`.
 * Entry `prevIndex + 1 + i` has term `terms[i]` and command `cmds[i]` (two
 * parallel arrays rather than an object per entry: a batch costs two
 * allocations, not one per entry). With no entries it is a heartbeat.
 */
export interface AppendEntries<C> {
  readonly kind: 'append';
  readonly term: number;
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly terms: readonly number[];
  readonly cmds: readonly C[];
  readonly commit: number;
  /**
   * Every follower the leader knows of has the entries up to here: a
   * follower may drop applied entries up to this index (it would not need
   * them to repair another replica if it became leader).
   */
  readonly floor: number;
}

/**
 * Follower → leader: the answer to an {@link AppendEntries}. On success,
 * `index` is the last index known to match the leader's log; on failure, it
 * is the follower's hint: the leader should retry with `prevIndex ≤ index`.
 */
export interface AppendReply {
  readonly kind: 'appendReply';
  readonly term: number;
  readonly success: boolean;
  readonly index: number;
}

/** Every Raft message, told apart by `kind`. */
export type RaftMessage<C> = RequestVote | Vote | AppendEntries<C> | AppendReply;

/**
 * An input of the replicated application as it travels in the log: the
 * original message's identity and payload, so that every replica can
 * rebuild the same envelope and present it to its copy of the application.
 * Role tags of other protocols below the replica (an outbox's mark, say) go
 * with it.
 */
export interface RequestCommand {
  readonly id: number;
  readonly src: string;
  readonly dst: string;
  readonly payload: unknown;
  readonly roleTags?: Record<string, unknown>;
  /** Incarnation of the source (a restarted client numbers from 1 again); omitted when 0. */
  readonly inc?: number;
}

/** A log command: an input, or `null` for the no-op a new leader appends to commit its predecessors' entries. */
export type Command = RequestCommand | null;

/**
 * The value a replica puts in its instance's tag slot on every Raft message
 * (the payload is the {@link RaftMessage}). A message with anything else in
 * that slot is malformed.
 */
export const RAFT_TAG = 'raft';
