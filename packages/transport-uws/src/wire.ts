/**
 * Link packets: what one WebSocket message carries. Big-endian, every field
 * present. Sequence numbers and acknowledgements are unsigned integers up to
 * 2^53 − 1 written as 8 bytes.
 *
 * | kind | layout after `version ‖ kind` |
 * |---|---|
 * | HELLO (dialer → acceptor), WELCOME (reply) | from (u8 length + UTF-8), to (same), incarnation, peer incarnation, received, send base, written (u64 each) |
 * | DATA | ack (u64), first seq (u64), count (u32), then count × (length u32 ‖ frame) |
 * | ACK | ack (u64) |
 */
import type { RuntimeId } from '@escher/core';
import { MalformedPacketError, OversizedFrameError } from './errors';

/** Version of the link packet layout; a packet of another version is refused. */
export const LINK_VERSION = 1;
/** Packet kind: the dialer's handshake. */
export const KIND_HELLO = 1;
/** Packet kind: the acceptor's answer to a HELLO. */
export const KIND_WELCOME = 2;
/** Packet kind: frames, with an acknowledgement of the other direction. */
export const KIND_DATA = 3;
/** Packet kind: an acknowledgement alone. */
export const KIND_ACK = 4;

/** Bytes of a DATA packet before its first frame. */
export const DATA_HEADER_BYTES = 22;
/** Bytes of the length prefix of each frame in a DATA packet. */
export const FRAME_PREFIX_BYTES = 4;
/** Bytes of an ACK packet. */
export const ACK_BYTES = 10;
/** Longest runtime id, in UTF-8 bytes. */
export const MAX_RUNTIME_ID_BYTES = 255;
/** Longest handshake packet. */
export const MAX_HANDSHAKE_BYTES = 2 + 2 * (1 + MAX_RUNTIME_ID_BYTES) + 5 * 8;

const TWO_32 = 2 ** 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** What each side of a link tells the other when a connection opens. */
export interface Handshake {
  readonly kind: typeof KIND_HELLO | typeof KIND_WELCOME;
  readonly from: RuntimeId;
  readonly to: RuntimeId;
  /** Random, non-zero, fixed while the sender stays attached: a new value means the sender restarted. */
  readonly incarnation: number;
  /** The receiver's incarnation as the sender knows it (0: none yet). */
  readonly peerIncarnation: number;
  /** Highest sequence number of the receiver's frames the sender delivered (in `peerIncarnation`). */
  readonly received: number;
  /** The sender holds no frame at or below this sequence number any more (acknowledged or dropped). */
  readonly sendBase: number;
  /** Highest sequence number the sender ever wrote on any connection. */
  readonly written: number;
}

/** Encodes a HELLO or WELCOME. */
export function encodeHandshake(h: Handshake): Uint8Array {
  const from = encoder.encode(h.from);
  const to = encoder.encode(h.to);
  const out = new Uint8Array(2 + 1 + from.length + 1 + to.length + 5 * 8);
  const view = new DataView(out.buffer);
  out[0] = LINK_VERSION;
  out[1] = h.kind;
  let p = 2;
  out[p++] = from.length;
  out.set(from, p);
  p += from.length;
  out[p++] = to.length;
  out.set(to, p);
  p += to.length;
  for (const n of [h.incarnation, h.peerIncarnation, h.received, h.sendBase, h.written]) {
    writeU53(view, p, n);
    p += 8;
  }
  return out;
}

/** Decodes a HELLO or WELCOME from `peer` (a label for errors). @throws MalformedPacketError */
export function decodeHandshake(bytes: Uint8Array, peer: RuntimeId): Handshake {
  checkHeader(bytes, peer);
  const kind = bytes[1];
  if (kind !== KIND_HELLO && kind !== KIND_WELCOME) throw new MalformedPacketError(peer, `expected a handshake, got kind ${String(kind)}`);
  if (bytes.length > MAX_HANDSHAKE_BYTES) throw new MalformedPacketError(peer, `handshake of ${bytes.length} bytes`);
  const view = viewOf(bytes);
  let p = 2;
  const id = (): string => {
    if (p >= bytes.length) throw new MalformedPacketError(peer, 'truncated handshake');
    const n = bytes[p++] as number;
    if (n === 0) throw new MalformedPacketError(peer, 'empty runtime id');
    if (p + n > bytes.length) throw new MalformedPacketError(peer, 'truncated handshake');
    let s: string;
    try {
      s = decoder.decode(bytes.subarray(p, p + n));
    } catch (cause) {
      throw new MalformedPacketError(peer, 'runtime id is not UTF-8', { cause });
    }
    p += n;
    return s;
  };
  const from = id();
  const to = id();
  if (p + 5 * 8 !== bytes.length) throw new MalformedPacketError(peer, 'handshake length does not match its fields');
  const nums: number[] = [];
  for (let i = 0; i < 5; i++, p += 8) nums.push(readU53(view, p, peer));
  const [incarnation, peerIncarnation, received, sendBase, written] = nums as [number, number, number, number, number];
  if (incarnation === 0) throw new MalformedPacketError(peer, 'zero incarnation');
  return { kind, from, to, incarnation, peerIncarnation, received, sendBase, written };
}

/** Encodes a DATA packet holding `frames[start..end)` (whose sizes add up to `frameBytes`), the first with sequence number `firstSeq`. */
export function encodeData(ack: number, firstSeq: number, frames: readonly Uint8Array[], start: number, end: number, frameBytes: number): Uint8Array {
  const count = end - start;
  const out = Buffer.allocUnsafe(DATA_HEADER_BYTES + count * FRAME_PREFIX_BYTES + frameBytes);
  out[0] = LINK_VERSION;
  out[1] = KIND_DATA;
  writeU53Buf(out, 2, ack);
  writeU53Buf(out, 10, firstSeq);
  out.writeUInt32BE(count, 18);
  let p = DATA_HEADER_BYTES;
  for (let i = start; i < end; i++) {
    const f = frames[i] as Uint8Array;
    out.writeUInt32BE(f.length, p);
    p += FRAME_PREFIX_BYTES;
    out.set(f, p);
    p += f.length;
  }
  return out;
}

/** Encodes an ACK packet. */
export function encodeAck(ack: number): Uint8Array {
  const out = Buffer.allocUnsafe(ACK_BYTES);
  out[0] = LINK_VERSION;
  out[1] = KIND_ACK;
  writeU53Buf(out, 2, ack);
  return out;
}

/** The header of a DATA packet whose frame lengths were all checked. */
export interface DataHeader {
  readonly ack: number;
  readonly firstSeq: number;
  readonly count: number;
}

/**
 * Checks a whole DATA packet before anything in it is used: every length
 * prefix within the packet and within `maxFrameBytes`, nothing left over.
 * @throws MalformedPacketError, OversizedFrameError
 */
export function checkData(bytes: Uint8Array, maxFrameBytes: number, peer: RuntimeId): DataHeader {
  if (bytes.length < DATA_HEADER_BYTES) throw new MalformedPacketError(peer, `data packet of ${bytes.length} bytes`);
  const view = viewOf(bytes);
  const ack = readU53(view, 2, peer);
  const firstSeq = readU53(view, 10, peer);
  const count = view.getUint32(18);
  // Each frame takes at least its prefix: a count the packet cannot hold is refused before the loop.
  if (count * FRAME_PREFIX_BYTES > bytes.length - DATA_HEADER_BYTES) throw new MalformedPacketError(peer, `count ${count} does not fit`);
  if (count > 0 && firstSeq === 0) throw new MalformedPacketError(peer, 'sequence numbers start at 1');
  let p = DATA_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const n = view.getUint32(p);
    if (n > maxFrameBytes) throw new OversizedFrameError(peer, n, maxFrameBytes);
    p += FRAME_PREFIX_BYTES + n;
    if (p > bytes.length) throw new MalformedPacketError(peer, `frame ${i} runs past the end`);
  }
  if (p !== bytes.length) throw new MalformedPacketError(peer, `${bytes.length - p} trailing byte(s)`);
  return { ack, firstSeq, count };
}

/** Decodes an ACK packet. @throws MalformedPacketError */
export function decodeAck(bytes: Uint8Array, peer: RuntimeId): number {
  if (bytes.length !== ACK_BYTES) throw new MalformedPacketError(peer, `ack packet of ${bytes.length} bytes`);
  return readU53(viewOf(bytes), 2, peer);
}

/** Checks version and the presence of a kind. @throws MalformedPacketError */
export function checkHeader(bytes: Uint8Array, peer: RuntimeId): void {
  if (bytes.length < 2) throw new MalformedPacketError(peer, `packet of ${bytes.length} byte(s)`);
  if (bytes[0] !== LINK_VERSION) throw new MalformedPacketError(peer, `unsupported link version ${String(bytes[0])}`);
}

/** A runtime id a handshake can carry. */
export function isValidRuntimeId(id: string): boolean {
  const n = encoder.encode(id).length;
  return n > 0 && n <= MAX_RUNTIME_ID_BYTES;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function writeU53(view: DataView, p: number, n: number): void {
  view.setUint32(p, Math.floor(n / TWO_32));
  view.setUint32(p + 4, n >>> 0);
}

function writeU53Buf(out: Buffer, p: number, n: number): void {
  out.writeUInt32BE(Math.floor(n / TWO_32), p);
  out.writeUInt32BE(n >>> 0, p + 4);
}

function readU53(view: DataView, p: number, peer: RuntimeId): number {
  const hi = view.getUint32(p);
  if (hi > 0x1fffff) throw new MalformedPacketError(peer, 'number above 2^53 - 1');
  return hi * TWO_32 + view.getUint32(p + 4);
}
