import { Simulator, type SimulatorOptions } from './simulator';

/** What a scenario built on a simulator must be checked against. */
export interface ScenarioRun {
  /** Virtual time the run may take. */
  readonly maxTime: number;
  /** The scenario reached its goal early. */
  done?(): boolean;
  /** Safety: checked after every event; throw to fail. */
  always?(): void;
  /** Checked once the run has stopped (final safety and liveness); throw to fail. */
  atEnd?(result: import('./simulator').RunResult): void;
}

/** A scenario: builds agents, protocols and faults on a fresh simulator for one seed. */
export interface Scenario {
  readonly name: string;
  readonly options?: Omit<SimulatorOptions, 'seed'>;
  build(sim: Simulator): ScenarioRun;
}

/** One seed that failed, with what is needed to replay and read it. */
export interface SeedFailure {
  readonly seed: number;
  readonly error: Error;
  readonly time: number;
  readonly traceTail: readonly string[];
}

/** The outcome of running a scenario over many seeds. */
export interface SeedsReport {
  readonly scenario: string;
  readonly seedsRun: number;
  readonly failures: readonly SeedFailure[];
  /** Seeds run twice whose traces differed (nondeterminism). */
  readonly divergent: readonly number[];
  readonly elapsedMs: number;
  readonly stoppedByBudget: boolean;
}

/** Options of {@link runSeeds}. */
export interface RunSeedsOptions {
  readonly seeds: number;
  readonly firstSeed?: number;
  /** Stop starting new seeds after this much wall time. */
  readonly budgetMs?: number;
  /** Run every seed twice and compare trace digests (as madsim does). */
  readonly checkDeterminism?: boolean;
  /** Stop at the first failure (default true: the first failing seed is the one to replay). */
  readonly stopAtFirstFailure?: boolean;
}

/** Runs one seed of a scenario; returns the simulator and a failure, if any. */
export function runSeed(scenario: Scenario, seed: number): { sim: Simulator; failure: SeedFailure | undefined } {
  const sim = new Simulator({ ...scenario.options, seed });
  try {
    const run = scenario.build(sim);
    const opts: Parameters<Simulator['run']>[0] = { maxTime: run.maxTime };
    if (run.done !== undefined) opts.done = () => (run.done as () => boolean)();
    if (run.always !== undefined) opts.check = () => (run.always as () => void)();
    const result = sim.run(opts);
    run.atEnd?.(result);
    return { sim, failure: undefined };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { sim, failure: { seed, error, time: sim.now, traceTail: sim.trace.lastLines() } };
  }
}

/**
 * Runs a scenario over many seeds, within a wall-time budget. The seed given
 * in the environment variable SEED, if any, replaces the range: that is how
 * a failing seed is replayed.
 */
export function runSeeds(scenario: Scenario, options: RunSeedsOptions): SeedsReport {
  const start = Date.now();
  const replay = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
  const first = replay ?? options.firstSeed ?? 1;
  const count = replay === undefined ? options.seeds : 1;
  const failures: SeedFailure[] = [];
  const divergent: number[] = [];
  let seedsRun = 0;
  let stoppedByBudget = false;
  for (let seed = first; seed < first + count; seed++) {
    if (options.budgetMs !== undefined && Date.now() - start > options.budgetMs) {
      stoppedByBudget = true;
      break;
    }
    const { sim, failure } = runSeed(scenario, seed);
    seedsRun++;
    if (options.checkDeterminism === true) {
      const again = runSeed(scenario, seed);
      if (again.sim.traceHash() !== sim.traceHash()) divergent.push(seed);
    }
    if (failure !== undefined) {
      failures.push(failure);
      if (options.stopAtFirstFailure ?? true) break;
    }
  }
  return { scenario: scenario.name, seedsRun, failures, divergent, elapsedMs: Date.now() - start, stoppedByBudget };
}

/** A readable account of a failed seed, with the command that replays it. */
export function describeFailure(report: SeedsReport, replayCommand: string): string {
  const f = report.failures[0];
  if (f === undefined) return `${report.scenario}: ${report.seedsRun} seeds, no failure`;
  return [
    `${report.scenario}: seed ${f.seed} failed at t=${f.time.toFixed(3)} ms: ${f.error.message}`,
    `replay: SEED=${f.seed} ${replayCommand}`,
    'last trace lines:',
    ...f.traceTail.map((l) => `  ${l}`),
  ].join('\n');
}

/**
 * For tests: throws, with the failing seed, its trace tail and the replay
 * command, if any seed failed or diverged, or if fewer than `minSeeds` ran
 * (unless one seed is being replayed through SEED); otherwise returns a
 * one-line summary to print.
 */
export function assertSeedsPassed(report: SeedsReport, options: { replayCommand: string; minSeeds: number }): string {
  if (report.failures.length > 0) throw new Error(describeFailure(report, options.replayCommand));
  if (report.divergent.length > 0) throw new Error(`${report.scenario}: seeds ${report.divergent.join(', ')} ran differently twice`);
  const wanted = process.env.SEED === undefined ? options.minSeeds : 1;
  if (report.seedsRun < wanted) {
    throw new Error(`${report.scenario}: only ${report.seedsRun} of ${wanted} seeds ran within the time budget`);
  }
  return `${report.scenario}: ${report.seedsRun} seeds in ${report.elapsedMs} ms`;
}
