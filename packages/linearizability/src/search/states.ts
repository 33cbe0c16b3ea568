import type { Model } from '../model';
import type { Unknown } from '../operation';

/**
 * The model states a search has met, each given a small integer id by its
 * key, so the memo compares and hashes integers instead of states.
 */
export class StateTable<S, I, O> {
  private readonly ids = new Map<string | number, number>();
  private readonly values: S[] = [];

  constructor(private readonly model: Model<S, I, O>) {}

  /** The id of `state`, adding it if new. */
  idOf(state: S): number {
    const key = this.model.key(state);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(key, id);
      this.values.push(state);
    }
    return id;
  }

  /** The id of the state after applying `input` with `output` to state `from`, or -1 if the output does not fit. */
  next(from: number, input: I, output: O | Unknown): number {
    const before = this.values[from];
    const r = this.model.step(before, input, output);
    if (!r.ok) return -1;
    // A step that returns the very state it was given (a read) needs no key.
    return r.state === before ? from : this.idOf(r.state);
  }

  /** Distinct states met. */
  get size(): number {
    return this.values.length;
  }
}
