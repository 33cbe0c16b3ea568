import { EscherError, type EscherErrorOptions } from '@escher/core';

/**
 * Errors of the replication wrapper. Those caused by another agent (a forged
 * or malformed Raft message) are never thrown into the stack: the replica
 * drops the message through `ctx.drop`, which counts it and publishes the
 * error on the runtime's event stream. Those caused by the caller (bad
 * parameters) are thrown at the call.
 */

/** Parameters of a {@link Replication} instance, or of an operation on it, that cannot work. */
export class InvalidReplicationParamsError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_BAD_PARAMS';
  constructor(readonly instance: string, reason: string) {
    super(`${instance}: ${reason}`);
  }
}

/** A message carrying the instance's Raft tag from an agent that is not one of its replicas. */
export class NotAReplicaError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_NOT_A_MEMBER';
  constructor(readonly instance: string, readonly src: string) {
    super(`${instance}: Raft message from ${src || '""'}, which is not a replica of this instance`);
  }
}

/** A Raft message from a replica whose tag or payload is not well formed. */
export class MalformedRaftMessageError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_MALFORMED';
  constructor(readonly instance: string, reason: string, options?: EscherErrorOptions) {
    super(`${instance}: malformed Raft message: ${reason}`, options);
  }
}

/**
 * A request a follower held (in case it became leader) was discarded before
 * it appeared in the committed log: it waited longer than `holdMs`, more
 * than `maxHeld` requests were waiting, or the replica role was removed (or
 * its agent crashed). The client's retry, if any, makes a new request.
 */
export class HeldRequestExpiredError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_REQUEST_EXPIRED';
  constructor(readonly replica: string, readonly reason: 'age' | 'capacity' | 'removed') {
    super(`${replica}: held request discarded before it was ordered (${REASONS[reason]})`);
  }
}

const REASONS = { age: 'held too long', capacity: 'too many held', removed: 'replica removed' } as const;

/**
 * A follower needs log entries the leader has already discarded: it cannot
 * be repaired from the log and stays behind (see DESIGN.md: catching up by
 * snapshot needs the kernel's message-id counters in the snapshot).
 */
export class FollowerTooFarBehindError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_FOLLOWER_BEHIND';
  constructor(readonly leader: string, readonly follower: string, readonly needed: number, readonly firstKept: number) {
    super(`${leader}: follower ${follower} needs entry ${needed}, but the log starts at ${firstKept}`);
  }
}

/**
 * A Raft invariant failed (two leaders in one term, a committed entry about
 * to be overwritten). Reported, never thrown: it means a replica broke the
 * crash model (lost its persistent state, or is Byzantine).
 */
export class RaftInvariantError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_INVARIANT';
  constructor(readonly replica: string, reason: string) {
    super(`${replica}: Raft invariant violated: ${reason}`);
  }
}

/**
 * A replica's stable storage failed: a write or a sync did not complete, or
 * the core asked for something storage cannot hold (a gap in the log). The
 * replica stops taking part, as if it had crashed: nothing it had not made
 * durable may be relied on. Restart it once the storage is repaired.
 */
export class RaftStorageError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_STORAGE_FAILED';
  constructor(readonly where: string, reason: string, options?: EscherErrorOptions) {
    super(`${where}: stable storage failed: ${reason}`, options);
  }
}

/**
 * Stored Raft state that cannot be read back: a record whose checksum or
 * contents are wrong with more records after it, a file of another format
 * or version. Never skipped silently: the replica refuses to start on it.
 */
export class CorruptRaftStorageError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_STORAGE_CORRUPT';
  constructor(readonly where: string, reason: string, readonly offset?: number) {
    super(`${where}: corrupt Raft storage${offset === undefined ? '' : ` at byte ${offset}`}: ${reason}`);
  }
}

/**
 * Loading stored Raft state dropped a torn last write (a record cut short,
 * or zeros where it should be, at the end of the file): what a crash during
 * a write leaves. Nothing in it was synced, so nothing was acted upon; the
 * replica reports the repair and starts.
 */
export class TornStorageTailError extends EscherError {
  readonly code = 'ESCHER_REPLICATION_STORAGE_TORN_TAIL';
  constructor(readonly where: string, detail: string) {
    super(`${where}: dropped a torn last write: ${detail}`);
  }
}
