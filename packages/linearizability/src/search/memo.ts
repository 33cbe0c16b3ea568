import { mix32 } from './hash';
import type { LinearizedSet } from './linearized-set';

/** Bytes that all the memos of one check may still allocate; shared between them. */
export interface MemoBudget {
  bytes: number;
}

/**
 * Lowe's memoisation: the configurations (set of linearized operations,
 * model state id) the search has already entered. Reaching one again cannot
 * lead anywhere new, so the search skips it.
 *
 * An open-addressing hash set over flat typed arrays: each configuration is
 * a record of the set's words followed by the state id in one growing pool,
 * so adding one allocates nothing in the common case. Hashes are compared
 * first, records exactly. Growing is charged to a {@link MemoBudget}; when
 * it would overdraw, the memo is {@link Memo.full} and records nothing more.
 */
export class Memo {
  /** Words per record: the bitset's words, then the state id. */
  private readonly width: number;
  private pool: Uint32Array;
  private hashes: Int32Array;
  /** Record index + 1 per slot; 0 is empty. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private isFull = false;

  constructor(
    setWords: number,
    private readonly budget: MemoBudget,
  ) {
    this.width = setWords + 1;
    this.pool = new Uint32Array(this.width * 256);
    this.hashes = new Int32Array(256);
    this.slots = new Int32Array(512);
    this.mask = this.slots.length - 1;
    this.budget.bytes -= this.pool.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  /** How many configurations were recorded. */
  get size(): number {
    return this.count;
  }

  /** Whether the budget ran out: {@link Memo.add} then returns false for new configurations too. */
  get full(): boolean {
    return this.isFull;
  }

  /** Record (`set`, `state`); returns false if it was already there, or if the memo is full. */
  add(set: LinearizedSet, state: number): boolean {
    if ((this.count === this.hashes.length || (this.count + 1) * 2 > this.slots.length) && !this.grow()) return false;
    const h = mix32(set.hash ^ Math.imul(state + 1, 0x9e3779b1));
    const { slots, hashes, mask } = this;
    let slot = h & mask;
    for (let r = slots[slot]; r !== 0; r = slots[slot]) {
      if (hashes[r - 1] === h && this.holds(r - 1, set.words, state)) return false;
      slot = (slot + 1) & mask;
    }
    const index = this.count++;
    const at = index * this.width;
    this.pool.set(set.words, at);
    this.pool[at + this.width - 1] = state;
    this.hashes[index] = h;
    slots[slot] = index + 1;
    return true;
  }

  private holds(index: number, words: Uint32Array, state: number): boolean {
    const { pool, width } = this;
    const at = index * width;
    if (pool[at + width - 1] !== state) return false;
    for (let i = 0; i < words.length; i++) if (pool[at + i] !== words[i]) return false;
    return true;
  }

  /** Make room for one more record, doubling what is short of it; false if the budget forbids. */
  private grow(): boolean {
    const growPool = this.count === this.hashes.length;
    const growSlots = (this.count + 1) * 2 > this.slots.length;
    const cost = (growPool ? this.pool.byteLength + this.hashes.byteLength : 0) + (growSlots ? this.slots.byteLength : 0);
    if (this.isFull || cost > this.budget.bytes) {
      this.isFull = true;
      return false;
    }
    this.budget.bytes -= cost;
    if (growPool) {
      const pool = new Uint32Array(this.pool.length * 2);
      pool.set(this.pool);
      this.pool = pool;
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    if (growSlots) {
      const slots = new Int32Array(this.slots.length * 2);
      const mask = slots.length - 1;
      for (let index = 0; index < this.count; index++) {
        let slot = this.hashes[index] & mask;
        while (slots[slot] !== 0) slot = (slot + 1) & mask;
        slots[slot] = index + 1;
      }
      this.slots = slots;
      this.mask = mask;
    }
    return true;
  }
}
