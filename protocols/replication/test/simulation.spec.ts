import { expect } from 'chai';
import { Delay, Discard, Duplicate, type FaultLayer, Partition, type Scenario, Shuffle, type Simulator, assertSeedsPassed, runSeeds } from '@escher/sim';
import { Cut, KvWorld, type WorldOptions } from './kv-world';

const REPLAY = 'npx mocha --no-config protocols/replication/dist/test/simulation.spec.js';

/** Plan of one scenario: faults, world, and what happens to the replicas when. */
interface Plan {
  readonly name: string;
  readonly faults: () => FaultLayer[];
  readonly world: WorldOptions;
  /** Schedules crashes, cuts and heals; `rng` is the scenario's own stream. */
  readonly script?: (w: KvWorld, sim: Simulator, rng: ReturnType<Simulator['rng']['fork']>) => void;
  readonly maxTime?: number;
}

function scenario(plan: Plan): Scenario {
  return {
    name: plan.name,
    get options() {
      return { faults: plan.faults() };
    },
    build(sim) {
      const w = new KvWorld(sim, plan.world);
      plan.script?.(w, sim, sim.rng.fork('script'));
      return { maxTime: plan.maxTime ?? 8_000, done: () => w.finished(), always: () => w.always(), atEnd: () => w.atEnd() };
    },
  };
}

function expectClean(report: ReturnType<typeof runSeeds>, minSeeds: number): void {
  console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds })}`);
}

const lossy = (p: number) => () => [
  new Delay({ kind: 'exponential', min: 0.2, mean: 2 }),
  new Discard(p),
  new Duplicate(0.05),
  new Shuffle(0.1, 5),
];

const world3: WorldOptions = { replicas: 3, clients: 3, opsPerClient: [5, 15], retryMs: 150 };

describe('Replication under the simulator (replicated key-value store)', () => {
  it('should lose no acknowledged write when the leader crashes, under 10% loss, duplication and reordering', () => {
    const report = runSeeds(
      scenario({
        name: 'leader crash, 10% loss',
        faults: lossy(0.1),
        world: world3,
        script: (w, _sim, rng) => w.crashLeaderAt(rng.int(50, 400), '/kv/1'),
      }),
      { seeds: 2000, budgetMs: 40_000 },
    );
    expectClean(report, 2000);
  });

  it('should survive any one replica crashing, at any time, with sends of one entry at a time (minBatch 1)', () => {
    const report = runSeeds(
      scenario({
        name: 'random replica crash, minBatch 1',
        faults: lossy(0.02),
        world: { ...world3, replication: { minBatch: 1, window: 3 } },
        script: (w, sim, rng) => {
          const victim = rng.pick(w.replicaPaths);
          sim.at(rng.int(0, 800), () => sim.crashNode(victim));
        },
      }),
      { seeds: 800, budgetMs: 30_000 },
    );
    expectClean(report, 800);
  });

  it('should tolerate two crashes of five replicas, both leaders', () => {
    const report = runSeeds(
      scenario({
        name: '5 replicas, two leader crashes',
        faults: lossy(0.03),
        world: { ...world3, replicas: 5 },
        script: (w, _sim, rng) => {
          const first = rng.int(50, 400);
          w.crashLeaderAt(first, '/kv/1');
          w.crashLeaderAt(first + rng.int(50, 400), '/kv/2');
        },
      }),
      { seeds: 600, budgetMs: 30_000 },
    );
    expectClean(report, 600);
  });

  it('should tolerate three crashes of seven replicas, at random times', () => {
    const report = runSeeds(
      scenario({
        name: '7 replicas, three crashes',
        faults: lossy(0.03),
        world: { ...world3, replicas: 7 },
        script: (w, sim, rng) => {
          const victims = [...w.replicaPaths];
          let at = 0;
          for (let i = 0; i < 3; i++) {
            const victim = victims.splice(rng.int(0, victims.length - 1), 1)[0] as string;
            at += rng.int(20, 300);
            if (rng.chance(0.5)) w.crashLeaderAt(at, victim);
            else sim.at(at, () => sim.isRunning(victim) && sim.crashNode(victim));
          }
        },
      }),
      { seeds: 300, budgetMs: 30_000 },
    );
    expectClean(report, 300);
  });

  it('should let a leader cut off from the other replicas be replaced, then rejoin as follower when healed', () => {
    const report = runSeeds(
      scenario({
        name: 'leader partitioned from replicas, healed',
        faults: () => [new Delay({ kind: 'uniform', min: 0.2, max: 3 }), new Duplicate(0.03), new Cut()],
        world: world3,
        script: (w, sim, rng) => {
          const cut = sim.network.layers.find((l): l is Cut => l instanceof Cut) as Cut;
          const from = rng.int(50, 500);
          sim.at(from, () => {
            const leader = w.smr.leader() ?? '/kv/1';
            cut.split([leader], w.replicaPaths.filter((p) => p !== leader));
          });
          sim.at(from + rng.int(50, 800), () => cut.heal());
        },
      }),
      { seeds: 800, budgetMs: 30_000 },
    );
    expectClean(report, 800);
  });

  it('should wait out a partition that leaves the clients with a minority, then finish every operation', () => {
    const report = runSeeds(
      scenario({
        name: 'clients with a minority, healed',
        faults: () => [new Delay({ kind: 'uniform', min: 0.2, max: 3 }), new Partition()],
        world: world3,
        script: (w, sim, rng) => {
          const partition = sim.network.layers.find((l): l is Partition => l instanceof Partition) as Partition;
          const from = rng.int(0, 300);
          sim.at(from, () => {
            const minority = rng.pick(w.replicaPaths);
            const clients = w.clients.map((c) => `/c${c.index}`);
            partition.split([minority, ...clients], w.replicaPaths.filter((p) => p !== minority));
          });
          sim.at(from + rng.int(100, 1000), () => partition.heal());
        },
      }),
      { seeds: 500, budgetMs: 30_000 },
    );
    expectClean(report, 500);
  });

  it('should run each seed the same way twice', () => {
    const report = runSeeds(
      scenario({
        name: 'determinism',
        faults: lossy(0.05),
        world: world3,
        script: (w, _sim, rng) => w.crashLeaderAt(rng.int(50, 400), '/kv/1'),
      }),
      { seeds: 100, checkDeterminism: true },
    );
    expectClean(report, 100);
  });

  it('should be caught by its checks when it breaks (negative control: a replica that skips an input)', () => {
    // Sabotage: one replica's copy never sees one input. The prefix check must fire.
    const report = runSeeds(
      {
        name: 'sabotaged',
        options: { faults: [new Delay({ kind: 'fixed', ms: 1 })] },
        build(sim) {
          const w = new KvWorld(sim, world3);
          const store = w.stores[2];
          const receive = store?.receive.bind(store);
          let skipped = false;
          if (store !== undefined && receive !== undefined) {
            store.receive = (msg, ctx) => {
              if (!skipped && store.inputs.length === 3) {
                skipped = true;
                return;
              }
              receive(msg, ctx);
            };
          }
          return { maxTime: 4_000, done: () => w.finished(), always: () => w.always(), atEnd: () => w.atEnd() };
        },
      },
      { seeds: 5 },
    );
    expect(report.failures.length).to.be.greaterThan(0);
  });
});
