import { CompactIdSet, type Continuation, type Envelope, ProtocolError, Role } from '@escher/core';
import type { Abort, Query, TwoPhaseTag } from './messages';
import type { TwoPhaseCommit } from './two-phase-commit';

interface Held {
  readonly messages: Envelope[];
  /** How many messages `prepare` said to expect; unknown until it arrives. */
  expected: number | undefined;
  /** The vote sent, to send again if the initiator asks again. */
  vote: TwoPhaseTag | undefined;
}

/**
 * Server role. Messages of a transaction are held, not delivered. On
 * `prepare` (once all the transaction's messages are here, whatever order the
 * network used) it asks the application with a `query` event and votes;
 * on `commit` it delivers the held messages in order, on `doAbort` it hands
 * them to the application in an `abort` event instead. Messages outside a
 * transaction pass at once.
 *
 * Pairs with {@link Initiator}.
 */
export class Server extends Role<TwoPhaseCommit> {
  private readonly held = new Map<number, Held>();
  /** Transactions already committed or aborted here: late messages for them are not held again. */
  private readonly decided = new CompactIdSet();

  /** Transactions with held messages (for inspection). */
  get open(): number {
    return this.held.size;
  }

  protected override onDeliver(msg: Envelope, next: Continuation): void {
    const tag = this.tagOf<TwoPhaseTag>(msg);
    if (tag === undefined) {
      next(msg);
      return;
    }
    if (!this.protocol.isInitiator(msg.src)) {
      this.ctx.drop(msg, new ProtocolError(this.protocol.id, `transaction tag from ${msg.src}, which is not the initiator`));
      return;
    }
    if (tag.k === 'txn') {
      if (this.ctx.hasAccepted(msg)) return; // a duplicate of a message already delivered
      if (this.decided.has(tag.txn)) {
        // Overtaken by doAbort (a commit cannot overtake it: we vote only once all messages are here).
        this.ctx.consume(msg);
        return;
      }
      const h = this.entry(tag.txn);
      if (h.messages.some((m) => m.id === msg.id && m.src === msg.src)) return; // a duplicate still held
      h.messages.push(msg);
      this.maybeVote(tag.txn, h);
      return;
    }
    if (!this.ctx.consume(msg)) {
      this.onRepeat(tag);
      return;
    }
    switch (tag.k) {
      case 'prepare': {
        if (this.decided.has(tag.txn)) return; // overtaken by doAbort
        const h = this.entry(tag.txn);
        h.expected = tag.count;
        this.maybeVote(tag.txn, h);
        return;
      }
      case 'commit': {
        if (!this.decided.add(tag.txn)) {
          this.acknowledge(tag.txn);
          return;
        }
        const h = this.held.get(tag.txn);
        this.held.delete(tag.txn);
        this.acknowledge(tag.txn);
        for (const m of h?.messages ?? []) next(m);
        return;
      }
      case 'doAbort': {
        if (!this.decided.add(tag.txn)) {
          this.acknowledge(tag.txn);
          return;
        }
        this.acknowledge(tag.txn);
        const h = this.held.get(tag.txn);
        this.held.delete(tag.txn);
        const messages = h?.messages ?? [];
        for (const m of messages) this.ctx.consume(m);
        this.ctx.notify({ type: 'abort', instance: this.protocol.id, txn: tag.txn, reason: 'initiator decided abort', messages } satisfies Abort);
        return;
      }
      case 'votePrepared':
      case 'voteAbort':
      case 'ack':
        this.ctx.drop(msg, new ProtocolError(this.protocol.id, `server received ${tag.k}`));
        return;
      default:
        return exhaustive(tag);
    }
  }

  protected override onRemove(): void {
    for (const [txn, h] of this.held) {
      for (const m of h.messages) {
        this.ctx.drop(m, new ProtocolError(this.protocol.id, `server role removed while transaction ${txn} was open`));
      }
    }
    this.held.clear();
  }

  private entry(txn: number): Held {
    let h = this.held.get(txn);
    if (h === undefined) {
      h = { messages: [], expected: undefined, vote: undefined };
      this.held.set(txn, h);
    }
    return h;
  }

  private maybeVote(txn: number, h: Held): void {
    if (h.vote !== undefined || h.expected === undefined || h.messages.length < h.expected) return;
    const answer = this.ctx.notify({ type: 'query', instance: this.protocol.id, txn, messages: h.messages } satisfies Query);
    h.vote = answer === false ? { k: 'voteAbort', txn } : { k: 'votePrepared', txn };
    this.sendTagged(this.protocol.params.initiator, null, h.vote);
  }

  /** A control message seen before came again: the initiator is retransmitting because it lacks our answer. */
  private onRepeat(tag: TwoPhaseTag): void {
    if (tag.k === 'prepare') {
      const vote = this.held.get(tag.txn)?.vote;
      if (vote !== undefined) this.sendTagged(this.protocol.params.initiator, null, vote);
    } else if (tag.k === 'commit' || tag.k === 'doAbort') {
      this.acknowledge(tag.txn);
    }
  }

  /** With retransmission on, tell the initiator its decision arrived. */
  private acknowledge(txn: number): void {
    if (this.protocol.params.retryMs !== undefined) this.sendTagged(this.protocol.params.initiator, null, { k: 'ack', txn } satisfies TwoPhaseTag);
  }
}

function exhaustive(x: never): never {
  throw new Error(`unexpected two-phase tag ${JSON.stringify(x)}`);
}
