import type { LogEntry } from '../messages';

/**
 * Raft's log, indexed from 1, with a discarded prefix. Entries up to
 * {@link RaftLog.base} have been applied and dropped; the term of the entry
 * at `base` is kept so that an AppendEntries whose `prevIndex` is `base`
 * can still be checked. Index 0 with term 0 is the empty log's origin.
 *
 * The prefix is dropped only once it is at least as long as what remains,
 * so compaction costs amortised O(1) per entry.
 */
export class RaftLog<C> {
  private entries: LogEntry<C>[] = [];
  private baseIndex = 0;
  private baseTerm = 0;

  /** Index of the last discarded entry (0 if none): entries `base + 1 … lastIndex` are kept. */
  get base(): number {
    return this.baseIndex;
  }

  get lastIndex(): number {
    return this.baseIndex + this.entries.length;
  }

  get lastTerm(): number {
    const n = this.entries.length;
    return n === 0 ? this.baseTerm : (this.entries[n - 1] as LogEntry<C>).term;
  }

  /** Number of entries kept. */
  get size(): number {
    return this.entries.length;
  }

  /** Term of the entry at `index`, or -1 if it is discarded (below `base`) or beyond the end. */
  termAt(index: number): number {
    if (index === this.baseIndex) return this.baseTerm;
    const i = index - this.baseIndex - 1;
    if (i < 0 || i >= this.entries.length) return -1;
    return (this.entries[i] as LogEntry<C>).term;
  }

  /** The entry at `index`; `base < index ≤ lastIndex` is the caller's duty. */
  at(index: number): LogEntry<C> {
    return this.entries[index - this.baseIndex - 1] as LogEntry<C>;
  }

  append(entry: LogEntry<C>): number {
    this.entries.push(entry);
    return this.lastIndex;
  }

  /** Entries `from … to` inclusive (`base < from`, `to ≤ lastIndex`), as a new array. */
  slice(from: number, to: number): LogEntry<C>[] {
    return this.entries.slice(from - this.baseIndex - 1, to - this.baseIndex);
  }

  /** Removes the entries from `index` to the end and returns them, oldest first. */
  truncateFrom(index: number): LogEntry<C>[] {
    const i = Math.max(0, index - this.baseIndex - 1);
    return this.entries.splice(i);
  }

  /**
   * Allows dropping the entries up to `index` (which must have been
   * applied). They go once enough have accumulated to make it worthwhile.
   */
  compactTo(index: number): void {
    const k = Math.min(index, this.lastIndex) - this.baseIndex;
    if (k <= 0 || k * 2 < this.entries.length) return;
    this.baseTerm = (this.entries[k - 1] as LogEntry<C>).term;
    this.baseIndex += k;
    this.entries = this.entries.slice(k);
  }

  /** Kept entries from `from` to the end, oldest first (for rebuilding indexes and for tests). */
  *from(from: number): IterableIterator<[number, LogEntry<C>]> {
    for (let i = Math.max(from, this.baseIndex + 1); i <= this.lastIndex; i++) yield [i, this.at(i)];
  }
}
