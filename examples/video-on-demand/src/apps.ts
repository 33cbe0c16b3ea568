import type { AgentContext, Behavior, DeterministicBehavior, Envelope, ProtocolEvent } from '@escher/core';
import type { TwoPhaseCommit } from '@escher/protocol-two-phase-commit';
import { isTwoPhaseNotification } from '@escher/protocol-two-phase-commit';
import type { Say, VodMessage } from './messages';

function payload(msg: Envelope): VodMessage {
  return msg.payload as VodMessage;
}

/**
 * The client: orders movies, accepts receipts when asked (2PC server), and
 * watches the chunks the multimedia service streams to it. It has no idea the
 * service is replicated.
 */
export class ClientApp implements Behavior {
  readonly receipts: string[] = [];
  readonly refusals: string[] = [];
  readonly watched = new Map<string, number>();
  /** Where each chunk came from, as the client sees it. */
  readonly chunkSources = new Set<string>();
  constructor(private readonly say: Say) {}

  receive(msg: Envelope): void {
    const m = payload(msg);
    switch (m.type) {
      case 'receipt':
        this.receipts.push(m.movie);
        this.say('/client', `got a receipt for "${m.movie}" (${m.price})`);
        return;
      case 'refused':
        this.refusals.push(m.movie);
        this.say('/client', `order for "${m.movie}" refused: ${m.reason}`);
        return;
      case 'chunk':
        this.watched.set(m.movie, (this.watched.get(m.movie) ?? 0) + 1);
        this.chunkSources.add(msg.src);
        if (m.n === m.of) this.say('/client', `watched "${m.movie}" (${m.of} chunks from ${msg.src})`);
        return;
      default:
        this.say('/client', `ignored ${m.type}`);
    }
  }

  onEvent(e: ProtocolEvent): unknown {
    if (!isTwoPhaseNotification(e)) return undefined;
    if (e.type === 'query') return true; // a receipt is always welcome
    if (e.type === 'abort') this.say('/client', `transaction ${e.txn} aborted, ${e.messages.length} message(s) withdrawn`);
    return undefined;
  }
}

/** The media library: 2PC initiator for payment + receipt, then asks the multimedia service to stream. */
export class MediaLibraryApp implements Behavior {
  private readonly orders = new Map<number, { client: string; movie: string }>();
  readonly streamsStarted: string[] = [];
  constructor(
    private readonly catalogue: ReadonlyMap<string, number>,
    private readonly tpc: () => TwoPhaseCommit,
    private readonly say: Say,
  ) {}

  receive(msg: Envelope, ctx: AgentContext): void {
    const m = payload(msg);
    if (m.type === 'streaming') {
      this.streamsStarted.push(m.movie);
      this.say('/library', `multimedia service confirms "${m.movie}" (${m.chunks} chunks), reply from ${msg.src}`);
      return;
    }
    if (m.type !== 'order') return;
    const price = this.catalogue.get(m.movie);
    if (price === undefined) {
      ctx.reply(msg, { type: 'refused', movie: m.movie, reason: 'not in the catalogue' } satisfies VodMessage);
      return;
    }
    // Payment and receipt form one atomic action.
    ctx.control(this.tpc().beginAction());
    ctx.send('/bank', { type: 'charge', account: msg.src, amount: price, movie: m.movie } satisfies VodMessage);
    ctx.send(msg.src, { type: 'receipt', movie: m.movie, price } satisfies VodMessage);
    const txn = ctx.control(this.tpc().endAction()) as number;
    this.orders.set(txn, { client: msg.src, movie: m.movie });
    this.say('/library', `"${m.movie}" for ${price}: transaction ${txn} sent to /bank and ${msg.src}`);
  }

  onEvent(e: ProtocolEvent, ctx: AgentContext): unknown {
    if (!isTwoPhaseNotification(e) || e.type === 'query') return undefined;
    const order = this.orders.get(e.txn);
    if (order === undefined) return undefined;
    this.orders.delete(e.txn);
    if (e.type === 'committed') {
      this.say('/library', `transaction ${e.txn} committed: asking /mms to stream "${order.movie}"`);
      ctx.send('/mms', { type: 'stream', movie: order.movie, to: order.client } satisfies VodMessage);
    } else {
      this.say('/library', `transaction ${e.txn} aborted (${e.reason})`);
      ctx.send(order.client, { type: 'refused', movie: order.movie, reason: 'payment declined' } satisfies VodMessage);
    }
    return undefined;
  }
}

/** The bank: a 2PC server that votes no on a charge the account cannot cover. */
export class BankApp implements Behavior {
  readonly balances: Map<string, number>;
  constructor(balances: Record<string, number>, private readonly say: Say) {
    this.balances = new Map(Object.entries(balances));
  }

  receive(msg: Envelope): void {
    const m = payload(msg);
    if (m.type !== 'charge') return;
    const before = this.balances.get(m.account) ?? 0;
    this.balances.set(m.account, before - m.amount);
    this.say('/bank', `charged ${m.account} ${m.amount} for "${m.movie}": ${before} -> ${before - m.amount}`);
  }

  onEvent(e: ProtocolEvent): unknown {
    if (!isTwoPhaseNotification(e) || e.type !== 'query') return undefined;
    const need = new Map<string, number>();
    for (const msg of e.messages) {
      const m = payload(msg);
      if (m.type === 'charge') need.set(m.account, (need.get(m.account) ?? 0) + m.amount);
    }
    for (const [account, amount] of need) {
      const balance = this.balances.get(account) ?? 0;
      if (amount > balance) {
        this.say('/bank', `votes abort: ${account} has ${balance}, needs ${amount}`);
        return false;
      }
    }
    this.say('/bank', 'votes prepared');
    return true;
  }
}

/** A replica of the multimedia server: deterministic, so primary-backup can replicate it unchanged. */
export class MultimediaServerApp implements DeterministicBehavior {
  readonly deterministic = true;
  readonly served: string[] = [];
  constructor(private readonly self: string, private readonly say: Say, private readonly chunks = 3) {}

  receive(msg: Envelope, ctx: AgentContext): void {
    const m = payload(msg);
    if (m.type !== 'stream') return;
    this.served.push(m.movie);
    for (let n = 1; n <= this.chunks; n++) ctx.send(m.to, { type: 'chunk', movie: m.movie, n, of: this.chunks } satisfies VodMessage);
    ctx.reply(msg, { type: 'streaming', movie: m.movie, chunks: this.chunks } satisfies VodMessage);
    this.say(this.self, `ran "stream ${m.movie}" (its answers reach the network only if it is the primary)`);
  }

  onEvent(e: ProtocolEvent): unknown {
    if (e.type === 'tookOver') this.say(this.self, 'took over as primary; says its recent answers again (clients drop repeats)');
    return undefined;
  }
}
