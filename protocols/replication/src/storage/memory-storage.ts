import { RaftStorageError } from '../errors';
import type { Command } from '../messages';
import type { PersistedRaftState, RaftStorage } from './raft-storage';

type Write<C> =
  | { readonly kind: 'termAndVote'; readonly term: number; readonly votedFor: number }
  | { readonly kind: 'entry'; readonly index: number; readonly term: number; readonly cmd: C }
  | { readonly kind: 'incarnation'; readonly incarnation: number };

/**
 * {@link RaftStorage} in memory: "the disk" of a replica under the
 * simulator. Keep the object across a simulated crash (`crashNode`, then
 * `restartNode` with a storage factory that returns the same object) and
 * the restarted replica finds what the crashed one had synced — and only
 * that: writes not yet synced are lost by {@link MemoryStorage.load}, as a
 * crash loses them, so a core that answered before syncing would be caught.
 */
export class MemoryStorage<C = Command> implements RaftStorage<C> {
  private term = 0;
  private votedFor = -1;
  private inc = -1;
  private readonly terms: number[] = [];
  private readonly cmds: C[] = [];
  private pending: Write<C>[] = [];

  /** Syncs that had something to make durable. */
  syncs = 0;
  /** Changes made durable. */
  writes = 0;
  /** Changes lost because no sync came before the crash (or load). */
  lost = 0;

  get incarnation(): number {
    return this.inc;
  }

  /** Entries durably stored. */
  get length(): number {
    return this.terms.length;
  }

  /** Changes saved but not yet synced. */
  get unsynced(): number {
    return this.pending.length;
  }

  load(): PersistedRaftState<C> {
    this.lost += this.pending.length;
    this.pending = [];
    return { term: this.term, votedFor: this.votedFor, terms: this.terms.slice(), cmds: this.cmds.slice(), incarnation: this.inc };
  }

  saveTermAndVote(term: number, votedFor: number): void {
    this.pending.push({ kind: 'termAndVote', term, votedFor });
  }

  saveEntry(index: number, term: number, cmd: C): void {
    this.pending.push({ kind: 'entry', index, term, cmd });
  }

  saveIncarnation(incarnation: number): void {
    this.pending.push({ kind: 'incarnation', incarnation });
  }

  sync(): void {
    if (this.pending.length === 0) return;
    this.syncs++;
    for (const w of this.pending) {
      this.writes++;
      switch (w.kind) {
        case 'termAndVote':
          this.term = w.term;
          this.votedFor = w.votedFor;
          break;
        case 'entry':
          if (w.index < 1 || w.index > this.terms.length + 1) {
            throw new RaftStorageError('memory storage', `entry ${w.index} after ${this.terms.length} entries leaves a gap`);
          }
          this.terms.length = w.index - 1;
          this.cmds.length = w.index - 1;
          this.terms.push(w.term);
          this.cmds.push(w.cmd);
          break;
        case 'incarnation':
          this.inc = w.incarnation;
          break;
        default: {
          const never: never = w;
          throw new Error(`unknown write ${JSON.stringify(never)}`);
        }
      }
    }
    this.pending = [];
  }

  /** A crash: what was not synced is gone. */
  close(): void {
    this.lost += this.pending.length;
    this.pending = [];
  }
}
