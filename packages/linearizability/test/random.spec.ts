import { expect } from 'chai';
import { check, History, kv, prepare, register, UNKNOWN, type HistoryEvent, type Model, type RegisterValue } from '../src';
import { corrupt, generate, kvSubject, registerSubject, type Subject } from './generate';
import { Rng, testSeed } from './helpers';

const ROUNDS = 150;

/** Generate `ROUNDS` histories; each must be linearizable, and not once one read's result is corrupted. */
function roundTrips<S, I, O>(seed: number, model: Model<S, I, O>, subject: () => Subject, neverWritten: unknown): void {
  const rng = new Rng(seed);
  for (let round = 0; round < ROUNDS; round++) {
    const { events, reads } = generate(rng, subject(), 2 + rng.int(5), 10 + rng.int(60));
    const context = `seed ${seed}, round ${round}`;
    expect(check(model, History.fromEvents(events), { timeoutMs: 10_000 }).linearizable, context).to.equal(true);
    if (reads.length === 0) continue;
    const bad = corrupt(events, reads[rng.int(reads.length)], neverWritten);
    expect(check(model, History.fromEvents(bad), { timeoutMs: 10_000 }).linearizable, `${context}, corrupted`).to.equal(false);
  }
}

/** A small register history with arbitrary outputs: some linearizable, some not. */
function arbitraryRegisterHistory(rng: Rng): HistoryEvent[] {
  const h = new History();
  const values = [null, 0, 1, 2];
  const busy = new Map<number, string>();
  let invoked = 0;
  const total = 3 + rng.int(6);
  while (invoked < total || busy.size > 0) {
    const p = rng.int(3);
    const f = busy.get(p);
    if (f === undefined) {
      if (invoked === total) continue;
      const r = rng.next();
      const call = r < 0.4 ? 'read' : r < 0.7 ? 'write' : 'cas';
      h.invoke(p, call, call === 'read' ? null : call === 'write' ? rng.int(3) : [values[rng.int(4)], rng.int(3)]);
      busy.set(p, call);
      invoked++;
    } else {
      if (rng.chance(0.15)) h.info(p);
      else h.ok(p, f === 'read' ? values[rng.int(4)] : f === 'cas' ? rng.chance(0.5) : null);
      busy.delete(p);
    }
  }
  return [...h.events];
}

/** Linearizability by trying every order: no memo, no linked list. Only for a handful of operations. */
function exhaustive(events: HistoryEvent[]): boolean {
  const ops = prepare(register, History.fromEvents(events).operations());
  const remaining = new Set(ops.map((_, i) => i));
  const go = (state: RegisterValue): boolean => {
    if ([...remaining].every((i) => ops[i].output === UNKNOWN)) return true;
    for (const i of [...remaining]) {
      // i may go next unless some other remaining operation returned before i was called.
      if ([...remaining].some((j) => ops[j].ret < ops[i].call)) continue;
      const r = register.step(state, ops[i].input, ops[i].output);
      if (!r.ok) continue;
      remaining.delete(i);
      const found = go(r.state);
      remaining.add(i);
      if (found) return true;
    }
    return false;
  };
  return go(register.init);
}

describe('check', () => {
  describe('randomised histories', () => {
    const seed = testSeed();
    before(() => console.log('seed', seed));

    describe('register', () => {
      it(`should find ${ROUNDS} histories of a real register linearizable, and not once a read returns a value never written`, () => {
        roundTrips(seed, register, registerSubject, 99);
      });

      it('should agree with an exhaustive search on small histories with arbitrary outputs', () => {
        const rng = new Rng(seed);
        const verdicts = { true: 0, false: 0 };
        for (let round = 0; round < 1000; round++) {
          const events = arbitraryRegisterHistory(rng);
          const expected = exhaustive(events);
          expect(check(register, History.fromEvents(events)).linearizable, `seed ${seed}, round ${round}: ${JSON.stringify(events)}`).to.equal(expected);
          verdicts[String(expected) as 'true' | 'false']++;
        }
        expect(verdicts.true).to.be.above(50);
        expect(verdicts.false).to.be.above(50);
      });
    });

    describe('kv', () => {
      it(`should find ${ROUNDS} histories of a real store linearizable, and not once a get returns a value never written`, () => {
        roundTrips(seed, kv, kvSubject, '<never written>');
      });
    });
  });
});
