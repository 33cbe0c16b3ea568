import { defineBenchmark, interleave, median, perSecond } from '@escher/bench-harness';
import { pingPong } from './workload';

/**
 * How much faster than real time the simulator runs: simulated messages
 * delivered per second of wall time, in a no-fault run where every message
 * crosses the simulated network between runtimes.
 */
export const benchmark = defineBenchmark({
  name: 'simulator',
  description: 'deterministic simulator: simulated messages per wall-clock second, no faults, with and without trace hashing',
  targets: [{ name: 'simMsgsPerSec ≥ 1M', figure: 'simMsgsPerSec', comparison: '>=', threshold: 1_000_000 }],
  chart: {
    title: 'Simulated messages per second of wall time',
    unit: 'msgs/s',
    bars: [
      { label: 'no trace hashing', figure: 'simMsgsPerSec' },
      { label: 'with trace hashing', figure: 'simMsgsPerSecTraced' },
    ],
  },
  async run(ctx) {
    const pairs = ctx.quick ? 4 : 50;
    const rounds = ctx.quick ? 500 : 4000;
    const [plain, traced] = (await interleave(ctx, { rounds: ctx.quick ? 2 : 5, warmup: 1 }, [
      { label: 'no trace', measure: () => pingPong(pairs, rounds, false) },
      { label: 'traced', measure: () => pingPong(pairs, rounds, true) },
    ])) as [ReturnType<typeof pingPong>[], ReturnType<typeof pingPong>[]];
    const rate = (runs: ReturnType<typeof pingPong>[]) => median(runs.map((r) => perSecond(r.messages, r.wallNs)));
    const speedup = (runs: ReturnType<typeof pingPong>[]) => median(runs.map((r) => r.virtualMs / (r.wallNs / 1e6)));
    // Determinism, checked on the way: every traced run of this workload has the same digest.
    const digests = new Set(traced.map((r) => r.traceHash));
    if (digests.size !== 1) throw new Error(`traced runs of one seed disagree: ${[...digests].join(', ')}`);
    for (const [label, runs] of [['no trace', plain], ['traced', traced]] as const) {
      ctx.record({
        case: label,
        pairs,
        messagesPerRun: runs[0]?.messages ?? 0,
        virtualMsPerRun: runs[0]?.virtualMs ?? 0,
        msgsPerSec: rate(runs),
        virtualOverWall: speedup(runs),
      });
    }
    ctx.figure('simMsgsPerSec', rate(plain));
    ctx.figure('simMsgsPerSecTraced', rate(traced));
    ctx.figure('virtualTimeSpeedup', speedup(plain));
  },
});
