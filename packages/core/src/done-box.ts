import { CompactIdSet } from './id-set';
import type { Path } from './path';

/**
 * What one agent has accepted and handled from one (src, dst) channel, for
 * one incarnation of the source: the latest it has heard from. A message
 * from a newer incarnation starts the channel over (the restarted source
 * numbers from 1 again); one from an older incarnation is stale.
 */
export class Channel {
  /** Ids accepted into the inbox (handled or not): used to refuse duplicates. */
  readonly accepted = new CompactIdSet();
  /** Ids whose handling has finished: the done box proper. */
  readonly done = new CompactIdSet();
  /** Incarnation of the source these ids belong to. */
  inc = 0;
  /** Times a newer incarnation of the source started the channel over. */
  resets = 0;
  constructor(readonly src: Path, readonly dst: Path) {}

  /**
   * Brings the channel to `inc`, the incarnation of a message about to be
   * accepted: a newer one forgets the older incarnation's ids. Returns false
   * if `inc` is older than the channel's (the message is stale).
   */
  admit(inc: number): boolean {
    if (inc === this.inc) return true;
    if (inc < this.inc) return false;
    this.inc = inc;
    this.resets++;
    this.accepted.clear();
    this.done.clear();
    return true;
  }
}

/** A channel's compaction state, for inspection and tests. */
export interface ChannelInfo {
  readonly src: Path;
  readonly dst: Path;
  /** Incarnation of the source the channel is at. */
  readonly incarnation: number;
  readonly doneWatermark: number;
  readonly sparse: number;
}

/**
 * An agent's done box (Escher §2.1), kept per (src, dst) channel and
 * compacted per channel; it also remembers which ids were accepted into the
 * inbox so a duplicate id is refused before it can run twice. Ids are
 * unique per channel within one incarnation of the source, so each channel
 * also remembers the incarnation its ids belong to.
 */
export class DoneBox {
  private readonly bySrc = new Map<Path, Map<Path, Channel>>();
  // The two channels used last: consecutive messages usually share one, and a
  // replica or a 2PC server alternates between two (requests and copies, data and control).
  private last: Channel | undefined;
  private previous: Channel | undefined;

  channel(src: Path, dst: Path): Channel {
    const last = this.last;
    if (last !== undefined && last.src === src && last.dst === dst) return last;
    const prev = this.previous;
    if (prev !== undefined && prev.src === src && prev.dst === dst) {
      this.previous = last;
      this.last = prev;
      return prev;
    }
    let byDst = this.bySrc.get(src);
    if (byDst === undefined) {
      byDst = new Map();
      this.bySrc.set(src, byDst);
    }
    let ch = byDst.get(dst);
    if (ch === undefined) {
      ch = new Channel(src, dst);
      byDst.set(dst, ch);
    }
    this.previous = last;
    this.last = ch;
    return ch;
  }

  /**
   * Escher's `contains(i, src, dst)`: message i of (src, dst) has been
   * handled. `inc` is the source's incarnation; by default the latest the
   * channel has heard from.
   */
  contains(id: number, src: Path, dst: Path, inc?: number): boolean {
    const ch = this.find(src, dst);
    if (ch === undefined) return false;
    if (inc !== undefined && inc !== ch.inc) return inc < ch.inc;
    return ch.done.has(id);
  }

  /**
   * Message i of (src, dst) has been accepted into the inbox (and may be
   * handled already). `inc` as for {@link DoneBox.contains}; a message of an
   * older incarnation than the channel's counts as accepted: superseded, it
   * must never run.
   */
  accepted(id: number, src: Path, dst: Path, inc?: number): boolean {
    const ch = this.find(src, dst);
    if (ch === undefined) return false;
    if (inc !== undefined && inc !== ch.inc) return inc < ch.inc;
    return ch.accepted.has(id);
  }

  /** A message of incarnation `inc` of `src` on (src, dst) is stale: a newer incarnation has been heard from. */
  superseded(src: Path, dst: Path, inc: number): boolean {
    const ch = this.find(src, dst);
    return ch !== undefined && inc < ch.inc;
  }

  private find(src: Path, dst: Path): Channel | undefined {
    const last = this.last;
    if (last !== undefined && last.src === src && last.dst === dst) return last;
    const prev = this.previous;
    if (prev !== undefined && prev.src === src && prev.dst === dst) return prev;
    return this.bySrc.get(src)?.get(dst);
  }

  /** Channels known, with their compaction state (for inspection and tests). */
  channels(): ChannelInfo[] {
    const out: ChannelInfo[] = [];
    for (const byDst of this.bySrc.values()) {
      for (const ch of byDst.values()) {
        out.push({ src: ch.src, dst: ch.dst, incarnation: ch.inc, doneWatermark: ch.done.watermark, sparse: ch.done.sparse });
      }
    }
    return out;
  }

  /** Forgets everything (a crash loses volatile state). */
  clear(): void {
    this.bySrc.clear();
    this.last = undefined;
    this.previous = undefined;
  }
}
