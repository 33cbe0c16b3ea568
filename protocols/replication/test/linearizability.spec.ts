import { expect } from 'chai';
import { check } from '@escher/linearizability';
import { Delay, Discard, Duplicate, Shuffle, Simulator } from '@escher/sim';
import { kvCas } from './kv-model';
import { KvWorld } from './kv-world';

const REPLAY = 'npx mocha --no-config protocols/replication/dist/test/linearizability.spec.js';

/** Four clients on two keys against three replicas whose leader crashes, on a lossy, duplicating, reordering network. */
function run(seed: number, stale = false): { world: KvWorld; linearizable: boolean | 'unknown'; finished: boolean } {
  const sim = new Simulator({
    seed,
    faults: [new Delay({ kind: 'exponential', min: 0.2, mean: 2 }), new Discard(0.05), new Duplicate(0.05), new Shuffle(0.1, 5)],
  });
  const world = new KvWorld(sim, { replicas: 3, clients: 4, opsPerClient: [5, 12], retryMs: 100, stale });
  world.crashLeaderAt(sim.rng.fork('script').int(50, 400), '/kv/1');
  sim.run({ maxTime: 8_000, done: () => world.finished(), check: () => world.always() });
  const result = check(kvCas, world.history, { timeoutMs: 5_000 });
  return { world, linearizable: result.linearizable, finished: world.finished() };
}

describe('Replication: linearizability of a replicated key-value store (simulator + checker)', () => {
  it('should produce only linearizable histories (get, put, append, cas) across a leader crash', () => {
    const first = process.env.SEED === undefined ? 1 : Number(process.env.SEED);
    const count = process.env.SEED === undefined ? 800 : 1;
    let operations = 0;
    const started = Date.now();
    for (let seed = first; seed < first + count; seed++) {
      const { world, linearizable, finished } = run(seed);
      operations += world.history.size;
      const why = !finished ? 'not every operation completed' : linearizable !== true ? `history not linearizable (${String(linearizable)})` : undefined;
      if (why !== undefined) {
        console.log(`replay: SEED=${seed} ${REPLAY}`);
        console.log(world.sim.trace.lastLines().join('\n'));
        expect.fail(`seed ${seed}: ${why}`);
      }
    }
    console.log(`      ${count} seeds, ${operations} operations checked linearizable in ${Date.now() - started} ms`);
  });

  it('should catch a store that serves stale reads (negative control: the check above can fail)', () => {
    let caught = 0;
    for (let seed = 1; seed <= 60; seed++) if (run(seed, true).linearizable === false) caught++;
    expect(caught).to.be.greaterThan(0);
    console.log(`      ${caught} of 60 stale-read runs found not linearizable`);
  });
});
