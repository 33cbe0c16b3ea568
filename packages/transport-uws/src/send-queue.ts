/** Bytes a held frame costs beyond its own length (array slot, bookkeeping): empty frames are not free. */
export const FRAME_OVERHEAD_BYTES = 16;

/**
 * The frames one link holds for its peer, numbered 1, 2, 3, … in the order
 * they were sent. Frames up to `acked` are gone (acknowledged, or dropped
 * with the peer's old incarnation); `acked < seq ≤ written` went out on the
 * current connection and wait for an acknowledgement; `written < seq < next`
 * wait to be written. A reconnection rewinds `written` to what the peer
 * says it received, so the rest is written again.
 */
export class SendQueue {
  private frames: (Uint8Array | undefined)[] = [];
  /** Index in `frames` of sequence number `acked + 1`. */
  private head = 0;
  /** Highest sequence number acknowledged (or dropped). */
  acked = 0;
  /** Highest sequence number written on the current connection. */
  written = 0;
  /** Highest sequence number ever written, on any connection. */
  everWritten = 0;
  /** Sequence number of the next frame pushed. */
  next = 1;
  /** Bytes held, with {@link FRAME_OVERHEAD_BYTES} per frame. */
  bytes = 0;

  /** Frames held (written or not). */
  get length(): number {
    return this.next - 1 - this.acked;
  }

  /** Frames not written on the current connection yet. */
  get unwritten(): number {
    return this.next - 1 - this.written;
  }

  /** Frames written and not acknowledged. */
  get outstanding(): number {
    return this.written - this.acked;
  }

  /** Appends a frame; returns its sequence number. */
  push(frame: Uint8Array): number {
    this.frames.push(frame);
    this.bytes += frame.length + FRAME_OVERHEAD_BYTES;
    return this.next++;
  }

  /** The frame with sequence number `seq` (`acked < seq < next`). */
  at(seq: number): Uint8Array {
    return this.frames[this.head + (seq - this.acked - 1)] as Uint8Array;
  }

  /** The peer acknowledged every frame up to `seq`: they are released. Caller checks `seq < next`. */
  ack(seq: number): void {
    if (seq <= this.acked) return;
    const n = seq - this.acked;
    const frames = this.frames;
    for (let i = 0; i < n; i++) {
      const f = frames[this.head + i] as Uint8Array;
      this.bytes -= f.length + FRAME_OVERHEAD_BYTES;
      frames[this.head + i] = undefined;
    }
    this.head += n;
    this.acked = seq;
    if (this.written < seq) this.written = seq;
    if (this.everWritten < seq) this.everWritten = seq;
    // Compact once the released prefix dominates, so the array stays within twice what is held.
    if (this.head > 1024 && this.head * 2 > frames.length) {
      this.frames = frames.slice(this.head);
      this.head = 0;
    }
  }

  /** Records that frames up to `seq` went out. */
  markWritten(seq: number): void {
    this.written = seq;
    if (seq > this.everWritten) this.everWritten = seq;
  }

  /** A new connection: everything held is to be written again. */
  rewind(): void {
    this.written = this.acked;
  }

  /** Drops the frames that may have reached a previous incarnation of the peer; returns how many. */
  dropWritten(): number {
    const upTo = Math.min(this.everWritten, this.next - 1);
    const n = Math.max(0, upTo - this.acked);
    this.ack(upTo);
    return n;
  }

  /** Drops everything held; returns how many frames that was. */
  dropAll(): number {
    const n = this.length;
    this.ack(this.next - 1);
    this.frames = [];
    this.head = 0;
    return n;
  }
}
