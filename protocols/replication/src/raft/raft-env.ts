import type { RaftMessage } from '../messages';

/** A Raft node's current role. */
export type RaftRole = 'follower' | 'candidate' | 'leader';

/**
 * Everything a {@link RaftNode} needs from outside: a clock, a way to send,
 * one timer, and the application. The node never does I/O itself, so it can
 * be driven by the replica role on an agent or by a test harness with a
 * scripted network. Every callback is synchronous and must not call back
 * into the node, except that `roleChanged('leader')` may propose.
 */
export interface RaftEnv<C> {
  /** Current time, in milliseconds (virtual under the simulator). */
  now(): number;
  /** Sends `msg` to the replica of rank `to`. Loss, duplication and reordering are tolerated. */
  send(to: number, msg: RaftMessage<C>): void;
  /** Calls {@link RaftNode.tick} after `delayMs`; an earlier wake-up already asked for may stand instead. */
  wakeIn(delayMs: number): void;
  /** Entry `index` is committed: hand `cmd` to the state machine. Called once per index, in order. */
  apply(index: number, cmd: C): void;
  /** Uncommitted entries removed from this node's log because the leader's log differs (oldest first). */
  discarded(cmds: readonly C[]): void;
  /** The node became `role` in `term`. */
  roleChanged(role: RaftRole, term: number): void;
  /** The leader cannot repair follower `follower`: it needs entry `needed`, discarded below `firstKept`. Reported once per leadership. */
  followerBehind(follower: number, needed: number, firstKept: number): void;
  /** A Raft invariant failed (only possible outside the crash model). */
  violation(reason: string): void;
  /** Stable storage failed (`error` is what it threw): the node has stopped, as if crashed. */
  storageFailed(error: unknown): void;
}
