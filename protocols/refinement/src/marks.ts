/**
 * What the refinement instance's role-tag slot says about a message. Only
 * the {@link Outbox} sets it; the {@link Merger} reads it to group ACKs
 * apart from messages and to let retransmissions through.
 */
export const enum Mark {
  /** Kept in the sender's outbox until acknowledged: acknowledge it on delivery. */
  Reliable = 1,
  /** A retransmission of a reliable message (the first ACK may have been lost). */
  Retransmission = 2,
  /** ⟨ACK, i⟩ (§3.4): ephemeral, runtime to runtime, never acknowledged. */
  Ack = 3,
}
