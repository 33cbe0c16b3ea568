import { crc32 } from 'node:zlib';

/**
 * The on-disk format of {@link FileStorage}, version 1: an append-only file
 * that starts with an 8-byte header and goes on with records.
 *
 * ```
 * header  = "ESRAFT" ‖ version (u16 BE, 1)
 * record  = length (u32 BE) ‖ crc32(body) (u32 BE) ‖ body
 * body    = kind (u8) ‖ JSON (UTF-8)
 * kind 1  = term and vote   { "t": term, "v": votedFor }
 * kind 2  = log entries     { "i": first index, "t": [terms], "c": [commands] }
 *           (entries from "i" on are replaced: a follower's overwritten suffix)
 * kind 3  = incarnation     { "n": incarnation }
 * ```
 *
 * Lengths let a reader find a record's end without parsing it; the CRC-32
 * of each body catches a damaged record. A record cut short at the end of
 * the file, or zeros where the last record should be, is what a crash in
 * the middle of a write leaves: it was never synced, so it is dropped. Any
 * other damage — a bad checksum with records after it, or a last record
 * whose bytes are there but wrong — cannot be explained by a crash during
 * a write (a synced record went bad) and is refused.
 */

/** First bytes of every Raft storage file. */
export const MAGIC = 'ESRAFT';
/** Version of the record format; a file of another is refused. */
export const FORMAT_VERSION = 1;
/** Bytes of the file header: the magic and the version. */
export const HEADER_BYTES = 8;
/** Bytes before each record's body: its length and its checksum. */
export const RECORD_HEAD_BYTES = 8;
/** Largest body accepted when reading; anything longer is damage, not data. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** Record kinds (the first byte of a body). */
export enum RecordKind {
  /** Current term and the vote in it. */
  TermAndVote = 1,
  /** A run of log entries, replacing any stored from its first index on. */
  Entries = 2,
  /** The incarnation a replica starting on this storage runs as. */
  Incarnation = 3,
}

/** A record's content. */
export type StorageRecord =
  | { readonly kind: RecordKind.TermAndVote; readonly term: number; readonly votedFor: number }
  | { readonly kind: RecordKind.Entries; readonly first: number; readonly terms: readonly number[]; readonly cmds: readonly unknown[] }
  | { readonly kind: RecordKind.Incarnation; readonly incarnation: number };

/** The file header. */
export function encodeHeader(): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(MAGIC, 0, 'latin1');
  b.writeUInt16BE(FORMAT_VERSION, 6);
  return b;
}

/** Why `bytes` does not start with a version-1 header, or undefined if it does. */
export function checkHeader(bytes: Buffer): string | undefined {
  if (bytes.length < HEADER_BYTES) return `${bytes.length}-byte file is shorter than the header`;
  if (bytes.toString('latin1', 0, 6) !== MAGIC) return 'not a Raft storage file (bad magic)';
  const v = bytes.readUInt16BE(6);
  return v === FORMAT_VERSION ? undefined : `format version ${v}, this code reads ${FORMAT_VERSION}`;
}

/** One record, ready to append. */
export function encodeRecord(r: StorageRecord): Buffer {
  let json: string;
  switch (r.kind) {
    case RecordKind.TermAndVote:
      json = JSON.stringify({ t: r.term, v: r.votedFor });
      break;
    case RecordKind.Entries:
      json = JSON.stringify({ i: r.first, t: r.terms, c: r.cmds });
      break;
    case RecordKind.Incarnation:
      json = JSON.stringify({ n: r.incarnation });
      break;
    default: {
      const never: never = r;
      throw new Error(`unknown record ${JSON.stringify(never)}`);
    }
  }
  const bodyLength = 1 + Buffer.byteLength(json, 'utf8');
  const out = Buffer.allocUnsafe(RECORD_HEAD_BYTES + bodyLength);
  out.writeUInt32BE(bodyLength, 0);
  out.writeUInt8(r.kind, RECORD_HEAD_BYTES);
  out.write(json, RECORD_HEAD_BYTES + 1, 'utf8');
  out.writeUInt32BE(crc32(out.subarray(RECORD_HEAD_BYTES)), 4);
  return out;
}

/** What reading records from a file found. */
export type ReadOutcome =
  | { readonly kind: 'record'; readonly record: StorageRecord; readonly next: number }
  | { readonly kind: 'end' }
  /** A crash in the middle of the last write: drop the bytes from `at` on. */
  | { readonly kind: 'torn'; readonly at: number; readonly why: string }
  | { readonly kind: 'corrupt'; readonly at: number; readonly why: string };

/** Reads the record at `at` in `bytes` (the whole file). */
export function readRecord(bytes: Buffer, at: number): ReadOutcome {
  const size = bytes.length;
  if (at === size) return { kind: 'end' };
  const torn = (why: string): ReadOutcome => ({ kind: 'torn', at, why });
  if (size - at < RECORD_HEAD_BYTES) return torn(`${size - at} byte(s) of a record head`);
  const length = bytes.readUInt32BE(at);
  const end = at + RECORD_HEAD_BYTES + length;
  if (length === 0 || length > MAX_BODY_BYTES) {
    return zeroFrom(bytes, at) ? torn('zeros') : { kind: 'corrupt', at, why: `record length ${length}` };
  }
  if (end > size) return torn(`record of ${length} bytes cut short at ${size - at - RECORD_HEAD_BYTES}`);
  const body = bytes.subarray(at + RECORD_HEAD_BYTES, end);
  if (crc32(body) !== bytes.readUInt32BE(at + 4)) {
    // Zeros in the last record's body: its length reached the disk, its data did not.
    if (end === size && zeroFrom(body, 0)) return torn('a last record of zeros');
    return { kind: 'corrupt', at, why: end === size ? 'checksum mismatch in the last record' : 'checksum mismatch' };
  }
  const parsed = parseBody(body);
  if (typeof parsed === 'string') return { kind: 'corrupt', at, why: parsed };
  return { kind: 'record', record: parsed, next: end };
}

function zeroFrom(bytes: Buffer, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The record in a body whose checksum matched, or why it makes no sense. */
function parseBody(body: Buffer): StorageRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8', 1));
  } catch {
    return 'body is not JSON';
  }
  if (typeof v !== 'object' || v === null) return 'body is not an object';
  const o = v as Record<string, unknown>;
  switch (body[0]) {
    case RecordKind.TermAndVote:
      if (!isCount(o.t) || !Number.isSafeInteger(o.v) || (o.v as number) < -1) return 'bad term or vote';
      return { kind: RecordKind.TermAndVote, term: o.t, votedFor: o.v as number };
    case RecordKind.Entries: {
      const { i, t, c } = o;
      if (!isCount(i) || i < 1 || !Array.isArray(t) || !Array.isArray(c) || t.length !== c.length || t.length === 0) return 'bad entries';
      if (!t.every((x) => isCount(x) && x >= 1)) return 'bad entry term';
      return { kind: RecordKind.Entries, first: i, terms: t as number[], cmds: c };
    }
    case RecordKind.Incarnation:
      if (!isCount(o.n)) return 'bad incarnation';
      return { kind: RecordKind.Incarnation, incarnation: o.n };
    default:
      return `unknown record kind ${String(body[0])}`;
  }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
