import type { Frame, WireMessage } from '@escher/core';
import { MsgpackCodec } from '@escher/transport-uws';

/** Runtime id of the sending side (this process). */
export const CLIENT = 'client';
/** Runtime id of the receiving side (the child process). */
export const SERVER = 'server';
/** Agent that sends every message. */
export const CLIENT_PATH = '/client';
/** Agent every message is for. */
export const SERVER_PATH = '/server';

/** Messages per frame: what a busy runtime puts in one frame to one destination. */
export const FRAME_MESSAGES = 256;
/** Frames a sender produces per event-loop tick (when flow control allows). */
export const FRAMES_PER_TICK = 4;
/** Messages per tick: the raw links batch the same number per write. */
export const MESSAGES_PER_TICK = FRAME_MESSAGES * FRAMES_PER_TICK;

/** A small request, as an application would send (a key-value put). */
export const PAYLOAD = Object.freeze({ op: 'put', key: 'k1', value: 42 });

/** The kernel's wire form of message `id` from the client to the server. */
export function wireMessage(id: number): WireMessage {
  return { id, src: CLIENT_PATH, dst: SERVER_PATH, payload: PAYLOAD };
}

/** A frame of `count` messages numbered from `firstId`. */
export function frameOf(firstId: number, count: number, from = CLIENT): Frame {
  const messages = new Array<WireMessage>(count);
  for (let i = 0; i < count; i++) messages[i] = wireMessage(firstId + i);
  return { v: 1, from, messages };
}

/** Bytes one message takes inside a msgpack frame of {@link FRAME_MESSAGES}: the raw links carry records of this size. */
export function messageBytes(): number {
  const codec = new MsgpackCodec();
  return Math.round(codec.encode(frameOf(1_000_000, FRAME_MESSAGES)).length / FRAME_MESSAGES);
}

/** Bytes of a record's length prefix on the raw links. */
export const RECORD_PREFIX_BYTES = 2;

/** `count` length-prefixed records of `size` bytes each, back to back (what one raw write carries). */
export function recordBatch(count: number, size: number): Buffer {
  const out = Buffer.alloc(count * (RECORD_PREFIX_BYTES + size), 0x61);
  for (let i = 0, p = 0; i < count; i++, p += RECORD_PREFIX_BYTES + size) out.writeUInt16BE(size, p);
  return out;
}

/**
 * Counts length-prefixed records in a byte stream that arrives in arbitrary
 * chunks (TCP) or whole batches (WebSocket messages), reading only prefixes.
 */
export class RecordCounter {
  /** Body bytes still to come of the record in progress (counted once they have). */
  private skip = 0;
  /** First byte of a length prefix split across chunks, or -1. */
  private prefixHigh = -1;
  count = 0;

  /** Feeds a chunk; returns the number of records it completed. */
  feed(chunk: Uint8Array): number {
    const len = chunk.length;
    let p = 0;
    let n = 0;
    if (this.skip > 0) {
      p = Math.min(this.skip, len);
      this.skip -= p;
      if (this.skip === 0) n++;
    } else if (this.prefixHigh >= 0 && len > 0) {
      p = 1 + (((this.prefixHigh << 8) | (chunk[0] as number)) >>> 0);
      this.prefixHigh = -1;
      if (p > len) {
        this.skip = p - len;
        p = len;
      } else n++;
    }
    while (p < len) {
      if (p + 1 === len) {
        this.prefixHigh = chunk[p] as number;
        break;
      }
      p += RECORD_PREFIX_BYTES + (((chunk[p] as number) << 8) | (chunk[p + 1] as number));
      if (p > len) {
        this.skip = p - len;
        break;
      }
      n++;
    }
    this.count += n;
    return n;
  }
}
