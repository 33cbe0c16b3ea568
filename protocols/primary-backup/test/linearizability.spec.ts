import { expect } from 'chai';
import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';
import { History, check, kv } from '@escher/linearizability';
import { Delay, Duplicate, Simulator } from '@escher/sim';
import { PrimaryBackup } from '../src';

type Op = { f: 'get'; key: string } | { f: 'put' | 'append'; key: string; value: string };

/** A deterministic key-value store (a missing key reads as ""); `stale` makes reads return the value before the last write. */
class Store implements DeterministicBehavior {
  readonly deterministic = true;
  private readonly data = new Map<string, string>();
  private readonly previous = new Map<string, string>();
  constructor(private readonly stale = false) {}
  receive(msg: Envelope, ctx: AgentContext): void {
    const { op, n } = msg.payload as { op: Op; n: number };
    const before = this.data.get(op.key) ?? '';
    if (op.f !== 'get') this.previous.set(op.key, before);
    if (op.f === 'put') this.data.set(op.key, op.value);
    if (op.f === 'append') this.data.set(op.key, before + op.value);
    const read = this.stale ? (this.previous.get(op.key) ?? '') : before;
    ctx.reply(msg, { n, value: op.f === 'get' ? read : null });
  }
}

/**
 * Clients, each one operation at a time, against a key-value store replicated
 * by primary-backup whose primary crashes at a random time. Every
 * invocation and reply goes into a History; the run must be linearizable.
 */
function scenario(seed: number, stale = false) {
  const sim = new Simulator({ seed, faults: [new Delay({ kind: 'exponential', min: 0.2, mean: 2 }), new Duplicate(0.05)] });
  const rng = sim.rng.fork('workload');
  sim.spawn('/kv/1', new Store(stale));
  sim.spawn('/kv/2', new Store(stale));
  const pb = new PrimaryBackup(sim, { service: '/kv', timeoutMs: 40 }, 'pb');
  pb.addReplica('/kv/1');
  pb.addReplica('/kv/2');
  const history = new History();
  const clients = rng.int(2, 4);
  const opsPerClient = rng.int(3, 8);
  for (let c = 0; c < clients; c++) {
    let n = 0;
    const issue = (ctx: AgentContext) => {
      if (n >= opsPerClient) return;
      n++;
      const key = rng.pick(['x', 'y']);
      const f = rng.pick(['get', 'put', 'append'] as const);
      const op: Op = f === 'get' ? { f, key } : { f, key, value: `${c}.${n}` };
      history.invoke(c, f, op, sim.now);
      ctx.send('/kv', { op, n });
    };
    sim.spawn(`/c${c}`, {
      onStart: (ctx) => ctx.setTimer(rng.int(0, 50), () => issue(ctx)),
      receive: (m, ctx) => {
        const { value } = m.payload as { value: string | null };
        history.ok(c, value === null ? undefined : value, sim.now);
        ctx.setTimer(rng.int(0, 30), () => issue(ctx));
      },
    });
    pb.addClient(`/c${c}`);
  }
  sim.at(rng.int(0, 200), () => sim.crashNode('/kv/1'));
  return { sim, history, expected: clients * opsPerClient };
}

describe('PrimaryBackup key-value store: linearizability under a primary crash (simulator + checker)', () => {
  it('should produce only linearizable histories, every operation completed', () => {
    let operations = 0;
    const failures: string[] = [];
    const first = process.env.SEED === undefined ? 1 : Number(process.env.SEED);
    const count = process.env.SEED === undefined ? 300 : 1;
    for (let seed = first; seed < first + count && failures.length === 0; seed++) {
      const { sim, history, expected } = scenario(seed);
      sim.run({ maxTime: 10_000 });
      const completed = history.operations().filter((o) => o.outcome === 'ok').length;
      const result = check(kv, history, { timeoutMs: 2_000 });
      operations += completed;
      if (completed !== expected) failures.push(`seed ${seed}: ${completed} of ${expected} operations completed`);
      if (result.linearizable !== true) failures.push(`seed ${seed}: history not linearizable (${String(result.linearizable)})`);
      if (failures.length > 0) {
        console.log(`replay: SEED=${seed} npx mocha --no-config protocols/primary-backup/dist/test/linearizability.spec.js`);
        console.log(sim.trace.lastLines().join('\n'));
      }
    }
    expect(failures).to.deep.equal([]);
    console.log(`      ${count} seeds, ${operations} operations checked linearizable`);
  });

  it('should catch a store that serves stale reads (negative control: the check above can fail)', () => {
    let caught = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const { sim, history } = scenario(seed, true);
      sim.run({ maxTime: 10_000 });
      if (check(kv, history, { timeoutMs: 2_000 }).linearizable === false) caught++;
    }
    expect(caught).to.be.greaterThan(0);
    console.log(`      ${caught} of 100 stale-read runs found not linearizable`);
  });
});
