/** What a leader knows of one follower: its replication progress and the AppendEntries in flight to it. */
export class Peer {
  /** Next index to send. Advanced when entries are sent (pipelining), not when they are acknowledged. */
  next = 1;
  /** Highest index known to match the leader's log. */
  match = 0;
  /** Last index of each AppendEntries with entries still unanswered, oldest first (at most `window`). */
  readonly inFlight: number[] = [];
  lastSent = Number.NEGATIVE_INFINITY;
  /** When `match` last advanced, or when entries started to be outstanding. */
  lastProgress = 0;
  /** Commit index last sent to this follower. */
  sentCommit = 0;
  behindReported = false;

  /** A new leadership: the follower is known to have entries up to `match`; send from `next`. */
  reset(next: number, match: number, now: number): void {
    this.next = next;
    this.match = match;
    this.inFlight.length = 0;
    this.lastSent = Number.NEGATIVE_INFINITY;
    this.lastProgress = now;
    this.sentCommit = 0;
    this.behindReported = false;
  }
}
