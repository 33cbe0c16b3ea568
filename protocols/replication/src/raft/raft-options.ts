import type { TimeoutSeeds } from './election-timeout';

/** Settings of one {@link RaftNode}; the same for every replica of a group (except the seeds' `self`). */
export interface RaftOptions {
  /** Base election timeout; each replica's actual timeout is within [base, 2 × base). */
  readonly electionTimeoutMs: number;
  /** A leader sends something to each follower at least this often. */
  readonly heartbeatMs: number;
  /** Entries sent but not acknowledged for this long are sent again (go-back-N from the follower's match). */
  readonly retryMs: number;
  /** AppendEntries carrying entries in flight per follower; new entries wait and go together when one is answered. */
  readonly window: number;
  /** Most entries in one AppendEntries. */
  readonly maxBatch: number;
  /**
   * Fewer waiting entries than this go out only on the leader's next flush
   * (`flushMs` after they were proposed), so that a stream of proposals
   * leaves in batches rather than one AppendEntries each. 1 sends at once.
   */
  readonly minBatch: number;
  /** Delay of the flush that sends a partial batch (0: the next timer turn). */
  readonly flushMs: number;
  /** Applied entries kept for followers that lag; beyond, a follower that far behind cannot be repaired. */
  readonly retainEntries: number;
  /** Hash inputs of the deterministic election timeouts. */
  readonly seeds: TimeoutSeeds;
}
