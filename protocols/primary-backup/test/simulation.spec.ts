import { expect } from 'chai';
import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';
import { Delay, Discard, Duplicate, type FaultLayer, Partition, type Scenario, Shuffle, type Simulator, assertSeedsPassed, runSeeds } from '@escher/sim';
import { PrimaryBackup } from '../src';

const REPLAY = 'npx mocha --no-config protocols/primary-backup/dist/test/simulation.spec.js';

/** A replicated append-only log: each request appends its value and is answered with its position. */
class Log implements DeterministicBehavior {
  readonly deterministic = true;
  readonly entries: number[] = [];
  receive(msg: Envelope, ctx: AgentContext): void {
    const v = (msg.payload as { v: number }).v;
    this.entries.push(v);
    ctx.reply(msg, { v, pos: this.entries.length });
  }
}

interface World {
  readonly logs: Log[];
  readonly requests: number;
  /** Value → positions the client was told (more than one would be a duplicate reply). */
  readonly acked: Map<number, number[]>;
  readonly pb: PrimaryBackup;
}

function build(sim: Simulator, replicas: number, crashes: number): World {
  const rng = sim.rng.fork('workload');
  const logs = Array.from({ length: replicas }, () => new Log());
  logs.forEach((l, i) => sim.spawn(`/kv/${i + 1}`, l));
  const acked = new Map<number, number[]>();
  let ctx!: AgentContext;
  sim.spawn('/c', {
    onStart: (c) => void (ctx = c),
    receive(m) {
      const { v, pos } = m.payload as { v: number; pos: number };
      if (m.src !== '/kv') throw new Error(`the client saw a reply from ${m.src}`);
      acked.set(v, [...(acked.get(v) ?? []), pos]);
    },
  });
  const pb = new PrimaryBackup(sim, { service: '/kv', timeoutMs: 50 }, 'pb');
  logs.forEach((_, i) => pb.addReplica(`/kv/${i + 1}`));
  pb.addClient('/c');
  const requests = rng.int(5, 25);
  for (let v = 1; v <= requests; v++) sim.at(rng.int(0, 400), () => ctx.send('/kv', { v }));
  // Crash the first `crashes` replicas in order (the primary first), at random times.
  let t = 0;
  for (let i = 1; i <= crashes; i++) {
    t += rng.int(0, 300);
    sim.at(t, () => sim.crashNode(`/kv/${i}`));
  }
  return { logs, requests, acked, pb };
}

/** Safety after every event: one reply per request. */
function checkReplies(w: World): void {
  for (const [v, positions] of w.acked) if (positions.length > 1) throw new Error(`request ${v} answered ${positions.length} times`);
}

/** At the end: every request answered, and every answer still true in the surviving primary's log (nothing lost or reordered). */
function checkLog(sim: Simulator, w: World): void {
  // The first live replica: the primary, or a backup that never needed to take over (its log mirrors the primary's).
  const rank = w.logs.findIndex((_, i) => sim.isRunning(`/kv/${i + 1}`));
  if (rank < 0) throw new Error('no replica survived');
  const log = w.logs[rank] as Log;
  for (let v = 1; v <= w.requests; v++) {
    const positions = w.acked.get(v);
    if (positions === undefined) throw new Error(`request ${v} never answered`);
    const pos = positions[0] as number;
    if (log.entries[pos - 1] !== v) throw new Error(`request ${v} was acknowledged at position ${pos}, but the log holds ${String(log.entries[pos - 1])} there`);
  }
  if (log.entries.length !== w.requests) throw new Error(`log has ${log.entries.length} entries for ${w.requests} requests`);
}

function scenario(name: string, faults: () => FaultLayer[], replicas: number, crashes: number): Scenario {
  return {
    name,
    get options() {
      return { faults: faults() };
    },
    build(sim) {
      const w = build(sim, replicas, crashes);
      return { maxTime: 10_000, always: () => checkReplies(w), atEnd: () => checkLog(sim, w) };
    },
  };
}

function expectClean(report: ReturnType<typeof runSeeds>, minSeeds: number): void {
  console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds })}`);
}

describe('PrimaryBackup under the simulator', () => {
  it('should never lose or reorder an acknowledged update across a primary crash (2 replicas, delays and duplicates)', () => {
    const report = runSeeds(
      scenario('pb primary crash', () => [new Delay({ kind: 'exponential', min: 0.2, mean: 2 }), new Duplicate(0.1)], 2, 1),
      { seeds: 1000, budgetMs: 30_000 },
    );
    expectClean(report, 1000);
  });

  it('should survive two crashes in a row with three replicas', () => {
    const report = runSeeds(scenario('pb two crashes', () => [new Delay({ kind: 'uniform', min: 0.5, max: 4 })], 3, 2), {
      seeds: 500,
      budgetMs: 30_000,
    });
    expectClean(report, 500);
  });

  it('should state its limitations: loss, reordering or a partition between replicas can break it', () => {
    // Primary-backup assumes FIFO, reliable links and fail-stop replicas (DESIGN.md). Each of these breaks one assumption.
    for (const [name, faults] of [
      ['loss', () => [new Delay({ kind: 'fixed', ms: 1 }), new Discard(0.2)]],
      ['reordering', () => [new Delay({ kind: 'fixed', ms: 1 }), new Shuffle(0.3, 30)]],
      [
        'partition',
        () => {
          const p = new Partition();
          p.split(['/kv/1'], ['/kv/2']); // the backup never hears the primary and takes over: two primaries
          return [new Delay({ kind: 'fixed', ms: 1 }), p];
        },
      ],
    ] as const) {
      const report = runSeeds(scenario(`pb ${name}`, faults as () => FaultLayer[], 2, 0), { seeds: 200, stopAtFirstFailure: true });
      expect(report.failures.length, `${name} should break primary-backup in some seed`).to.be.greaterThan(0);
    }
  });
});
