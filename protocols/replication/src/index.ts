export {
  Replication,
  REPLICATION_DEFAULTS,
  type ReplicationParams,
  type ReplicationOptions,
} from './replication';
export { Replica } from './replica';
export { ReplicationWrapper, type ReplicationWrapperOptions, type RefinedAgent } from './replication-wrapper';
export {
  RAFT_TAG,
  type Command,
  type RequestCommand,
  type RaftMessage,
  type RequestVote,
  type Vote,
  type AppendEntries,
  type AppendReply,
} from './messages';
export {
  InvalidReplicationParamsError,
  NotAReplicaError,
  MalformedRaftMessageError,
  HeldRequestExpiredError,
  FollowerTooFarBehindError,
  RaftInvariantError,
  RaftStorageError,
  CorruptRaftStorageError,
  TornStorageTailError,
} from './errors';
export { type RaftStorage, type PersistedRaftState, nextIncarnation } from './storage/raft-storage';
export { MemoryStorage } from './storage/memory-storage';
export { FileStorage, type FileStorageOptions, type FileIo } from './storage/file-storage';
export { FORMAT_VERSION as RAFT_STORAGE_FORMAT_VERSION } from './storage/record-format';
export { RaftNode } from './raft/raft-node';
export { RaftLog } from './raft/raft-log';
export type { RaftEnv, RaftRole } from './raft/raft-env';
export type { RaftOptions } from './raft/raft-options';
export { electionTimeout, type TimeoutSeeds } from './raft/election-timeout';
export { checkRaftMessage } from './validate';
