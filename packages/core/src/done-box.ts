import { CompactIdSet } from './id-set';
import type { Path } from './path';

/** What one agent has accepted and handled from one (src, dst) channel. */
export class Channel {
  /** Ids accepted into the inbox (handled or not): used to refuse duplicates. */
  readonly accepted = new CompactIdSet();
  /** Ids whose handling has finished: the done box proper. */
  readonly done = new CompactIdSet();
  constructor(readonly src: Path, readonly dst: Path) {}
}

/**
 * An agent's done box (Escher §2.1), kept per (src, dst) channel and
 * compacted per channel; it also remembers which ids were accepted into the
 * inbox so a duplicate id is refused before it can run twice.
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

  /** Escher's `contains(i, src, dst)`: message i of (src, dst) has been handled. */
  contains(id: number, src: Path, dst: Path): boolean {
    return this.find(src, dst)?.done.has(id) ?? false;
  }

  /** Message i of (src, dst) has been accepted into the inbox (and may be handled already). */
  accepted(id: number, src: Path, dst: Path): boolean {
    return this.find(src, dst)?.accepted.has(id) ?? false;
  }

  private find(src: Path, dst: Path): Channel | undefined {
    const last = this.last;
    if (last !== undefined && last.src === src && last.dst === dst) return last;
    const prev = this.previous;
    if (prev !== undefined && prev.src === src && prev.dst === dst) return prev;
    return this.bySrc.get(src)?.get(dst);
  }

  /** Channels known, with their compaction state (for inspection and tests). */
  channels(): { src: Path; dst: Path; doneWatermark: number; sparse: number }[] {
    const out: { src: Path; dst: Path; doneWatermark: number; sparse: number }[] = [];
    for (const byDst of this.bySrc.values()) {
      for (const ch of byDst.values()) {
        out.push({ src: ch.src, dst: ch.dst, doneWatermark: ch.done.watermark, sparse: ch.done.sparse });
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
