import { History } from './history';
import type { Model, ModelOperation } from './model';
import type { Operation } from './operation';
import { WingGongSearch } from './search/wing-gong';

/** Options of {@link check}. */
export interface CheckOptions {
  /** Time budget for the whole history in milliseconds; past it the verdict is `'unknown'`. Default: none. */
  timeoutMs?: number;
  /**
   * Memory budget of the memo tables, all partitions together, in MiB; when a
   * search would need more, its verdict is `'unknown'`. Default: 1024.
   */
  memoryMiB?: number;
}

/** The verdict on one partition. */
export interface PartitionResult {
  /** The partition's name, from the model (`"register"`, `"key \"4\""`). */
  readonly label: string;
  /** Operations checked (failed ones are left out: they took no effect). */
  readonly operations: number;
  /**
   * `'unknown'` when the search had not finished: the time or memory budget
   * ran out, or another partition was found not linearizable first.
   */
  readonly linearizable: boolean | 'unknown';
  /** Configurations the search memoised: a measure of the work it did. */
  readonly configurations: number;
  /** Time spent searching this partition. */
  readonly elapsedMs: number;
}

/** The verdict on a history. */
export interface CheckResult {
  /**
   * `true` if some order of the operations, consistent with real time, is a
   * legal sequential run of the model; `false` if none is; `'unknown'` if the
   * time or memory budget ran out first. Test with `=== true`: `'unknown'` is truthy.
   */
  readonly linearizable: boolean | 'unknown';
  /** One result per partition, in the model's order. */
  readonly partitions: readonly PartitionResult[];
  /** Present and `true` when the time budget ran out before a verdict. */
  readonly timedOut?: boolean;
  /** Present and `true` when a search needed more memory than the budget allows. */
  readonly outOfMemory?: boolean;
  readonly elapsedMs: number;
}

/** Search steps given to one partition before moving to the next. */
const SLICE = 2048;

/**
 * Read a history's operations as the model's inputs. Failed operations are
 * left out (they took no effect and observed nothing); throws the model's
 * `UnknownFunctionError` or `InvalidInputError` for a call it cannot read.
 */
export function prepare<S, I, O>(model: Model<S, I, O>, operations: readonly Operation[]): ModelOperation<I, O>[] {
  const out: ModelOperation<I, O>[] = [];
  for (const op of operations) {
    const input = model.input(op.f, op.input);
    if (op.outcome === 'fail') continue;
    out.push({ id: op.id, process: op.process, input, output: op.output as O, call: op.call, ret: op.ret });
  }
  return out;
}

/**
 * Check a history for linearizability against a model: split it with the
 * model's `partition`, then search each partition (Wing & Gong with Lowe's
 * memoisation). The history is linearizable iff every partition is.
 *
 * Partitions are searched in turns of a few thousand steps, so one that is
 * hard does not hide another that is quickly found not linearizable; the
 * check stops at the first violation, or when the time budget runs out.
 */
export function check<S, I, O>(
  model: Model<S, I, O>,
  history: History | readonly Operation[],
  options: CheckOptions = {},
): CheckResult {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? Infinity);
  const operations = history instanceof History ? history.operations() : history;
  const partitions = model.partition(prepare(model, operations));
  const budget = { bytes: (options.memoryMiB ?? 1024) * 2 ** 20 };
  const searches = partitions.map((p) => new WingGongSearch(model, p.operations, budget));
  const spent = partitions.map(() => 0);
  const undecided = (k: number): boolean => searches[k].linearizable === undefined && !searches[k].exhaustedMemory;

  let open = searches.map((_, k) => k).filter(undecided);
  let violated = searches.some((s) => s.linearizable === false);
  let timedOut = false;
  while (open.length > 0 && !violated) {
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    for (const k of open) {
      const t0 = performance.now();
      const verdict = searches[k].run(SLICE);
      const t1 = performance.now();
      spent[k] += t1 - t0;
      if (verdict === false) violated = true;
      if (violated || t1 > deadline) break;
    }
    open = open.filter(undecided);
  }
  const outOfMemory = searches.some((s) => s.exhaustedMemory);

  const results: PartitionResult[] = partitions.map((p, k) => ({
    label: p.label,
    operations: p.operations.length,
    linearizable: searches[k].linearizable ?? 'unknown',
    configurations: searches[k].configurations,
    elapsedMs: spent[k],
  }));
  const linearizable = violated ? false : searches.every((s) => s.linearizable === true) ? true : 'unknown';
  return {
    linearizable,
    partitions: results,
    ...(timedOut ? { timedOut } : {}),
    ...(outOfMemory ? { outOfMemory } : {}),
    elapsedMs: performance.now() - started,
  };
}
