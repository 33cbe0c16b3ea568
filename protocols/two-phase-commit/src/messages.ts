import type { Envelope, ProtocolEvent } from '@escher/core';

/** Tag a role puts in its instance's slot on each message it sends. */
export type TwoPhaseTag =
  /** An application message that belongs to transaction `txn`; held by the server until the outcome. */
  | { readonly k: 'txn'; readonly txn: number }
  /** Phase 1: vote on `txn`, for which `count` messages were sent to you. */
  | { readonly k: 'prepare'; readonly txn: number; readonly count: number }
  | { readonly k: 'votePrepared'; readonly txn: number }
  | { readonly k: 'voteAbort'; readonly txn: number }
  /** Phase 2: deliver the held messages of `txn`. */
  | { readonly k: 'commit'; readonly txn: number }
  /** Phase 2: discard the held messages of `txn`. */
  | { readonly k: 'doAbort'; readonly txn: number }
  /** Server → initiator: the decision on `txn` arrived (only with retransmission on). */
  | { readonly k: 'ack'; readonly txn: number };

/** Application → initiator: start collecting messages into a transaction. Returns the transaction number. */
export interface BeginAction extends ProtocolEvent {
  readonly type: 'beginAction';
}
/** Application → initiator: close the transaction and run the two phases. Returns the transaction number. */
export interface EndAction extends ProtocolEvent {
  readonly type: 'endAction';
}
/** Server role → application: may the action made of `messages` be performed? Return `false` to refuse. */
export interface Query extends ProtocolEvent {
  readonly type: 'query';
  readonly txn: number;
  readonly messages: readonly Envelope[];
}
/** Role → application: transaction `txn` was aborted; on a server, `messages` were not delivered. */
export interface Abort extends ProtocolEvent {
  readonly type: 'abort';
  readonly txn: number;
  readonly reason: string;
  readonly messages: readonly Envelope[];
}
/** Initiator role → application: every server voted prepared and was told to commit `txn`. */
export interface Committed extends ProtocolEvent {
  readonly type: 'committed';
  readonly txn: number;
}

/** Events the application raises. */
export type TwoPhaseControl = BeginAction | EndAction;
/** Events the roles raise toward the application. */
export type TwoPhaseNotification = Query | Abort | Committed;

/** True if `e` is a notification of the two-phase-commit protocol. */
export function isTwoPhaseNotification(e: ProtocolEvent): e is TwoPhaseNotification {
  return e.type === 'query' || e.type === 'abort' || e.type === 'committed';
}
