/**
 * The building blocks of every canonical encoding in this package: fixed
 * big-endian integers and length-prefixed fields. A reader checks each
 * length against what is left (and against its limit) before it slices, so
 * untrusted input never makes it allocate more than the input's own size.
 */
import { type EncodedKind, MalformedEncodingError, NonCanonicalEncodingError, OversizedEncodingError, TruncatedEncodingError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a BOM stays a character, so decoding is one-to-one

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Appends fields to a growing buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
    return this;
  }

  /** A non-negative safe integer as 8 bytes, big-endian. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${v} is not a non-negative safe integer`);
    this.room(8);
    this.view.setUint32(this.len, Math.floor(v / 2 ** 32));
    this.view.setUint32(this.len + 4, v >>> 0);
    this.len += 8;
    return this;
  }

  /** Raw bytes, no length prefix (for fixed-size fields). */
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** Bytes preceded by their length as u16. */
  bytes16(bytes: Uint8Array): this {
    if (bytes.length > 0xffff) throw new RangeError(`field of ${bytes.length} bytes does not fit a u16 length`);
    return this.u16(bytes.length).raw(bytes);
  }

  /** Bytes preceded by their length as u32. */
  bytes32(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes);
  }

  /** A string as UTF-8 preceded by its byte length as u16. */
  string16(s: string): this {
    return this.bytes16(utf8(s));
  }

  get length(): number {
    return this.len;
  }

  /** The bytes written so far (a copy sized exactly). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Reads fields from untrusted bytes; every failure is a typed error naming `what` is being read. */
export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array, private readonly what: EncodedKind) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): void {
    if (n > this.remaining) throw new TruncatedEncodingError(this.what, n, this.remaining);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** 8 bytes big-endian; values beyond 2^53 - 1 are refused so that every decoder agrees on the number. */
  u64(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi > 0x1fffff) throw new MalformedEncodingError(this.what, 'integer above 2^53 - 1');
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }

  /** `n` bytes, as a view into the input (copy it to keep it). */
  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A u16-length-prefixed field of at most `limit` bytes. */
  bytes16(limit: number): Uint8Array {
    const n = this.u16();
    if (n > limit) throw new OversizedEncodingError(this.what, n, limit);
    return this.raw(n);
  }

  /** A u32-length-prefixed field of at most `limit` bytes. */
  bytes32(limit: number): Uint8Array {
    const n = this.u32();
    if (n > limit) throw new OversizedEncodingError(this.what, n, limit);
    return this.raw(n);
  }

  /** A u16-length-prefixed UTF-8 string of at most `limit` bytes. */
  string16(limit: number): string {
    const b = this.bytes16(limit);
    try {
      return decoder.decode(b);
    } catch (cause) {
      throw new MalformedEncodingError(this.what, 'string is not valid UTF-8', { cause });
    }
  }

  /** Refuses trailing bytes: an encoding has exactly one length. */
  end(): void {
    if (this.remaining !== 0) throw new NonCanonicalEncodingError(this.what, `${this.remaining} trailing byte(s)`);
  }
}

/** Byte-wise equality (not constant-time: for public values only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses lower- or upper-case hex of an exact byte length. @throws RangeError */
export function fromHex(hex: string, length: number): Uint8Array {
  if (hex.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`expected ${length * 2} hex digits`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Concatenation of byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
