import { type Continuation, Envelope, Path, Role, type TimerHandle } from '@escher/core';
import { OutboxFullError } from './errors';
import { Mark } from './marks';
import type { Refinement } from './refinement';

interface Pending {
  /** A private copy: the sent envelope may be changed by receivers in this process. */
  readonly msg: Envelope;
  due: number;
  attempts: number;
}

/** What is waiting for ACKs from one destination. */
interface PendingTo {
  readonly byId: Map<number, Pending>;
  /**
   * The incarnation the destination sees on these messages, which its ACKs
   * name: this agent's, or 0 when they reach it merged into a message of a
   * virtual ancestor (see the Merger).
   */
  readonly inc: number;
}

/**
 * Reliable delivery and garbage collection with ACKs (Escher §3.4), at the
 * bottom of the stack, next to the application.
 *
 * Sending: each message the application sends stays in the outbox,
 * retransmitted with exponential backoff (from `retransmitMs`, capped at
 * `maxRetransmitMs`), until ⟨ACK, i⟩ for it arrives — after merging, so a
 * refined receiver acknowledges as one agent. A message for an agent
 * refined away is dropped from the outbox with a typed error.
 *
 * Receiving: when a reliable message enters the inbox, an ACK goes back to
 * its (merged) source: same id, tagged like any message, ephemeral — it
 * bypasses the outbox and is never acknowledged. A duplicate of a message
 * already in the inbox is acknowledged again and dropped. Inbox entries
 * need no collection: the kernel removes a message from the inbox when it
 * runs, and the done box compacts each channel to a watermark.
 *
 * Incarnations: ids are unique per channel within one incarnation of the
 * source only, so an ACK names the incarnation of the message it
 * acknowledges (its payload: `null` for 0, as before incarnations, else the
 * number), and acknowledges nothing of another incarnation — a restarted
 * agent's message #1 is not its predecessor's #1, whose ACK may still be in
 * flight. A message of an older incarnation than one already accepted is
 * neither run nor acknowledged: it goes down to the kernel, which drops and
 * counts it (`StaleIncarnationError`).
 */
export class Outbox extends Role<Refinement> {
  private readonly pending = new Map<Path, PendingTo>();
  private count = 0;
  private timer: TimerHandle | undefined;

  /** Messages kept until acknowledged. */
  stored = 0;
  /** Messages removed by an ACK. */
  acked = 0;
  /** Retransmissions sent. */
  retransmissions = 0;
  /** ACKs sent. */
  acksSent = 0;
  /** Duplicates of delivered messages, acknowledged again and dropped. */
  duplicates = 0;
  /** Messages sent unprotected because the outbox was full. */
  overflow = 0;
  /** Outbox entries dropped because their destination was refined away. */
  abandoned = 0;
  /** ACKs that named another incarnation than the message pending under their id (or no valid one), ignored. */
  foreignAcks = 0;

  /** Unacknowledged messages. */
  get size(): number {
    return this.count;
  }

  override transmit(msg: Envelope, next: Continuation): void {
    const params = this.protocol.params;
    const away = params.authority.refinedAway(msg.dst);
    if (away !== undefined) {
      // Refused now rather than kept for retransmissions that could never be acknowledged.
      this.ctx.drop(msg, away);
      return;
    }
    if (this.count >= params.maxOutbox) {
      this.overflow++;
      this.ctx.report(new OutboxFullError(this.ctx.self, params.maxOutbox), msg);
      next(msg);
      return;
    }
    msg.setTag(this.slot, Mark.Reliable);
    let to = this.pending.get(msg.dst);
    if (to === undefined) {
      to = { byId: new Map(), inc: this.seenIncarnation(msg.dst) };
      this.pending.set(msg.dst, to);
    }
    const byId = to.byId;
    if (!byId.has(msg.id)) this.count++;
    byId.set(msg.id, { msg: msg.copy(), due: this.ctx.now() + params.retransmitMs, attempts: 0 });
    this.stored++;
    if (this.timer === undefined) this.timer = this.ctx.setTimer(params.retransmitMs, this.retransmit);
    next(msg);
  }

  override deliver(msg: Envelope, next: Continuation): void {
    const mark = msg.tag<Mark>(this.slot);
    if (mark === undefined) {
      next(msg);
      return;
    }
    if (mark === Mark.Ack) {
      this.acknowledged(msg);
      return;
    }
    if (this.ctx.hasAccepted(msg)) {
      if (this.ctx.superseded(msg)) {
        // From a dead incarnation: no ACK (its id may be the new one's); the kernel drops and counts it.
        msg.clearTag(this.slot);
        next(msg);
        return;
      }
      this.duplicates++;
      this.acknowledge(msg);
      return;
    }
    msg.clearTag(this.slot);
    next(msg);
    if (this.ctx.hasAccepted(msg)) this.acknowledge(msg);
  }

  /**
   * An ACK ⟨i, d, s⟩ arrived (merged, if d is refined): the message
   * ⟨i, s, d⟩ is delivered and leaves the outbox, if the ACK names the
   * incarnation it was sent under. The {@link Merger} calls this directly,
   * so ACKs never pass through wrapper roles.
   */
  acknowledged(ack: Envelope): void {
    const to = this.pending.get(ack.src);
    if (to === undefined) return;
    const byId = to.byId;
    if (!byId.has(ack.id)) return;
    const named = ack.payload ?? 0;
    if (named !== to.inc) {
      this.foreignAcks++;
      return;
    }
    byId.delete(ack.id);
    this.count--;
    this.acked++;
    if (byId.size === 0) this.pending.delete(ack.src);
    if (this.count === 0 && this.timer !== undefined) {
      this.ctx.clearTimer(this.timer);
      this.timer = undefined;
    }
  }

  /**
   * The incarnation `dst` will see on this agent's messages: its own, or 0
   * if they leave tagged (k − l > 0) and so reach `dst` merged into a message
   * of a virtual ancestor, whose numbering its deterministic children share.
   */
  private seenIncarnation(dst: Path): number {
    const self = this.ctx.self;
    return Path.depth(self) - 1 - Path.commonPrefixLength(self, dst) > 0 ? 0 : this.ctx.incarnation;
  }

  private acknowledge(msg: Envelope): void {
    // The payload names the acknowledged message's incarnation; null for 0 keeps such ACKs as they always were.
    const ack = new Envelope(msg.id, this.ctx.self, msg.src, msg.inc === 0 ? null : msg.inc);
    ack.setTag(this.slot, Mark.Ack);
    this.acksSent++;
    // Through the tagger only: wrapper roles in between never see ACKs.
    const tagger = this.protocol.rolesAt(this.ctx.self).tagger;
    if (tagger !== undefined) tagger.emit(ack);
    else this.ctx.transmit(ack);
  }

  private readonly retransmit = (): void => {
    this.timer = undefined;
    const params = this.protocol.params;
    const authority = params.authority;
    const now = this.ctx.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [dst, { byId }] of this.pending) {
      const away = authority.refinedAway(dst);
      if (away !== undefined) {
        for (const p of byId.values()) this.ctx.drop(p.msg, away);
        this.abandoned += byId.size;
        this.count -= byId.size;
        this.pending.delete(dst);
        continue;
      }
      for (const p of byId.values()) {
        if (p.due <= now) {
          p.attempts++;
          p.due = now + Math.min(params.maxRetransmitMs, params.retransmitMs * 2 ** p.attempts);
          const copy = p.msg.copy();
          copy.setTag(this.slot, Mark.Retransmission);
          this.retransmissions++;
          this.ctx.transmit(copy);
        }
        if (p.due < next) next = p.due;
      }
    }
    if (this.count > 0) this.timer = this.ctx.setTimer(Math.max(1, next - now), this.retransmit);
  };

  protected override onRemove(): void {
    this.pending.clear();
    this.count = 0;
    this.timer = undefined;
  }
}
