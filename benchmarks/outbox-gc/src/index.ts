import { type BenchContext, defineBenchmark, formatNumber } from '@escher/bench-harness';
import { fullGc } from './heap';
import { run, type RunSize, type Sample } from './workload';

export { fullGc, sampleHeap, type HeapSample } from './heap';
export { buildWorld, inspect, run, type RunSize, type Sample, type World, WorkloadError } from './workload';

export const FULL: RunSize = { messages: 1_000_000, window: 1000, sampleEvery: 50_000 };
export const QUICK: RunSize = { messages: 20_000, window: 1000, sampleEvery: 1000 };

/** Summary key of the heap at `messages` requests: `heapMiBAt50000`. */
export function heapFigure(messages: number): string {
  return `heapMiBAt${messages}`;
}

/** Slope of the least-squares line through (x, y), in y per x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    sxx += ((xs[i] as number) - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

const r2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The bars of the chart, one per heap sample. They depend on the size of
 * the run (quick or full), which only `run` knows, so `run` fills them in.
 */
const bars: { label: string; figure: string }[] = [];

/** Runs the workload at `size`, recording a row per sample, the summary figures and the chart's bars. */
export async function measure(ctx: BenchContext, size: RunSize): Promise<void> {
  const gc = fullGc();
  ctx.note(
    `${formatNumber(size.messages)} requests in windows of ${formatNumber(size.window)}, heap sampled every ` +
      `${formatNumber(size.sampleEvery)}${gc === undefined ? ' WITHOUT a forced GC (none available)' : ' after a full GC'}`,
  );
  const samples: Sample[] = [];
  let previous: Sample | undefined;
  const end = await run(size, gc, (s) => {
    samples.push(s);
    const dt = previous === undefined ? 0 : s.elapsedMs - previous.elapsedMs;
    const rate = previous === undefined || dt <= 0 ? 0 : ((s.messages - previous.messages) * 1000) / dt;
    previous = s;
    ctx.progress('requests', s.messages, size.messages);
    ctx.record({
      messages: s.messages,
      heapMiB: r2(s.heapMiB),
      rssMiB: r2(s.rssMiB),
      outbox: s.outbox,
      inbox: s.inbox,
      openGroups: s.openGroups,
      doneChannels: s.doneChannels,
      doneSparse: s.doneSparse,
      doneWatermark: s.doneWatermark,
      retransmissions: s.retransmissions,
      duplicates: s.duplicates,
      requestsPerSec: Math.round(rate),
    });
  });

  const first = samples[0] as Sample;
  // Warm-up: the first interval, while the JIT compiles and maps and queues grow to their working size.
  const warm = samples[1] ?? end;
  const after = samples.slice(1);
  ctx.figure('messages', end.messages);
  ctx.figure('heapStartMiB', r2(first.heapMiB));
  ctx.figure('heapAfterWarmupMiB', r2(warm.heapMiB));
  ctx.figure('heapEndMiB', r2(end.heapMiB));
  ctx.figure('heapGrowthMiB', r2(end.heapMiB - warm.heapMiB));
  ctx.figure('heapMaxMiB', r2(Math.max(...after.map((s) => s.heapMiB))));
  ctx.figure(
    'heapSlopeKiBPer100k',
    r2(slope(after.map((s) => s.messages), after.map((s) => s.heapMiB)) * 1024 * 100_000),
  );
  ctx.figure('outboxAtEnd', end.outbox);
  ctx.figure('openGroupsAtEnd', end.openGroups);
  ctx.figure('inboxAtEnd', end.inbox);
  ctx.figure('doneChannelsAtEnd', end.doneChannels);
  ctx.figure('doneSparseAtEnd', end.doneSparse);
  ctx.figure('doneWatermarkAtEnd', end.doneWatermark);
  ctx.figure('retransmissions', end.retransmissions);
  ctx.figure('duplicates', end.duplicates);
  ctx.figure('requestsPerSec', Math.round((end.messages * 1000) / end.elapsedMs));
  ctx.figure('gcForced', gc === undefined ? 0 : 1);
  bars.length = 0;
  for (const s of samples) {
    ctx.figure(heapFigure(s.messages), r2(s.heapMiB));
    bars.push({ label: `${formatNumber(s.messages)} requests`, figure: heapFigure(s.messages) });
  }
  bars.push({ label: 'growth after warm-up', figure: 'heapGrowthMiB' });
}

/** The `outbox-gc` benchmark. */
export const benchmark = defineBenchmark({
  name: 'outbox-gc',
  description: 'heap after a full GC over a million requests to a 3-replica service with ACKs and retransmission (§3.4): outbox, inbox, done box and merge state stay bounded',
  columns: [
    { key: 'messages', header: 'requests' },
    { key: 'heapMiB', header: 'heap MiB' },
    { key: 'rssMiB', header: 'rss MiB' },
    { key: 'outbox', header: 'outbox' },
    { key: 'inbox', header: 'inbox' },
    { key: 'openGroups', header: 'groups' },
    { key: 'doneChannels', header: 'done ch.' },
    { key: 'doneSparse', header: 'done sparse' },
    { key: 'doneWatermark', header: 'watermark' },
    { key: 'retransmissions', header: 'retransmits' },
    { key: 'duplicates', header: 'dups' },
    { key: 'requestsPerSec', header: 'req/s' },
  ],
  targets: [
    { name: 'flat heap', figure: 'heapGrowthMiB', comparison: '<=', threshold: 2 },
    { name: 'empty outboxes', figure: 'outboxAtEnd', comparison: '<=', threshold: 0 },
  ],
  chart: { title: 'Heap after a full GC against requests answered', unit: 'MiB', bars },
  run: (ctx: BenchContext) => measure(ctx, ctx.quick ? QUICK : FULL),
});
