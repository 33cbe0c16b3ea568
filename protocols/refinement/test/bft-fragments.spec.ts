import { expect } from 'chai';
import { type AgentContext, type Continuation, type Envelope, Metaobject, type Path } from '@escher/core';
import { Delay, Duplicate, type Rng, type Simulator, assertSeedsPassed, runSeeds } from '@escher/sim';
import { Manager, canonicalJson } from '../src';
import { Doubler } from './replicas';

const REPLAY = 'npx mocha --no-config protocols/refinement/dist/test/bft-fragments.spec.js';

/** Records what leaves an honest replica for the client, as (id, canonical payload). */
class SentLog extends Metaobject {
  constructor(private readonly into: Set<string>) {
    super();
  }
  override transmit(msg: Envelope, next: Continuation): void {
    if (msg.dst === '/c') this.into.add(`${msg.id}|${canonicalJson(msg.payload)}`);
    next(msg);
  }
}

/** At the top of a Byzantine replica's stack: gives the next message the id and escher mark it was told to. */
class Rewriter extends Metaobject {
  id: number | undefined;
  mark: number | undefined;
  override transmit(msg: Envelope, next: Continuation): void {
    if (this.id !== undefined) msg.id = this.id;
    if (this.mark !== undefined) msg.roleTags = { ...msg.roleTags, escher: this.mark };
    next(msg);
  }
}

type Move = 'lie' | 'lie-ahead' | 'equivocate' | 'honest' | 'silence' | 'retransmission-mark' | 'repeat';
const MOVES: readonly Move[] = ['lie', 'lie-ahead', 'equivocate', 'honest', 'silence', 'retransmission-mark', 'repeat'];

/**
 * A Byzantine replica of the f that collude: for request k (the k-th it
 * sees) every one of them tells the same lie `{ v: -k }` under the id the
 * honest replies to k carry, and lies about later ids ahead of time, so
 * their f fragments always agree with each other — one short of f + 1.
 */
class ColludingReplica {
  private k = 0;
  private ctx!: AgentContext;
  constructor(private readonly rng: Rng, private readonly rewriter: Rewriter, readonly moves: Map<Move, number>) {}
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }
  receive(msg: Envelope): void {
    const v = (msg.payload as { v?: unknown }).v;
    if (typeof v !== 'number') return;
    this.k++;
    const k = this.k;
    const move = this.rng.pick(MOVES);
    this.moves.set(move, (this.moves.get(move) ?? 0) + 1);
    switch (move) {
      case 'lie':
        return this.send(k, { v: -k });
      case 'lie-ahead':
        for (let j = 0; j <= 3; j++) this.send(k + j, { v: -(k + j) });
        return;
      case 'equivocate':
        this.send(k, { v: -k });
        return this.send(k, { v: 2 * v + 1, to: 'some' });
      case 'honest':
        return this.send(k, { v: 2 * v });
      case 'silence':
        return;
      case 'retransmission-mark':
        // Claims its lie is a retransmission, hoping to be counted again.
        this.rewriter.mark = 2;
        this.send(k, { v: -k });
        this.send(k, { v: -k });
        this.rewriter.mark = undefined;
        return;
      case 'repeat':
        for (let j = 0; j < 3; j++) this.send(k, { v: -k });
        return;
      default: {
        const never: never = move;
        throw new Error(`unknown move ${String(never)}`);
      }
    }
  }
  private send(id: number, payload: unknown): void {
    this.rewriter.id = id;
    this.ctx.send('/c', payload);
    this.rewriter.id = undefined;
  }
}

/** Sends requests 1..n one at a time, the next once the previous reply arrived; keeps every delivered message. */
class SequentialClient {
  readonly got: Envelope[] = [];
  private ctx!: AgentContext;
  constructor(private readonly n: number) {}
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
    ctx.setTimer(1, () => ctx.send('/kv', { v: 1 }));
  }
  receive(msg: Envelope): void {
    this.got.push(msg);
    if (this.got.length < this.n) this.ctx.send('/kv', { v: this.got.length + 1 });
  }
}

describe('BFT fragment sets', function () {
  this.timeout(180_000);

  it('should never yield, with f Byzantine children and waitForMatching f + 1, a message that no correct child sent', () => {
    const moves = new Map<Move, number>();
    let delivered = 0;
    const report = runSeeds(
      {
        name: 'f colluding children of /kv, merged with f + 1 matching',
        options: { faults: [new Delay({ kind: 'uniform', min: 0.1, max: 4 }), new Duplicate(0.1)] },
        build(sim: Simulator) {
          const shape = sim.rng.fork('shape');
          const f = shape.int(1, 3);
          const n = 3 * f + 1;
          const requests = shape.int(2, 8);
          const names = Array.from({ length: n }, (_, i) => String(i + 1));
          // Which children are Byzantine varies with the seed.
          const byzantine = new Set<string>();
          while (byzantine.size < f) byzantine.add(shape.pick(names));
          const mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 20 } });
          mgr.refine('/kv', { children: names, merge: { waitForMatching: f + 1 } });
          const honestSent = new Set<string>();
          for (const name of names) {
            const path = `/kv/${name}` as Path;
            if (byzantine.has(name)) {
              const rewriter = new Rewriter();
              mgr.spawn(path, new ColludingReplica(sim.rng.fork(`byz-${name}`), rewriter, moves));
              sim.install(path, rewriter, 'top');
            } else {
              mgr.spawn(path, new Doubler());
              sim.install(path, new SentLog(honestSent), 'top');
            }
          }
          const client = new SequentialClient(requests);
          mgr.spawn('/c', client);
          return {
            maxTime: 30_000,
            done: () => client.got.length === requests,
            always: () => {
              for (const m of client.got) {
                const key = `${m.id}|${canonicalJson(m.payload)}`;
                if (!honestSent.has(key)) throw new Error(`delivered ${key} from ${m.src}, which no correct child sent`);
              }
            },
            atEnd: () => {
              // Liveness: the 2f + 1 correct children outvote the colluders on every request.
              expect(client.got.map((m) => (m.payload as { v: number }).v)).to.deep.equal(Array.from({ length: requests }, (_, i) => 2 * (i + 1)));
              delivered += client.got.length;
            },
          };
        },
      },
      { seeds: 3000, budgetMs: 90_000 },
    );
    console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 3000 })}`);
    console.log(`      ${delivered} replies delivered; Byzantine moves ${JSON.stringify(Object.fromEntries(moves))}`);
    if (process.env.SEED === undefined) for (const m of MOVES) expect(moves.get(m) ?? 0, m).to.be.greaterThan(0);
  });
});
