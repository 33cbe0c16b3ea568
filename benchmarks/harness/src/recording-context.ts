import type { BenchContext, Row } from './benchmark';

/** A context that keeps what a benchmark records and prints nothing: for benchmarks' own tests. */
export function recordingContext(name: string, quick = true): BenchContext & { rows: Row[]; summary: Record<string, number> } {
  const rows: Row[] = [];
  const summary: Record<string, number> = {};
  return {
    name,
    quick,
    rows,
    summary,
    progress: () => undefined,
    note: () => undefined,
    record: (row) => void rows.push(row),
    figure: (figure, value) => {
      summary[figure] = value;
    },
  };
}
