import type { Model, ModelOperation } from '../model';
import { UNKNOWN } from '../operation';
import { EntryList } from './entry-list';
import { LinearizedSet } from './linearized-set';
import { Memo, type MemoBudget } from './memo';
import { StateTable } from './states';

/**
 * Wing & Gong's search with Lowe's memoisation, on one partition, resumable:
 * {@link WingGongSearch.run} works for a given number of steps and returns,
 * so a caller can interleave several partitions and stop at the first
 * violation, or give up at a deadline.
 *
 * Walk the entry list from the front. At a call entry, try to linearize that
 * operation now: step the model; if the output fits and the resulting
 * (linearized set, state) was never seen, push the choice, unlink the
 * operation's entries and restart from the front. Otherwise try the next
 * entry. At a return entry, the operation returning there was not
 * linearized before its return, so the last choice was wrong: pop it, link
 * its entries back, restore the state and try the entry after it.
 *
 * The history is linearizable when every operation with a known outcome is
 * linearized. Operations with an unknown outcome return at +∞, so they may
 * be linearized anywhere after their call, or left out. Where such an
 * operation would leave the state as it is, it is not linearized there:
 * dropping it from a linearization that places it there leaves a valid
 * linearization, and trying it would only multiply configurations (every
 * timed-out read would double them).
 */
export class WingGongSearch<S, I, O> {
  private readonly list: EntryList;
  private readonly linearized: LinearizedSet;
  private readonly memo: Memo;
  private readonly states: StateTable<S, I, O>;
  /** Whether each operation's outcome is known (it must be linearized). */
  private readonly known: Uint8Array;
  /** The stack of choices: the call entry linearized, and the state id before it. */
  private readonly chosen: Int32Array;
  private readonly before: Int32Array;
  private depth = 0;
  private state: number;
  private entry: number;
  /** Operations with a known outcome not linearized yet. */
  private required = 0;
  private verdict: boolean | undefined;
  private outOfMemory = false;

  /** `budget` bounds the memory of the memo; it may be shared by several searches. */
  constructor(
    model: Model<S, I, O>,
    private readonly ops: readonly ModelOperation<I, O>[],
    budget: MemoBudget,
  ) {
    const n = ops.length;
    const calls = new Float64Array(n);
    const returns = new Float64Array(n);
    this.known = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      calls[i] = ops[i].call;
      returns[i] = ops[i].ret;
      if (ops[i].output !== UNKNOWN) {
        this.known[i] = 1;
        this.required++;
      }
    }
    this.list = new EntryList(calls, returns);
    this.linearized = new LinearizedSet(n);
    this.memo = new Memo(this.linearized.words.length, budget);
    this.states = new StateTable(model);
    this.chosen = new Int32Array(n);
    this.before = new Int32Array(n);
    this.state = this.states.idOf(model.init);
    this.entry = this.list.first();
    if (this.required === 0) this.verdict = true;
  }

  /** The verdict, once {@link WingGongSearch.run} has reached one. */
  get linearizable(): boolean | undefined {
    return this.verdict;
  }

  /** Whether the search stopped without a verdict because its memo reached the memory budget. */
  get exhaustedMemory(): boolean {
    return this.outOfMemory;
  }

  /** Configurations memoised so far: a measure of the work done. */
  get configurations(): number {
    return this.memo.size;
  }

  /**
   * Search for at most `steps` steps; returns the verdict, or `undefined` if
   * there is none yet (or none can be reached: see {@link WingGongSearch.exhaustedMemory}).
   */
  run(steps: number): boolean | undefined {
    if (this.verdict !== undefined || this.outOfMemory) return this.verdict;
    const { list, linearized, memo, states, known, ops, chosen, before } = this;
    let { depth, state, entry, required } = this;
    let verdict: boolean | undefined;
    for (let k = 0; k < steps; k++) {
      if (list.isCall(entry)) {
        const i = list.op[entry];
        const next = states.next(state, ops[i].input, ops[i].output);
        // An unknown outcome that changes nothing here is left out (see above).
        if (next >= 0 && (known[i] === 1 || next !== state)) {
          linearized.add(i);
          if (memo.add(linearized, next)) {
            chosen[depth] = entry;
            before[depth] = state;
            depth++;
            state = next;
            required -= known[i];
            if (required === 0) {
              verdict = true;
              break;
            }
            list.lift(entry);
            entry = list.first();
            continue;
          }
          linearized.delete(i);
          if (memo.full) {
            this.outOfMemory = true;
            break;
          }
        }
        entry = list.next[entry];
      } else {
        // A return entry (or the tail, which only a remainder of unknown outcomes reaches).
        if (depth === 0) {
          verdict = false;
          break;
        }
        depth--;
        const call = chosen[depth];
        const i = list.op[call];
        state = before[depth];
        linearized.delete(i);
        required += known[i];
        list.unlift(call);
        entry = list.next[call];
      }
    }
    this.depth = depth;
    this.state = state;
    this.entry = entry;
    this.required = required;
    this.verdict = verdict;
    return verdict;
  }
}
