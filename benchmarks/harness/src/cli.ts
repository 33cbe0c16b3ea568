import { BenchError, UnknownBenchmarkError, UsageError } from './errors';
import { defaultBenchmarksDir, listBenchmarks, loadBenchmark, type Output, processOutput, runBenchmark } from './runner';

const USAGE = [
  'usage: npm run bench -- <name> [--quick]',
  '       npm run bench -- --list',
  '',
  '  <name>    a benchmark package under benchmarks/ (see --list)',
  '  --quick   small sizes and few rounds; writes to benchmarks/results/quick/',
  '  --list    lists the benchmarks with their descriptions',
].join('\n');

/** What the command line asks for. */
export interface CliArgs {
  readonly help: boolean;
  readonly list: boolean;
  readonly quick: boolean;
  readonly name: string | undefined;
}

/** Parses the arguments after `cli.js`. @throws UsageError */
export function parseArgs(argv: readonly string[]): CliArgs {
  let help = false;
  let list = false;
  let quick = false;
  const names: string[] = [];
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--list') list = true;
    else if (arg === '--quick') quick = true;
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else names.push(arg);
  }
  if (names.length > 1) throw new UsageError(`one benchmark at a time, got ${names.join(', ')}`);
  if (!help && !list && names.length === 0) throw new UsageError('no benchmark named');
  return { help, list, quick, name: names[0] };
}

/** Settings of {@link main}; tests point it at a scratch folder and capture its output. */
export interface CliOptions {
  readonly benchmarksDir?: string;
  readonly output?: Output;
}

/**
 * Runs the CLI and returns its exit code: 0 on success, 2 for a bad command
 * line or an unknown benchmark, 1 when the benchmark is not built, is invalid
 * or fails.
 */
export async function main(argv: readonly string[], options: CliOptions = {}): Promise<number> {
  const output = options.output ?? processOutput;
  const benchmarksDir = options.benchmarksDir ?? defaultBenchmarksDir();
  try {
    const args = parseArgs(argv);
    if (args.help) {
      output.out(USAGE);
      return 0;
    }
    if (args.list) {
      printList(benchmarksDir, output);
      return 0;
    }
    await runBenchmark(args.name as string, { benchmarksDir, quick: args.quick, output });
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      output.err(`bench: ${e.message}\n${USAGE}`);
      return 2;
    }
    if (e instanceof UnknownBenchmarkError) {
      output.err(`bench: ${e.message}`);
      return 2;
    }
    if (e instanceof BenchError) {
      output.err(`bench: ${e.message}`);
      return 1;
    }
    output.err(`bench: the benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  }
}

function printList(benchmarksDir: string, output: Output): void {
  const entries = listBenchmarks(benchmarksDir);
  if (entries.length === 0) {
    output.out('no benchmarks found');
    return;
  }
  const width = Math.max(...entries.map((e) => e.name.length));
  for (const e of entries) {
    let about: string;
    try {
      about = loadBenchmark(e).description;
    } catch (err) {
      about = `(${err instanceof Error ? err.message : String(err)})`;
    }
    output.out(`${e.name.padEnd(width)}  ${about}`);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
