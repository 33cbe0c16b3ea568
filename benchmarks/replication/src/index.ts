import { defineBenchmark, median, perSecond } from '@escher/bench-harness';
import { type ReplicationRun, replicatedKv } from './workload';

/**
 * Replicated key-value operations per second in one process: a client
 * with a window of outstanding puts, a store refined into n replicas under
 * the Raft wrapper, replies merged at the client (waitForMatching 1).
 */
export const benchmark = defineBenchmark({
  name: 'replication',
  description: 'key-value puts per second through the Raft replication wrapper, in one process, for n = 3, 5, 7 replicas',
  targets: [{ name: 'opsPerSecN3 ≥ 200k', figure: 'opsPerSecN3', comparison: '>=', threshold: 200_000 }],
  chart: {
    title: 'Replicated key-value puts per second (one process)',
    unit: 'ops/s',
    bars: [
      { label: 'n = 3', figure: 'opsPerSecN3' },
      { label: 'n = 5', figure: 'opsPerSecN5' },
      { label: 'n = 7', figure: 'opsPerSecN7' },
      { label: 'n = 3, with outbox + ACKs', figure: 'opsPerSecN3Reliable' },
    ],
  },
  async run(ctx) {
    const ops = ctx.quick ? 2_000 : 100_000;
    const rounds = ctx.quick ? 1 : 3;
    const window = 512;
    const cases: [string, number, boolean][] = [
      ['opsPerSecN3', 3, false],
      ['opsPerSecN5', 5, false],
      ['opsPerSecN7', 7, false],
      ['opsPerSecN3Reliable', 3, true],
    ];
    for (const [figure, n, reliable] of cases) {
      const runs: ReplicationRun[] = [];
      await replicatedKv(n, Math.min(ops, 5_000), window, reliable); // warm-up
      for (let r = 0; r < rounds; r++) {
        ctx.progress(figure, r, rounds);
        const run = await replicatedKv(n, ops, window, reliable);
        if (!run.repliesOk) throw new Error(`${figure}: a put was not answered exactly once`);
        runs.push(run);
      }
      const rate = median(runs.map((x) => perSecond(x.ops, x.wallNs)));
      ctx.record({ case: figure, replicas: n, reliable, ops, window, opsPerSec: rate });
      ctx.figure(figure, rate);
    }
  },
});
