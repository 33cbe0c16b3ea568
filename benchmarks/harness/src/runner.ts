import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Benchmark, BenchContext, Row } from './benchmark';
import { BenchmarkNotBuiltError, InvalidBenchmarkError, UnknownBenchmarkError } from './errors';
import { formatNumber, formatTable } from './format';
import { machineInfo } from './machine';
import { type BenchResult, chartOf, evaluateTargets } from './result';
import { barChartSvg } from './svg';

/** Where the harness prints: results to `out`, progress and notes to `err`. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** Prints to the process's stdout and stderr. */
export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** A benchmark package found under `benchmarks/`. */
export interface BenchmarkEntry {
  readonly name: string;
  readonly dir: string;
  /** Its compiled entry, `dist/src/index.js`. */
  readonly entry: string;
  /** The compiled entry exists. */
  readonly built: boolean;
}

/** Folders under `benchmarks/` that are not benchmarks. */
const NOT_BENCHMARKS = new Set(['harness', 'results', 'node_modules']);
const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** The `benchmarks/` folder this harness belongs to (it sits at `benchmarks/harness/dist/src`). */
export function defaultBenchmarksDir(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

/** Benchmark packages: folders of `benchmarksDir` with a package.json, except the harness and results, by name. */
export function listBenchmarks(benchmarksDir: string): BenchmarkEntry[] {
  if (!fs.existsSync(benchmarksDir)) return [];
  return fs
    .readdirSync(benchmarksDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_BENCHMARKS.has(d.name) && NAME.test(d.name))
    .filter((d) => fs.existsSync(path.join(benchmarksDir, d.name, 'package.json')))
    .map((d) => entryOf(benchmarksDir, d.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function entryOf(benchmarksDir: string, name: string): BenchmarkEntry {
  const dir = path.join(benchmarksDir, name);
  const entry = path.join(dir, 'dist', 'src', 'index.js');
  return { name, dir, entry, built: fs.existsSync(entry) };
}

/** The benchmark package called `name`. @throws UnknownBenchmarkError */
export function findBenchmark(benchmarksDir: string, name: string): BenchmarkEntry {
  const all = listBenchmarks(benchmarksDir);
  const found = all.find((e) => e.name === name);
  if (found === undefined) throw new UnknownBenchmarkError(name, all.map((e) => e.name));
  return found;
}

/** Loads the `benchmark` exported by a compiled entry. @throws BenchmarkNotBuiltError, InvalidBenchmarkError */
export function loadBenchmark(entry: BenchmarkEntry): Benchmark {
  if (!entry.built) throw new BenchmarkNotBuiltError(entry.name, entry.entry);
  let mod: { benchmark?: unknown; default?: unknown };
  try {
    mod = require(entry.entry) as typeof mod;
  } catch (cause) {
    throw new InvalidBenchmarkError(entry.name, `loading ${entry.entry} failed: ${String(cause)}`, { cause });
  }
  const b = (mod.benchmark ?? mod.default) as Partial<Benchmark> | undefined;
  if (typeof b !== 'object' || b === null) throw new InvalidBenchmarkError(entry.name, 'its entry exports no `benchmark`');
  if (typeof b.run !== 'function') throw new InvalidBenchmarkError(entry.name, '`benchmark.run` is not a function');
  if (typeof b.description !== 'string') throw new InvalidBenchmarkError(entry.name, '`benchmark.description` is not a string');
  if (b.name !== entry.name) {
    throw new InvalidBenchmarkError(entry.name, `it calls itself ${JSON.stringify(b.name)}, not its folder name`);
  }
  return b as Benchmark;
}

/** Where a run writes its JSON and SVG: `results/` for full runs, `results/quick/` for quick ones. */
export function resultPaths(benchmarksDir: string, name: string, quick: boolean): { json: string; svg: string } {
  const dir = quick ? path.join(benchmarksDir, 'results', 'quick') : path.join(benchmarksDir, 'results');
  return { json: path.join(dir, `${name}.json`), svg: path.join(dir, `${name}.svg`) };
}

/** Version of the root package.json (the folder above `benchmarksDir`), or `0.0.0` without one. */
export function rootVersion(benchmarksDir: string): string {
  const file = path.join(benchmarksDir, '..', 'package.json');
  if (!fs.existsSync(file)) return '0.0.0';
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * The commit the work tree is at, with `+dirty` when it has uncommitted
 * changes (the figures then measure code no commit holds); null outside git.
 */
export function gitCommit(dir: string): string | null {
  try {
    const run = (args: string[]): string =>
      execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = run(['rev-parse', '--short=12', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no']) !== '';
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

/** Settings of {@link runBenchmark}. */
export interface RunOptions {
  /** The `benchmarks/` folder; by default the one this harness sits in. */
  readonly benchmarksDir?: string;
  readonly quick: boolean;
  readonly output?: Output;
  /** The clock for the `date` field (tests fix it). */
  readonly now?: () => Date;
}

/** What one run produced and where it was written. */
export interface RunOutcome {
  readonly result: BenchResult;
  readonly jsonPath: string;
  readonly svgPath: string;
}

/**
 * Finds, loads and runs the benchmark `name`; prints its table, summary and
 * targets; writes the JSON result and the SVG chart.
 * @throws UnknownBenchmarkError, BenchmarkNotBuiltError, InvalidBenchmarkError, or whatever the benchmark throws
 */
export async function runBenchmark(name: string, options: RunOptions): Promise<RunOutcome> {
  const dir = options.benchmarksDir ?? defaultBenchmarksDir();
  const output = options.output ?? processOutput;
  const benchmark = loadBenchmark(findBenchmark(dir, name));
  const rows: Row[] = [];
  const summary: Record<string, number> = {};
  const ctx: BenchContext = {
    name,
    quick: options.quick,
    progress: (label, done, total) => output.err(`[${name}] ${label} ${done}/${total}`),
    note: (line) => output.err(`[${name}] ${line}`),
    record: (row) => {
      rows.push({ ...row });
    },
    figure: (figure, value) => {
      if (!Number.isFinite(value)) throw new RangeError(`figure ${figure} must be a finite number, got ${value}`);
      summary[figure] = value;
    },
  };

  const date = (options.now ?? (() => new Date()))();
  const started = process.hrtime.bigint();
  await benchmark.run(ctx);
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;

  const result: BenchResult = {
    name,
    description: benchmark.description,
    version: rootVersion(dir),
    commit: gitCommit(dir),
    date: date.toISOString(),
    machine: machineInfo(),
    quick: options.quick,
    durationMs: Math.round(durationMs),
    rows,
    targets: evaluateTargets(benchmark.targets ?? [], summary),
    summary,
  };
  const paths = resultPaths(dir, name, options.quick);
  fs.mkdirSync(path.dirname(paths.json), { recursive: true });
  fs.writeFileSync(paths.json, `${JSON.stringify(result, null, 2)}\n`);
  fs.writeFileSync(paths.svg, barChartSvg(chartOf(benchmark, result)));

  printResult(output, benchmark, result, paths);
  return { result, jsonPath: paths.json, svgPath: paths.svg };
}

function printResult(output: Output, benchmark: Benchmark, result: BenchResult, paths: { json: string; svg: string }): void {
  const m = result.machine;
  output.out(`${result.name}: ${result.description}${result.quick ? ' (quick run)' : ''}`);
  output.out(`escher ${result.version} (${result.commit ?? 'no git'}), ${result.date}, ${m.cpu} × ${m.cores}, node ${m.node}, ${result.durationMs} ms`);
  output.out('');
  if (result.rows.length > 0) {
    output.out(formatTable(result.rows, benchmark.columns));
    output.out('');
  }
  const figures = Object.entries(result.summary);
  if (figures.length > 0) {
    const width = Math.max(...figures.map(([k]) => k.length));
    output.out('summary');
    for (const [k, v] of figures) output.out(`  ${k.padEnd(width)}  ${formatNumber(v)}`);
    output.out('');
  }
  if (result.targets.length > 0) {
    output.out('targets (reported, not asserted)');
    for (const t of result.targets) {
      const value = t.value === null ? 'not recorded' : formatNumber(t.value);
      output.out(`  ${t.name}: ${t.figure} = ${value}, wanted ${t.comparison} ${formatNumber(t.threshold)}: ${t.met ? 'met' : 'MISSED'}`);
    }
    output.out('');
  }
  output.out(`wrote ${path.relative(process.cwd(), paths.json)} and ${path.relative(process.cwd(), paths.svg)}`);
}
