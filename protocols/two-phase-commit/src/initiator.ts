import {
  type Continuation,
  type Envelope,
  type EventContinuation,
  type Path,
  ProtocolError,
  type ProtocolEvent,
  Role,
  type TimerHandle,
} from '@escher/core';
import type { Abort, Committed, TwoPhaseTag } from './messages';
import type { TwoPhaseCommit } from './two-phase-commit';

interface Transaction {
  readonly txn: number;
  readonly messages: Envelope[];
  /** Messages per server addressed in the transaction. */
  readonly counts: Map<Path, number>;
  readonly prepared: Set<Path>;
  timer: TimerHandle | undefined;
  /** Retransmission (with retryMs): pristine copies of the messages, and who acknowledged the decision. */
  readonly sent: Envelope[];
  decision: 'commit' | 'abort' | undefined;
  readonly acked: Set<Path>;
  retry: TimerHandle | undefined;
}

/**
 * Initiator role. Between `beginAction` and `endAction` it keeps every
 * message the application sends to a server. At `endAction` it sends them,
 * tagged with the transaction, then asks each addressed server to prepare.
 * All votes prepared → commit to each; any voteAbort (or the vote timeout) →
 * doAbort to each. The application hears `committed` or `abort`.
 *
 * Pairs with {@link Server}; see DESIGN.md for the message flow.
 */
export class Initiator extends Role<TwoPhaseCommit> {
  private building: Transaction | undefined;
  private readonly voting = new Map<number, Transaction>();
  /** Decided transactions whose decision some server has not acknowledged yet (with retryMs). */
  private readonly announcing = new Map<number, Transaction>();
  private lastTxn = 0;

  /** Transactions waiting for votes (for inspection). */
  get pending(): number {
    return this.voting.size;
  }

  protected override onControl(event: ProtocolEvent, next: EventContinuation): unknown {
    switch (event.type) {
      case 'beginAction':
        if (this.building !== undefined) {
          throw new ProtocolError(this.protocol.id, `beginAction while transaction ${this.building.txn} is open`);
        }
        this.building = {
          txn: ++this.lastTxn,
          messages: [],
          counts: new Map(),
          prepared: new Set(),
          timer: undefined,
          sent: [],
          decision: undefined,
          acked: new Set(),
          retry: undefined,
        };
        return this.building.txn;
      case 'endAction': {
        const t = this.building;
        if (t === undefined) throw new ProtocolError(this.protocol.id, 'endAction without beginAction');
        this.building = undefined;
        this.prepare(t);
        return t.txn;
      }
      default:
        return next(event);
    }
  }

  protected override onTransmit(msg: Envelope, next: Continuation): void {
    const t = this.building;
    const server = t === undefined ? undefined : this.protocol.serverFor(msg.dst);
    if (t === undefined || server === undefined) {
      next(msg); // outside a transaction, or not for a server: passes at once
      return;
    }
    this.tag(msg, { k: 'txn', txn: t.txn } satisfies TwoPhaseTag);
    t.messages.push(msg);
    t.counts.set(server, (t.counts.get(server) ?? 0) + 1);
  }

  protected override onDeliver(msg: Envelope, next: Continuation): void {
    const tag = this.tagOf<TwoPhaseTag>(msg);
    if (tag === undefined) {
      next(msg);
      return;
    }
    if (!this.ctx.consume(msg)) return; // a duplicate vote or ack
    const server = this.protocol.serverFor(msg.src);
    if (tag.k === 'ack') {
      const a = this.announcing.get(tag.txn);
      if (a !== undefined && server !== undefined) {
        a.acked.add(server);
        if (a.acked.size === a.counts.size) this.finish(a);
      }
      return;
    }
    const t = this.voting.get(tag.txn);
    if (t === undefined || server === undefined || !t.counts.has(server)) {
      // A vote for a decided transaction: that server missed the decision, tell it again.
      const a = this.announcing.get(tag.txn);
      if (a !== undefined && server !== undefined) this.announce(a, server);
      return;
    }
    switch (tag.k) {
      case 'votePrepared':
        t.prepared.add(server);
        if (t.prepared.size === t.counts.size) this.decide(t, 'commit', '');
        return;
      case 'voteAbort':
        this.decide(t, 'abort', `${server} voted abort`);
        return;
      case 'txn':
      case 'prepare':
      case 'commit':
      case 'doAbort':
        this.ctx.drop(msg, new ProtocolError(this.protocol.id, `initiator received ${tag.k} from ${msg.src}`));
        return;
      default:
        return exhaustive(tag);
    }
  }

  protected override onRemove(): void {
    for (const t of [...this.voting.values()]) this.decide(t, 'abort', 'initiator role removed');
    for (const t of [...this.announcing.values()]) this.finish(t);
    if (this.building !== undefined) {
      const t = this.building;
      this.building = undefined;
      this.notifyAbort(t, 'initiator role removed before endAction');
    }
  }

  private prepare(t: Transaction): void {
    if (t.counts.size === 0) {
      this.ctx.notify({ type: 'committed', instance: this.protocol.id, txn: t.txn } satisfies Committed);
      return;
    }
    this.voting.set(t.txn, t);
    const retry = this.protocol.params.retryMs;
    for (const m of t.messages) {
      // Keep an untouched copy for retransmission: the bus may hand the original to local receivers.
      if (retry !== undefined) t.sent.push(m.copy());
      this.ctx.transmit(m);
    }
    const prepares = new Map<Path, Envelope>();
    for (const [server, count] of t.counts) {
      const p = this.sendTagged(server, null, { k: 'prepare', txn: t.txn, count } satisfies TwoPhaseTag);
      if (retry !== undefined) prepares.set(server, p.copy());
    }
    if (retry !== undefined) {
      // Until every vote is in: send the transaction and the prepare again to servers that have not voted.
      const again = (): void => {
        if (this.voting.get(t.txn) !== t) return;
        for (const [server, p] of prepares) {
          if (t.prepared.has(server)) continue;
          for (const m of t.sent) if (this.protocol.serverFor(m.dst) === server) this.ctx.transmit(m.copy());
          this.ctx.transmit(p.copy());
        }
        t.retry = this.ctx.setTimer(retry, again);
      };
      t.retry = this.ctx.setTimer(retry, again);
    }
    const timeout = this.protocol.params.voteTimeoutMs;
    if (timeout !== undefined && this.voting.has(t.txn)) {
      t.timer = this.ctx.setTimer(timeout, () => {
        if (this.voting.get(t.txn) === t) this.decide(t, 'abort', `votes missing after ${timeout} ms`);
      });
    }
  }

  private decide(t: Transaction, outcome: 'commit' | 'abort', reason: string): void {
    if (!this.voting.delete(t.txn)) return;
    if (t.timer !== undefined) this.ctx.clearTimer(t.timer);
    if (t.retry !== undefined) this.ctx.clearTimer(t.retry);
    t.decision = outcome;
    for (const server of t.counts.keys()) this.announce(t, server);
    const retry = this.protocol.params.retryMs;
    if (retry !== undefined) {
      // Until every server acknowledged: tell the decision again to those that have not.
      this.announcing.set(t.txn, t);
      const again = (): void => {
        if (this.announcing.get(t.txn) !== t) return;
        for (const server of t.counts.keys()) if (!t.acked.has(server)) this.announce(t, server);
        t.retry = this.ctx.setTimer(retry, again);
      };
      t.retry = this.ctx.setTimer(retry, again);
    }
    if (outcome === 'commit') this.ctx.notify({ type: 'committed', instance: this.protocol.id, txn: t.txn } satisfies Committed);
    else this.notifyAbort(t, reason);
  }

  private announce(t: Transaction, server: Path): void {
    const tag: TwoPhaseTag = t.decision === 'commit' ? { k: 'commit', txn: t.txn } : { k: 'doAbort', txn: t.txn };
    this.sendTagged(server, null, tag);
  }

  private finish(t: Transaction): void {
    this.announcing.delete(t.txn);
    if (t.retry !== undefined) this.ctx.clearTimer(t.retry);
    t.retry = undefined;
  }

  private notifyAbort(t: Transaction, reason: string): void {
    this.ctx.notify({ type: 'abort', instance: this.protocol.id, txn: t.txn, reason, messages: t.messages } satisfies Abort);
  }
}

function exhaustive(x: never): never {
  throw new Error(`unexpected two-phase tag ${JSON.stringify(x)}`);
}
