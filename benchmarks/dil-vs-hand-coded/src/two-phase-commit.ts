import { type AgentContext, type Behavior, type Envelope, type ProtocolEvent, type Runtime, createRuntime } from '@escher/core';
import { TwoPhaseCommit, isTwoPhaseNotification } from '@escher/protocol-two-phase-commit';

/**
 * One interaction = one transaction: the coordinator `/coord`, asked by
 * `/driver`, sends one update to each of the servers `/s1` and `/s2`
 * atomically; each server checks the update (the query), votes, and applies
 * it on commit. Both variants run the same message flow.
 */
export interface TwoPhaseVariant {
  run(n: number): void;
  /** Updates applied at the servers so far. */
  applied(): number;
}

const SERVERS = ['/s1', '/s2'] as const;

/** Server application with DIL: applies what it is given; answers the query. */
class DilServer implements Behavior {
  applied = 0;
  receive(): void {
    this.applied++;
  }
  onEvent(e: ProtocolEvent): unknown {
    if (isTwoPhaseNotification(e) && e.type === 'query') return e.messages.every((m) => (m.payload as { v: number }).v >= 0);
    return undefined;
  }
}

/** Two-phase commit as DIL roles. */
export function dilTwoPhaseCommit(): TwoPhaseVariant {
  const rt = createRuntime({ id: 'dil-2pc' });
  let tpc!: TwoPhaseCommit;
  const servers = SERVERS.map(() => new DilServer());
  rt.spawn('/coord', {
    receive(msg: Envelope, ctx: AgentContext): void {
      ctx.control(tpc.beginAction());
      for (const s of SERVERS) ctx.send(s, { v: msg.payload as number });
      ctx.control(tpc.endAction());
    },
  });
  SERVERS.forEach((s, i) => rt.spawn(s, servers[i] as DilServer));
  rt.spawn('/driver', () => {});
  tpc = new TwoPhaseCommit(rt, { initiator: '/coord' });
  for (const s of SERVERS) tpc.addServer(s);
  return drive(rt, () => servers.reduce((a, s) => a + s.applied, 0));
}

type HandMsg =
  | { readonly t: 'txn'; readonly txn: number; readonly v: number }
  | { readonly t: 'prepare'; readonly txn: number; readonly count: number }
  | { readonly t: 'vote'; readonly txn: number; readonly ok: boolean }
  | { readonly t: 'commit'; readonly txn: number }
  | { readonly t: 'abort'; readonly txn: number };

/** The coordinator, hand-coded. */
class HandCoordinator implements Behavior {
  private txn = 0;
  private readonly votes = new Map<number, number>();
  receive(msg: Envelope, ctx: AgentContext): void {
    if (msg.src === '/driver') {
      const txn = ++this.txn;
      for (const s of SERVERS) ctx.send(s, { t: 'txn', txn, v: msg.payload as number } satisfies HandMsg);
      for (const s of SERVERS) ctx.send(s, { t: 'prepare', txn, count: 1 } satisfies HandMsg);
      this.votes.set(txn, 0);
      return;
    }
    const m = msg.payload as HandMsg;
    if (m.t !== 'vote') return;
    const got = this.votes.get(m.txn);
    if (got === undefined) return;
    if (!m.ok) {
      this.votes.delete(m.txn);
      for (const s of SERVERS) ctx.send(s, { t: 'abort', txn: m.txn } satisfies HandMsg);
      return;
    }
    if (got + 1 < SERVERS.length) {
      this.votes.set(m.txn, got + 1);
      return;
    }
    this.votes.delete(m.txn);
    for (const s of SERVERS) ctx.send(s, { t: 'commit', txn: m.txn } satisfies HandMsg);
  }
}

/** A server, hand-coded: hold the transaction's updates, vote, apply on commit. */
class HandServer implements Behavior {
  applied = 0;
  private readonly held = new Map<number, { values: number[]; expected: number | undefined }>();
  receive(msg: Envelope, ctx: AgentContext): void {
    const m = msg.payload as HandMsg;
    switch (m.t) {
      case 'txn':
        this.entry(m.txn).values.push(m.v);
        this.maybeVote(m.txn, ctx);
        return;
      case 'prepare':
        this.entry(m.txn).expected = m.count;
        this.maybeVote(m.txn, ctx);
        return;
      case 'commit':
        this.applied += this.held.get(m.txn)?.values.length ?? 0;
        this.held.delete(m.txn);
        return;
      case 'abort':
        this.held.delete(m.txn);
        return;
      case 'vote':
        return;
    }
  }
  private entry(txn: number) {
    let h = this.held.get(txn);
    if (h === undefined) {
      h = { values: [], expected: undefined };
      this.held.set(txn, h);
    }
    return h;
  }
  private maybeVote(txn: number, ctx: AgentContext): void {
    const h = this.entry(txn);
    if (h.expected === undefined || h.values.length < h.expected) return;
    ctx.send('/coord', { t: 'vote', txn, ok: h.values.every((v) => v >= 0) } satisfies HandMsg);
  }
}

/** Two-phase commit hand-coded inside the applications, on empty stacks. */
export function handTwoPhaseCommit(): TwoPhaseVariant {
  const rt = createRuntime({ id: 'hand-2pc' });
  const servers = SERVERS.map(() => new HandServer());
  rt.spawn('/coord', new HandCoordinator());
  SERVERS.forEach((s, i) => rt.spawn(s, servers[i] as HandServer));
  rt.spawn('/driver', () => {});
  return drive(rt, () => servers.reduce((a, s) => a + s.applied, 0));
}

function drive(rt: Runtime, applied: () => number): TwoPhaseVariant {
  let v = 0;
  return {
    run(n: number): void {
      // One transaction after another, as in DIL's measurement.
      for (let i = 0; i < n; i++) {
        rt.send('/driver', '/coord', ++v);
        rt.drain();
      }
    },
    applied,
  };
}
