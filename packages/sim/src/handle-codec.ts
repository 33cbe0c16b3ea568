import { type Codec, type Frame, MalformedFrameError, checkFrame } from '@escher/core';

/**
 * A codec for the simulator: instead of serialising, it keeps each frame in
 * a table and puts a 4-byte handle on the "wire". Payloads are immutable
 * values by the kernel's rule and the receiving runtime rebuilds every
 * envelope, so nothing is shared that a receiver could change; skipping
 * serialisation is what lets a simulated run go much faster than real time.
 * The simulated network tells the codec how many deliveries each frame will
 * have, so the table never grows beyond the frames in flight.
 */
export class HandleCodec implements Codec {
  readonly name = 'sim-handles';
  private readonly frames = new Map<number, { frame: Frame; pending: number }>();
  private next = 1;

  /** Frames in flight (for tests of boundedness). */
  get inFlight(): number {
    return this.frames.size;
  }

  encode(frame: Frame): Uint8Array {
    const id = this.next++;
    this.frames.set(id, { frame, pending: 0 });
    const bytes = new Uint8Array(4);
    bytes[0] = id >>> 24;
    bytes[1] = id >>> 16;
    bytes[2] = id >>> 8;
    bytes[3] = id;
    return bytes;
  }

  decode(bytes: Uint8Array): Frame {
    const e = bytes.length === 4 ? this.frames.get(handleOf(bytes)) : undefined;
    if (e === undefined) throw new MalformedFrameError('unknown simulator frame handle');
    return checkFrame(e.frame);
  }

  /** The network will deliver the frame `copies` times (0: it was lost). */
  expect(bytes: Uint8Array, copies: number): void {
    if (bytes.length !== 4) return;
    const id = handleOf(bytes);
    const e = this.frames.get(id);
    if (e === undefined) return;
    e.pending += copies;
    if (e.pending <= 0) this.frames.delete(id);
  }

  /** One delivery of the frame is done. */
  delivered(bytes: Uint8Array): void {
    this.expect(bytes, -1);
  }
}

function handleOf(bytes: Uint8Array): number {
  return (((bytes[0] as number) << 24) | ((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)) >>> 0;
}
