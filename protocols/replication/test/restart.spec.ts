import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '@escher/linearizability';
import {
  Delay,
  Discard,
  Duplicate,
  type FaultLayer,
  type Scenario,
  Shuffle,
  type Simulator,
  assertSeedsPassed,
  runSeeds,
} from '@escher/sim';
import { kvCas } from './kv-model';
import { RestartWorld, type RestartWorldOptions } from './restart-world';

const REPLAY = 'npx mocha --no-config protocols/replication/dist/test/restart.spec.js';

interface Plan {
  readonly name: string;
  readonly faults: () => FaultLayer[];
  readonly world: RestartWorldOptions;
  readonly script: (w: RestartWorld, sim: Simulator, rng: ReturnType<Simulator['rng']['fork']>) => void;
  readonly maxTime?: number;
  /** Check the history with the linearizability checker at the end. */
  readonly linearizable?: boolean;
}

function scenario(plan: Plan): Scenario {
  return {
    name: plan.name,
    get options() {
      return { faults: plan.faults() };
    },
    build(sim) {
      const w = new RestartWorld(sim, plan.world);
      plan.script(w, sim, sim.rng.fork('script'));
      return {
        maxTime: plan.maxTime ?? 20_000,
        done: () => w.finished(),
        always: () => w.always(),
        atEnd: () => {
          w.atEnd();
          w.endChecks.forEach((f) => f());
          if (plan.linearizable === false) return;
          const verdict = check(kvCas, w.history, { timeoutMs: 5_000 }).linearizable;
          if (verdict !== true) throw new Error(`history not linearizable (${String(verdict)}) [${w.script.join('; ')}]`);
        },
      };
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

const world3: RestartWorldOptions = { replicas: 3, clients: 3, opsPerClient: [5, 15] };

describe('Replication: a crashed replica restarted from its storage (simulator)', () => {
  it('should give every request exactly one correct reply when a follower crashes and restarts, under loss, duplication and reordering', () => {
    const report = runSeeds(
      scenario({
        name: 'follower crash and restart, 10% loss',
        faults: lossy(0.1),
        world: world3,
        script: (w, _sim, rng) => {
          const at = rng.int(50, 600);
          const down = rng.int(10, 600);
          const pick = rng.int(0, 1);
          w.at(at, () => {
            const leader = w.leader();
            const followers = w.replicaPaths.filter((p) => p !== leader);
            w.crashAndRestart(at, followers[pick % followers.length] as string, down);
          });
        },
      }),
      { seeds: 1000, budgetMs: 60_000 },
    );
    expectClean(report, 1000);
  });

  it('should give every request exactly one correct reply when the leader crashes and restarts, under loss, duplication and reordering', () => {
    const report = runSeeds(
      scenario({
        name: 'leader crash and restart, 10% loss',
        faults: lossy(0.1),
        world: world3,
        script: (w, _sim, rng) => w.crashAndRestart(rng.int(50, 600), 'leader', rng.int(10, 600)),
      }),
      { seeds: 1000, budgetMs: 60_000 },
    );
    expectClean(report, 1000);
  });

  it('should survive the same or another replica crashing and restarting again and again (incarnations 1, 2, 3…)', () => {
    const report = runSeeds(
      scenario({
        name: 'repeated crashes and restarts',
        faults: lossy(0.03),
        world: { ...world3, opsPerClient: [10, 25] },
        script: (w, _sim, rng) => {
          let at = rng.int(20, 200);
          for (let i = 0; i < 4; i++) {
            const down = rng.int(10, 300);
            w.crashAndRestart(at, rng.chance(0.5) ? 'leader' : (rng.pick(w.replicaPaths) as string), down);
            at += down + rng.int(30, 300);
          }
        },
      }),
      { seeds: 500, budgetMs: 60_000 },
    );
    expectClean(report, 500);
  });

  it('should make progress with the restarted replica in the majority: the old leader restarts, then another replica is lost for good', () => {
    // Its peers heard hundreds of messages from it as leader: without incarnations they would take its new ones for duplicates.
    const report = runSeeds(
      scenario({
        name: 'restarted leader, then another replica lost',
        faults: lossy(0.05),
        world: { ...world3, opsPerClient: [10, 20] },
        script: (w, _sim, rng) => {
          const at = rng.int(300, 600);
          const down = rng.int(10, 200);
          w.crashAndRestart(at, 'leader', down);
          w.crashForGood(at + down + rng.int(1, 100), () => [...w.restarted], rng.int(0, 1));
        },
        maxTime: 10_000,
      }),
      { seeds: 500, budgetMs: 60_000 },
    );
    expectClean(report, 500);
  });

  it('should let peers hear a restarted replica at once: none of its Raft messages is taken for one of its predecessor\'s', () => {
    // No network duplication here, so any Raft message a replica ignores as a duplicate is a new one refused.
    const report = runSeeds(
      scenario({
        name: 'restarted replica heard at once',
        faults: () => [new Delay({ kind: 'exponential', min: 0.2, mean: 2 }), new Discard(0.05), new Shuffle(0.1, 5)],
        world: world3,
        script: (w, _sim, rng) => {
          w.crashAndRestart(rng.int(200, 600), rng.chance(0.5) ? 'leader' : (rng.pick(w.replicaPaths) as string), rng.int(10, 300));
          w.onEnd(() => {
            const smr = w.wrapper.replicationOf('/kv');
            const refused = w.replicaPaths.map((p) => smr?.replicaAt(p)?.raftDuplicates ?? 0);
            if (refused.some((n) => n !== 0)) throw new Error(`Raft messages refused as duplicates: ${refused.join(', ')} [${w.script.join('; ')}]`);
          });
        },
      }),
      { seeds: 500, budgetMs: 60_000 },
    );
    expectClean(report, 500);
  });

  it('should serve a client restarted under a new incarnation (ids from 1 again) as well as replicas restarting', () => {
    const report = runSeeds(
      scenario({
        name: 'client and replica restarts',
        faults: lossy(0.05),
        world: { ...world3, opsPerClient: [10, 20] },
        script: (w, _sim, rng) => {
          w.restartClient(rng.int(50, 500), rng.int(0, 2), rng.int(1, 200));
          if (rng.chance(0.5)) w.crashAndRestart(rng.int(50, 600), 'leader', rng.int(10, 300));
          if (rng.chance(0.3)) w.restartClient(rng.int(300, 900), rng.int(0, 2), rng.int(1, 200));
        },
      }),
      { seeds: 500, budgetMs: 60_000 },
    );
    expectClean(report, 500);
  });

  it('should come back from every replica crashing at once (a power cut): storage alone holds the state', () => {
    const report = runSeeds(
      scenario({
        name: 'all replicas crash, then restart',
        faults: lossy(0.03),
        world: world3,
        script: (w, _sim, rng) => {
          const at = rng.int(100, 500);
          for (const p of w.replicaPaths) w.crashAndRestart(at, p, rng.int(10, 300));
        },
      }),
      { seeds: 400, budgetMs: 60_000 },
    );
    expectClean(report, 400);
  });

  it('should tolerate two of five replicas down and back at overlapping times', () => {
    const report = runSeeds(
      scenario({
        name: '5 replicas, two overlapping restarts',
        faults: lossy(0.03),
        world: { ...world3, replicas: 5 },
        script: (w, _sim, rng) => {
          const first = rng.int(50, 400);
          w.crashAndRestart(first, 'leader', rng.int(50, 500));
          w.crashAndRestart(first + rng.int(0, 200), rng.pick(w.replicaPaths) as string, rng.int(50, 500));
        },
      }),
      { seeds: 300, budgetMs: 60_000 },
    );
    expectClean(report, 300);
  });

  it('should do the same with each replica\'s state in a file (FileStorage: fsync per batch, reopened at each restart)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'escher-raft-sim-'));
    try {
      let run = 0;
      const report = runSeeds(
        scenario({
          name: 'leader crash and restart, FileStorage',
          faults: lossy(0.05),
          get world() {
            // A directory per seed: every seed starts with empty disks.
            return { ...world3, fileDir: join(dir, String(++run)) };
          },
          script: (w, _sim, rng) => w.crashAndRestart(rng.int(50, 600), 'leader', rng.int(10, 600)),
        }),
        { seeds: 40, budgetMs: 60_000 },
      );
      expectClean(report, 40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should run each seed the same way twice', () => {
    const report = runSeeds(
      scenario({
        name: 'determinism across restarts',
        faults: lossy(0.05),
        world: world3,
        script: (w, _sim, rng) => w.crashAndRestart(rng.int(50, 400), 'leader', rng.int(10, 300)),
      }),
      { seeds: 100, checkDeterminism: true },
    );
    expectClean(report, 100);
  });

  it('should be caught by its checks when a restarted replica has lost its storage (negative control)', () => {
    const report = runSeeds(
      scenario({
        name: 'amnesia',
        faults: lossy(0.03),
        world: { ...world3, amnesia: true },
        script: (w, _sim, rng) => {
          const at = rng.int(200, 500);
          for (const p of w.replicaPaths) w.crashAndRestart(at, p, rng.int(10, 100));
        },
        maxTime: 5_000,
      }),
      { seeds: 20, stopAtFirstFailure: false },
    );
    expect(report.failures.length).to.be.at.least(Math.ceil(report.seedsRun / 2));
    console.log(`      ${report.failures.length} of ${report.seedsRun} amnesic runs caught, e.g. ${report.failures[0]?.error.message.slice(0, 90)}`);
  });
});
