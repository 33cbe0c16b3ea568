/**
 * Errors of the benchmark harness: one class per condition, told apart by
 * `name`. {@link UsageError} and {@link UnknownBenchmarkError} are the
 * caller's mistake and make the CLI exit with code 2.
 */

/** Base class of every harness error. */
export abstract class BenchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The command line could not be understood. */
export class UsageError extends BenchError {
  constructor(message = 'bad command line') {
    super(message);
  }
}

/** No benchmark package of that name exists under `benchmarks/`. */
export class UnknownBenchmarkError extends BenchError {
  constructor(readonly benchmark: string, readonly available: readonly string[]) {
    super(
      `unknown benchmark ${JSON.stringify(benchmark)}; available: ${available.length === 0 ? '(none)' : available.join(', ')}`,
    );
  }
}

/** The benchmark package exists but its compiled entry is missing. */
export class BenchmarkNotBuiltError extends BenchError {
  constructor(readonly benchmark: string, readonly entry: string) {
    super(`benchmark ${JSON.stringify(benchmark)} is not built: ${entry} is missing (run \`npx tsc -b\`)`);
  }
}

/** The compiled entry does not export a valid `benchmark`. */
export class InvalidBenchmarkError extends BenchError {
  constructor(readonly benchmark: string, reason: string, options?: { cause?: unknown }) {
    super(`benchmark ${JSON.stringify(benchmark)} is invalid: ${reason}`, options);
  }
}

/** A statistic was asked of an empty sample. */
export class EmptySampleError extends BenchError {
  constructor(readonly statistic = 'statistic') {
    super(`cannot compute the ${statistic} of an empty sample`);
  }
}
