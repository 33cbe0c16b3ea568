export {
  type Benchmark,
  type BenchContext,
  type Cell,
  type ChartSpec,
  type ColumnSpec,
  type Comparison,
  type Row,
  type TargetSpec,
  compare,
  defineBenchmark,
} from './benchmark';
export { BenchError, BenchmarkNotBuiltError, EmptySampleError, InvalidBenchmarkError, UnknownBenchmarkError, UsageError } from './errors';
export { defaultColumns, formatCell, formatNumber, formatTable } from './format';
export { type MachineInfo, machineInfo } from './machine';
export { recordingContext } from './recording-context';
export { type BenchResult, type TargetResult, chartOf, evaluateTargets } from './result';
export { type Case, type RoundOptions, interleave } from './rounds';
export {
  type BenchmarkEntry,
  type Output,
  type RunOptions,
  type RunOutcome,
  defaultBenchmarksDir,
  findBenchmark,
  gitCommit,
  listBenchmarks,
  loadBenchmark,
  processOutput,
  resultPaths,
  rootVersion,
  runBenchmark,
} from './runner';
export { mean, median, percentile, type Summary, summarize } from './stats';
export { type BarChart, type ChartBar, barChartSvg, escapeXml } from './svg';
export { elapsedNs, now, perSecond, timeAsync, timeSync } from './timing';
