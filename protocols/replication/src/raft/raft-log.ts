/**
 * Raft's log, indexed from 1, with a discarded prefix. Entries up to
 * {@link RaftLog.base} have been applied and dropped; the term of the entry
 * at `base` is kept so that an AppendEntries whose `prevIndex` is `base`
 * can still be checked. Index 0 with term 0 is the empty log's origin.
 *
 * Terms and commands are kept in two parallel arrays (a packed array of
 * small integers and one of references), so appending allocates nothing per
 * entry. The prefix is dropped only once it is at least as long as what
 * remains, so compaction costs amortised O(1) per entry.
 */
export class RaftLog<C> {
  private terms: number[] = [];
  private cmds: C[] = [];
  private baseIndex = 0;
  private baseTerm = 0;

  /** Index of the last discarded entry (0 if none): entries `base + 1 … lastIndex` are kept. */
  get base(): number {
    return this.baseIndex;
  }

  get lastIndex(): number {
    return this.baseIndex + this.terms.length;
  }

  get lastTerm(): number {
    const n = this.terms.length;
    return n === 0 ? this.baseTerm : (this.terms[n - 1] as number);
  }

  /** Number of entries kept. */
  get size(): number {
    return this.terms.length;
  }

  /** Term of the entry at `index`, or -1 if it is discarded (below `base`) or beyond the end. */
  termAt(index: number): number {
    if (index === this.baseIndex) return this.baseTerm;
    const i = index - this.baseIndex - 1;
    if (i < 0 || i >= this.terms.length) return -1;
    return this.terms[i] as number;
  }

  /** The command at `index`; `base < index ≤ lastIndex` is the caller's duty. */
  cmdAt(index: number): C {
    return this.cmds[index - this.baseIndex - 1] as C;
  }

  /** Appends an entry; returns its index. */
  append(term: number, cmd: C): number {
    this.terms.push(term);
    this.cmds.push(cmd);
    return this.lastIndex;
  }

  /** Terms of entries `from … to` inclusive (`base < from`, `to ≤ lastIndex`), as a new array. */
  termsOf(from: number, to: number): number[] {
    return this.terms.slice(from - this.baseIndex - 1, to - this.baseIndex);
  }

  /** Commands of entries `from … to` inclusive, as a new array. */
  cmdsOf(from: number, to: number): C[] {
    return this.cmds.slice(from - this.baseIndex - 1, to - this.baseIndex);
  }

  /** Removes the entries from `index` to the end and returns their commands, oldest first. */
  truncateFrom(index: number): C[] {
    const i = Math.max(0, index - this.baseIndex - 1);
    this.terms.length = Math.min(this.terms.length, i);
    return this.cmds.splice(i);
  }

  /**
   * Allows dropping the entries up to `index` (which must have been
   * applied). They go once enough have accumulated to make it worthwhile.
   */
  compactTo(index: number): void {
    const k = Math.min(index, this.lastIndex) - this.baseIndex;
    if (k <= 0 || k * 2 < this.terms.length) return;
    this.baseTerm = this.terms[k - 1] as number;
    this.baseIndex += k;
    this.terms = this.terms.slice(k);
    this.cmds = this.cmds.slice(k);
  }

  /** Kept entries from `from` to the end as [index, term, command], oldest first (for tools and tests). */
  *from(from: number): IterableIterator<[number, number, C]> {
    for (let i = Math.max(from, this.baseIndex + 1); i <= this.lastIndex; i++) yield [i, this.termAt(i), this.cmdAt(i)];
  }
}
