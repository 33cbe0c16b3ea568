import { type BenchContext, type Case, type ChartSpec, defineBenchmark, formatNumber, interleave, median } from '@escher/bench-harness';
import { type MergeCase, type Measurement, mergeRun, untaggedRun } from './workload';

export { type MergeCase, type Measurement, MiscountError, mergeRun, replyPayload, untaggedRun } from './workload';

/** Numbers of children measured. */
export const CHILDREN: readonly number[] = [1, 3, 5, 7, 9, 13];
/** The n of the primary figures. */
export const PRIMARY_N = 7;

/** The two merge specs measured: crash replication and Byzantine replication with n = 2f + 1. */
export type Kind = 'crash' | 'byzantine';
export const KINDS: readonly Kind[] = ['crash', 'byzantine'];

/** `waitForMatching` of a kind at n children: 1 for crash, f + 1 with n = 2f + 1 for Byzantine. */
export function waitForMatching(kind: Kind, n: number): number {
  return kind === 'crash' ? 1 : Math.floor((n - 1) / 2) + 1;
}

/** Sizes of one run of the benchmark. */
export interface Sizes {
  /** Fragments per measured run, whatever n (messages = fragments / n, rounded). */
  readonly fragments: number;
  readonly rounds: number;
  readonly warmup: number;
}

export const FULL: Sizes = { fragments: 420_000, rounds: 7, warmup: 1 };
export const QUICK: Sizes = { fragments: 26_000, rounds: 3, warmup: 1 };

/** Summary key of the median ns per fragment of a kind at n: `nsPerFragmentN7`, `nsPerFragmentCrashN7`. */
export function figureName(kind: Kind, n: number): string {
  return kind === 'crash' ? `nsPerFragmentCrashN${n}` : `nsPerFragmentN${n}`;
}

/** Least-squares line y = a + b·x, with its R². */
export function linearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number; r2: number } {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  const r2 = sxx === 0 || syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { intercept: my - slope * mx, slope, r2 };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Runs the measurement at the given sizes, recording rows and figures in `ctx`. */
export async function measure(ctx: BenchContext, sizes: Sizes, children: readonly number[] = CHILDREN): Promise<void> {
  const merges: (MergeCase & { kind: Kind })[] = [];
  for (const kind of KINDS) {
    for (const n of children) {
      merges.push({ kind, children: n, waitForMatching: waitForMatching(kind, n), messages: Math.max(1, Math.round(sizes.fragments / n)) });
    }
  }
  ctx.note(
    `${formatNumber(sizes.fragments)} fragments per run, n = ${children.join(', ')}; ` +
      `${sizes.rounds} rounds after ${sizes.warmup} warm-up, cases alternating`,
  );
  const cases: Case<Measurement>[] = [
    { label: 'untagged baseline', measure: () => untaggedRun(sizes.fragments) },
    ...merges.map((m) => ({ label: `${m.kind} n=${m.children} k=${m.waitForMatching}`, measure: () => mergeRun(m) })),
  ];
  const samples = await interleave(ctx, { rounds: sizes.rounds, warmup: sizes.warmup }, cases);
  const perSent = (ms: readonly Measurement[]): number[] => ms.map((m) => m.ns / m.sent);

  const base = perSent(samples[0] as Measurement[]);
  const untagged = median(base);
  ctx.record({
    kind: 'untagged',
    n: 1,
    k: 0,
    sentPerRun: (samples[0] as Measurement[])[0]?.sent ?? 0,
    runs: base.length,
    nsPerFragment: round1(untagged),
    minNsPerFragment: round1(Math.min(...base)),
    maxNsPerFragment: round1(Math.max(...base)),
    nsPerMessage: round1(untagged),
    mergeNsPerFragment: 0,
  });
  ctx.figure('untaggedNsPerMessage', round1(untagged));

  const byKind = new Map<Kind, { n: number; perFragment: number }[]>();
  merges.forEach((m, i) => {
    const xs = perSent(samples[i + 1] as Measurement[]);
    const perFragment = median(xs);
    ctx.record({
      kind: m.kind,
      n: m.children,
      k: m.waitForMatching,
      sentPerRun: (samples[i + 1] as Measurement[])[0]?.sent ?? 0,
      runs: xs.length,
      nsPerFragment: round1(perFragment),
      minNsPerFragment: round1(Math.min(...xs)),
      maxNsPerFragment: round1(Math.max(...xs)),
      nsPerMessage: round1(perFragment * m.children),
      mergeNsPerFragment: round1(perFragment - untagged),
    });
    ctx.figure(figureName(m.kind, m.children), round1(perFragment));
    const list = byKind.get(m.kind) ?? [];
    list.push({ n: m.children, perFragment });
    byKind.set(m.kind, list);
  });

  for (const kind of KINDS) {
    const list = byKind.get(kind) ?? [];
    const primary = list.find((x) => x.n === PRIMARY_N);
    const suffix = kind === 'crash' ? 'Crash' : '';
    if (primary !== undefined) {
      ctx.figure(`nsPerFragment${suffix}`, round1(primary.perFragment));
      ctx.figure(`mergeNsPerFragment${suffix}`, round1(primary.perFragment - untagged));
    }
    if (list.length >= 2) {
      // Cost per merged message against n: a straight line means the merge costs the same per fragment whatever n.
      const fit = linearFit(
        list.map((x) => x.n),
        list.map((x) => x.perFragment * x.n),
      );
      ctx.figure(`nsPerMessageSlope${suffix}`, round1(fit.slope));
      ctx.figure(`nsPerMessageFitR2${suffix}`, Math.round(fit.r2 * 1000) / 1000);
    }
  }
}

const KIND_LABEL: Readonly<Record<Kind, string>> = { crash: 'crash', byzantine: 'Byzantine' };

/** The chart: ns per fragment against n, crash then Byzantine, and the untagged baseline. */
export const CHART: ChartSpec = {
  title: 'Merge cost per fragment against the number of children n (median)',
  unit: 'ns',
  bars: [
    ...KINDS.flatMap((kind) =>
      CHILDREN.map((n) => ({
        label: `${KIND_LABEL[kind]}, n = ${n}, k = ${waitForMatching(kind, n)}`,
        // The primary figure carries the target, so its bar shows the target line.
        figure: kind === 'byzantine' && n === PRIMARY_N ? 'nsPerFragment' : figureName(kind, n),
      })),
    ),
    { label: 'untagged delivery (baseline)', figure: 'untaggedNsPerMessage' },
  ],
};

/** The `merge` benchmark. */
export const benchmark = defineBenchmark({
  name: 'merge',
  description: 'merging at the receiver: ns per fragment as the number of children n grows, crash (k = 1) and Byzantine (k = f + 1) merge specs',
  columns: [
    { key: 'kind', header: 'kind' },
    { key: 'n', header: 'n' },
    { key: 'k', header: 'k' },
    { key: 'sentPerRun', header: 'sent/run' },
    { key: 'runs', header: 'runs' },
    { key: 'nsPerFragment', header: 'ns/fragment' },
    { key: 'minNsPerFragment', header: 'min' },
    { key: 'maxNsPerFragment', header: 'max' },
    { key: 'nsPerMessage', header: 'ns/merged msg' },
    { key: 'mergeNsPerFragment', header: '− untagged' },
  ],
  targets: [{ name: 'byzantine n=7', figure: 'nsPerFragment', comparison: '<=', threshold: 1000 }],
  chart: CHART,
  run: (ctx: BenchContext) => measure(ctx, ctx.quick ? QUICK : FULL),
});
