import type { Command } from './messages';
import type { RaftLog } from './raft/raft-log';

/** One (src, dst) channel: the highest input id in the unapplied part of the leader's log, for the latest incarnation of the source seen. */
interface Channel {
  max: number;
  inc: number;
}

/**
 * A leader's answer to "is this input already in my log, waiting to be
 * applied?" (once applied, the done box answers instead). A source numbers
 * its messages to one destination 1, 2, 3, … and links are mostly FIFO, so
 * nearly every new input has a higher id than any the leader has seen on its
 * channel: then the answer is no, for the price of one comparison, and no
 * per-input state is kept. Only an id at or below that maximum (a duplicate,
 * a retransmission, or an input overtaken in flight) makes it look through
 * the unapplied entries of the log. The index is rebuilt from the log when
 * the replica becomes leader and dropped when it stops leading. A source
 * that restarted numbers from 1 again under a new incarnation: the channel
 * then follows the newer incarnation, and inputs of another incarnation
 * than the channel's are looked up in the log.
 */
export class ProposedInputs {
  private readonly bySrc = new Map<string, Map<string, Channel>>();
  private lastSrc: string | undefined;
  private lastDst: string | undefined;
  private last: Channel | undefined;

  /** Records that an input of channel (src, dst) with `id`, from incarnation `inc` of its source, is in the log. */
  add(src: string, dst: string, id: number, inc: number): void {
    const ch = this.channel(src, dst, true) as Channel;
    if (inc > ch.inc) {
      ch.inc = inc;
      ch.max = id;
    } else if (inc === ch.inc && id > ch.max) ch.max = id;
  }

  /** Whether the input (src, dst, id) of incarnation `inc` is among the log's entries after `applied`. */
  has(src: string, dst: string, id: number, inc: number, log: RaftLog<Command>, applied: number): boolean {
    const ch = this.channel(src, dst, false);
    if (ch === undefined || inc > ch.inc || (inc === ch.inc && id > ch.max)) return false;
    for (let i = Math.max(applied, log.base) + 1; i <= log.lastIndex; i++) {
      const c = log.cmdAt(i);
      if (c !== null && c.id === id && c.src === src && c.dst === dst && (c.inc ?? 0) === inc) return true;
    }
    return false;
  }

  /** Indexes the log's entries after `applied` (on becoming leader). */
  rebuild(log: RaftLog<Command>, applied: number): void {
    this.clear();
    for (let i = Math.max(applied, log.base) + 1; i <= log.lastIndex; i++) {
      const c = log.cmdAt(i);
      if (c !== null) this.add(c.src, c.dst, c.id, c.inc ?? 0);
    }
  }

  clear(): void {
    this.bySrc.clear();
    this.lastSrc = undefined;
    this.lastDst = undefined;
    this.last = undefined;
  }

  private channel(src: string, dst: string, create: boolean): Channel | undefined {
    if (src === this.lastSrc && dst === this.lastDst) return this.last;
    let byDst = this.bySrc.get(src);
    if (byDst === undefined) {
      if (!create) return undefined;
      byDst = new Map();
      this.bySrc.set(src, byDst);
    }
    let ch = byDst.get(dst);
    if (ch === undefined) {
      if (!create) return undefined;
      ch = { max: 0, inc: 0 };
      byDst.set(dst, ch);
    }
    this.lastSrc = src;
    this.lastDst = dst;
    this.last = ch;
    return ch;
  }
}
