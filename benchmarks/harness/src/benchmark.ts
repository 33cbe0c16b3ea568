/** A cell of a result row. */
export type Cell = string | number | boolean;

/** One measured row: column key → value. The table shows keys in first-seen order. */
export type Row = Readonly<Record<string, Cell>>;

/** How a target compares its figure with its threshold. */
export type Comparison = '>=' | '<=' | '>' | '<';

/** A figure the benchmark aims for: reported as met or not, never asserted. */
export interface TargetSpec {
  /** Short name, shown in the table and the JSON. */
  readonly name: string;
  /** Key of the summary figure the target is about. */
  readonly figure: string;
  readonly comparison: Comparison;
  readonly threshold: number;
}

/** A column of the printed table: which row key, under which header. */
export interface ColumnSpec {
  readonly key: string;
  readonly header: string;
}

/** The SVG bar chart: which summary figures to draw, one bar each, top to bottom. */
export interface ChartSpec {
  readonly title: string;
  /** Unit printed after each value, such as `msgs/s`. */
  readonly unit: string;
  readonly bars: readonly { readonly label: string; readonly figure: string }[];
}

/** What a running benchmark is given by the harness. */
export interface BenchContext {
  /** Name of the running benchmark. */
  readonly name: string;
  /** A short run (`--quick`): smaller sizes and fewer rounds, for a smoke check. */
  readonly quick: boolean;
  /** Prints `[name] label done/total` to stderr. */
  progress(label: string, done: number, total: number): void;
  /** Prints `[name] line` to stderr. */
  note(line: string): void;
  /** Adds a row to the results table. */
  record(row: Row): void;
  /** Sets a named figure of the top-level summary (the figures targets and the chart refer to). */
  figure(name: string, value: number): void;
}

/** A benchmark: what the compiled entry `benchmarks/<name>/dist/src/index.js` exports as `benchmark`. */
export interface Benchmark {
  /** Must equal the folder name under `benchmarks/`. */
  readonly name: string;
  /** One line: what is measured. */
  readonly description: string;
  /** Columns of the printed table; by default every row key, in first-seen order. */
  readonly columns?: readonly ColumnSpec[];
  /** Targets to report on, by summary figure. */
  readonly targets?: readonly TargetSpec[];
  /** Chart to write; by default one bar per summary figure. */
  readonly chart?: ChartSpec;
  /** Measures, recording rows and summary figures through `ctx`. */
  run(ctx: BenchContext): void | Promise<void>;
}

/** Identity function that gives a benchmark definition its type. */
export function defineBenchmark(benchmark: Benchmark): Benchmark {
  return benchmark;
}

/** `value` satisfies `comparison threshold`. */
export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
    default: {
      const never: never = comparison;
      throw new TypeError(`unknown comparison ${String(never)}`);
    }
  }
}
