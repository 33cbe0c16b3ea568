export {
  RAFT_TAG,
  type Command,
  type RequestCommand,
  type LogEntry,
  type RaftMessage,
  type RequestVote,
  type Vote,
  type AppendEntries,
  type AppendReply,
} from './messages';
export { RaftNode } from './raft/raft-node';
export { RaftLog } from './raft/raft-log';
export type { RaftEnv, RaftRole } from './raft/raft-env';
export type { RaftOptions } from './raft/raft-options';
export { electionTimeout, hashString, mix, type TimeoutSeeds } from './raft/election-timeout';
