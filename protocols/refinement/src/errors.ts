import { EscherError } from '@escher/core';

/** A merge spec that is not well formed (bad `waitForMatching`, bad or empty `from`). */
export class InvalidMergeSpecError extends EscherError {
  readonly code = 'ESCHER_INVALID_MERGE_SPEC';
  constructor(reason: string) {
    super(`invalid merge spec: ${reason}`);
  }
}

/**
 * A merge spec with a key this runtime does not know. Merge functions are
 * data checked by the receiver (Escher §3.1); an unknown kind is refused,
 * never guessed at.
 */
export class UnknownMergeKindError extends EscherError {
  readonly code = 'ESCHER_UNKNOWN_MERGE_KIND';
  constructor(readonly kind: string) {
    super(`unknown merge kind ${JSON.stringify(kind)}`);
  }
}

/** A fragment from an agent that is not in the `from` set of its parent's merge spec. */
export class FragmentOutsideFromSetError extends EscherError {
  readonly code = 'ESCHER_FRAGMENT_OUTSIDE_FROM_SET';
  constructor(readonly src: string, readonly parent: string) {
    super(`${src} is not in the from set of ${parent}'s merge spec`);
  }
}

/** A message whose tags do not match the sender's μ-list for this destination (Escher §3.3). */
export class TagMismatchError extends EscherError {
  readonly code = 'ESCHER_TAG_MISMATCH';
  constructor(readonly src: string, readonly dst: string, reason: string) {
    super(`tags of ${src} -> ${dst || '""'} do not match the sender's μ-list: ${reason}`);
  }
}

/** A tag carrying an epoch of a refinement that has since changed. */
export class StaleEpochError extends EscherError {
  readonly code = 'ESCHER_STALE_EPOCH';
  constructor(readonly parent: string, readonly epoch: number, readonly current: number) {
    super(`tag of ${parent} has epoch ${epoch}, the refinement is at epoch ${current}`);
  }
}

/** A merge group that did not complete within its bound (time or number of open groups). */
export class MergeGroupExpiredError extends EscherError {
  readonly code = 'ESCHER_MERGE_GROUP_EXPIRED';
  constructor(readonly parent: string, readonly dst: string, readonly id: number, readonly fragments: number, why: string) {
    super(`merge group #${id} ${parent} -> ${dst || '""'} expired with ${fragments} fragment(s): ${why}`);
  }
}

/** A message for, or from, an agent that a refinement change removed. */
export class RefinedAwayError extends EscherError {
  readonly code = 'ESCHER_REFINED_AWAY';
  constructor(readonly path: string, readonly epoch: number) {
    super(`${path} was refined away at epoch ${epoch}`);
  }
}

/** A physical agent whose ancestor has no registered refinement, so its μ-list is unknown. */
export class UnrefinedAncestorError extends EscherError {
  readonly code = 'ESCHER_UNREFINED_ANCESTOR';
  constructor(readonly path: string, readonly ancestor: string) {
    super(`${path} has ancestor ${ancestor} with no registered refinement: its μ-list is unknown`);
  }
}

/** The outbox is full: the message is sent once but not kept for retransmission. */
export class OutboxFullError extends EscherError {
  readonly code = 'ESCHER_OUTBOX_FULL';
  constructor(readonly path: string, readonly limit: number) {
    super(`outbox of ${path} holds ${limit} unacknowledged messages: the new one will not be retransmitted`);
  }
}

/** A refinement operation that contradicts the hierarchy (refining twice, spawning a virtual agent, …). */
export class HierarchyError extends EscherError {
  readonly code = 'ESCHER_HIERARCHY';
  constructor(reason: string) {
    super(reason);
  }
}

/**
 * A fragment whose source holds no certificate this runtime has verified
 * (tag authenticity, Escher §3.3): nobody proved to this runtime that the
 * parent certified the source and the hash of its merge spec, so the
 * fragment cannot count toward a merge.
 */
export class UncertifiedSourceError extends EscherError {
  readonly code = 'ESCHER_UNCERTIFIED_SOURCE';
  constructor(readonly src: string, reason: string) {
    super(`${src}: ${reason}`);
  }
}
