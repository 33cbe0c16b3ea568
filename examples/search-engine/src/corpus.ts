/** A document the crawler finds. */
export interface Doc {
  readonly id: number;
  readonly title: string;
  readonly text: string;
}

/** A small corpus, written for this example, about the systems this framework learns from. */
export const CORPUS: readonly Doc[] = [
  { id: 1, title: 'Replicated state machines', text: 'Replicas of a deterministic state machine agree on the order of commands and produce the same outputs.' },
  { id: 2, title: 'Raft in brief', text: 'Raft elects a leader that appends commands to a replicated log; a command commits once a majority of replicas stores it.' },
  { id: 3, title: 'Sharding a key value store', text: 'Each shard of a key value store owns a range or a hash partition of the keys and serves only those keys.' },
  { id: 4, title: 'Merging at the receiver', text: 'The receiver merges fragments from the replicas of a sender, waiting for matching payloads before it delivers one message.' },
  { id: 5, title: 'Acknowledgements and garbage collection', text: 'A sender keeps each message in its outbox until an acknowledgement arrives, then collects it.' },
  { id: 6, title: 'Two phase commit', text: 'A coordinator asks every participant to vote, then commits the action only if every vote is yes.' },
  { id: 7, title: 'Primary backup replication', text: 'The primary copies each request to the backups before it answers; a backup takes over when the primary crashes.' },
  { id: 8, title: 'Byzantine replicas', text: 'With f Byzantine replicas a receiver waits for f plus one matching replies before it trusts a payload.' },
  { id: 9, title: 'Search engine tiers', text: 'A query processor parses the query, a ranking tier scores documents, and an index tier stores the postings of every term.' },
  { id: 10, title: 'Inverted index', text: 'An inverted index maps every term to the documents that contain it and how often the term occurs.' },
  { id: 11, title: 'Leader crash', text: 'When the leader crashes a follower times out, starts an election, and the new leader repairs the replicated log.' },
  { id: 12, title: 'Publish subscribe discovery', text: 'Runtimes announce the agents they host on topics and connect point to point once they find each other.' },
];
