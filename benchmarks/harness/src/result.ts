import { type Benchmark, type Comparison, compare, type Row, type TargetSpec } from './benchmark';
import type { MachineInfo } from './machine';
import type { BarChart } from './svg';

/** A target after the run: its figure's value and whether it was met. */
export interface TargetResult {
  readonly name: string;
  readonly figure: string;
  readonly comparison: Comparison;
  readonly threshold: number;
  /** The figure's value, or `null` if the benchmark did not record it. */
  readonly value: number | null;
  readonly met: boolean;
}

/** What the harness writes to `benchmarks/results/[quick/]<name>.json`. */
export interface BenchResult {
  readonly name: string;
  readonly description: string;
  /** Version of the root package.json. */
  readonly version: string;
  /** Git commit of the work tree, `+dirty` if it had uncommitted changes; null outside git. */
  readonly commit: string | null;
  /** When the run started, ISO 8601. */
  readonly date: string;
  readonly machine: MachineInfo;
  readonly quick: boolean;
  /** Wall-clock length of the run, in milliseconds. */
  readonly durationMs: number;
  readonly rows: readonly Row[];
  readonly targets: readonly TargetResult[];
  /** Named figures, as recorded with `ctx.figure`. */
  readonly summary: Readonly<Record<string, number>>;
}

/** Checks each target against the summary; a missing figure is a missed target. */
export function evaluateTargets(
  targets: readonly TargetSpec[],
  summary: Readonly<Record<string, number>>,
): TargetResult[] {
  return targets.map((t) => {
    const value = Object.prototype.hasOwnProperty.call(summary, t.figure) ? (summary[t.figure] as number) : null;
    return {
      name: t.name,
      figure: t.figure,
      comparison: t.comparison,
      threshold: t.threshold,
      value,
      met: value !== null && compare(value, t.comparison, t.threshold),
    };
  });
}

/**
 * The chart of a result: the benchmark's chosen figures (or every summary
 * figure), each bar carrying the first target on its figure.
 */
export function chartOf(benchmark: Benchmark, result: BenchResult): BarChart {
  const spec = benchmark.chart ?? {
    title: benchmark.name,
    unit: '',
    bars: Object.keys(result.summary).map((figure) => ({ label: figure, figure })),
  };
  const m = result.machine;
  return {
    title: `${spec.title}${result.quick ? ' (quick run)' : ''}`,
    subtitle: `escher ${result.version}${result.commit === null ? '' : ` (${result.commit})`} · ${result.date.slice(0, 10)} · ${m.cpu} × ${m.cores} · node ${m.node}`,
    unit: spec.unit,
    bars: spec.bars.map((b) => {
      const t = result.targets.find((x) => x.figure === b.figure);
      const value = result.summary[b.figure] ?? Number.NaN;
      return t === undefined
        ? { label: b.label, value }
        : { label: b.label, value, target: { comparison: t.comparison, threshold: t.threshold, met: t.met } };
    }),
  };
}
