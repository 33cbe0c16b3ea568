/**
 * The wire format of discovery records, version 1: one JSON object per
 * NATS message, UTF-8. Four kinds:
 *
 * | kind | meaning | subject |
 * |---|---|---|
 * | `announce` | `runtime` hosts an agent at `path` with `minDepth` | {@link pathSubject} |
 * | `withdraw` | it no longer does | the same subject |
 * | `address` | `runtime` is reachable at `address` | {@link addressSubject} |
 * | `unaddress` | it no longer is | the same subject |
 *
 * Every record carries `seq` (the announcer's counter, higher wins for the
 * same runtime and path, so a replayed older record cannot undo a newer
 * one), `ttlMs` (forget the record after this long without hearing it
 * again), and in secure mode `chain` (the announcer's certificate chain,
 * base64 of the PKI's encoding) and `sig` (base64 Ed25519 signature over
 * {@link signedBytes} in the {@link RECORD_DOMAIN} domain).
 */
import { Path } from '@escher/core';
import { defineSignatureDomain } from '@escher/pki';
import { MalformedAnnouncementError, OversizedAnnouncementError } from './errors';
import { addressSubject, pathSubject } from './subjects';

/** Version of the record format. */
export const RECORD_VERSION = 1;
/** Signature domain of records: `escher/pki/v1/x/discovery/record`. */
export const RECORD_DOMAIN = defineSignatureDomain('discovery/record');
/** Longest runtime id accepted in a record. */
export const MAX_RUNTIME_ID_LENGTH = 256;
/** Longest address accepted in a record. */
export const MAX_ADDRESS_LENGTH = 2048;
/** Longest TTL a record may state (receivers clamp further with their own `maxTtlMs`). */
export const MAX_RECORD_TTL_MS = 24 * 3600 * 1000;

/** A runtime hosts (`announce`) or stopped hosting (`withdraw`) an agent. */
export interface PathRecord {
  readonly v: 1;
  readonly kind: 'announce' | 'withdraw';
  readonly system: string;
  readonly runtime: string;
  readonly path: Path;
  readonly minDepth: number;
  readonly seq: number;
  readonly ttlMs: number;
  readonly chain?: string;
  readonly sig?: string;
}

/** A runtime's network address (`address`), or its retraction (`unaddress`, address `""`). */
export interface AddressRecord {
  readonly v: 1;
  readonly kind: 'address' | 'unaddress';
  readonly system: string;
  readonly runtime: string;
  readonly address: string;
  readonly seq: number;
  readonly ttlMs: number;
  readonly chain?: string;
  readonly sig?: string;
}

/** Any record. */
export type DiscoveryRecord = PathRecord | AddressRecord;

/** The record without its authentication fields. */
export type UnsignedRecord = Omit<PathRecord, 'chain' | 'sig'> | Omit<AddressRecord, 'chain' | 'sig'>;

/** Whether the record is about a path (else about an address). */
export function isPathRecord(r: UnsignedRecord): r is Omit<PathRecord, 'chain' | 'sig'> {
  return r.kind === 'announce' || r.kind === 'withdraw';
}

/** The subject a record is published on. */
export function recordSubject(r: UnsignedRecord): string {
  return isPathRecord(r) ? pathSubject(r.system, r.path, r.minDepth) : addressSubject(r.system, r.runtime);
}

/**
 * What the signature covers: every field but `chain` and `sig`, as a JSON
 * array in a fixed order (so the encoding is canonical), under
 * {@link RECORD_DOMAIN}. The system name is inside, so a record cannot be
 * replayed into another system; the runtime id is inside, so a record
 * cannot be redirected to another runtime.
 */
export function signedBytes(r: UnsignedRecord): Uint8Array {
  const fields = isPathRecord(r)
    ? [RECORD_VERSION, r.kind, r.system, r.runtime, r.path, r.minDepth, r.seq, r.ttlMs]
    : [RECORD_VERSION, r.kind, r.system, r.runtime, r.address, 0, r.seq, r.ttlMs];
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

/** Encodes a record as its JSON text, fields in a fixed order. */
export function encodeRecord(r: DiscoveryRecord): string {
  const auth = r.chain === undefined ? {} : { chain: r.chain, sig: r.sig };
  if (isPathRecord(r)) {
    const { v, kind, system, runtime, path, minDepth, seq, ttlMs } = r;
    return JSON.stringify({ v, kind, system, runtime, path, minDepth, seq, ttlMs, ...auth });
  }
  const { v, kind, system, runtime, address, seq, ttlMs } = r;
  return JSON.stringify({ v, kind, system, runtime, address, seq, ttlMs, ...auth });
}

/**
 * Parses and validates one record; checks nothing cryptographic (that is
 * the authenticator's job).
 * @throws OversizedAnnouncementError (checked before parsing), MalformedAnnouncementError
 */
export function parseRecord(bytes: Uint8Array, maxBytes: number): DiscoveryRecord {
  if (bytes.length > maxBytes) throw new OversizedAnnouncementError(bytes.length, maxBytes);
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new MalformedAnnouncementError('not JSON', { cause });
  }
  return validateRecord(o);
}

/** Validates a parsed record. @throws MalformedAnnouncementError */
export function validateRecord(o: unknown): DiscoveryRecord {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new MalformedAnnouncementError('not an object');
  const r = o as Record<string, unknown>;
  if (r.v !== RECORD_VERSION) throw new MalformedAnnouncementError(`unsupported version ${String(r.v)}`);
  const kind = r.kind;
  if (kind !== 'announce' && kind !== 'withdraw' && kind !== 'address' && kind !== 'unaddress') {
    throw new MalformedAnnouncementError(`unknown kind ${JSON.stringify(kind)}`);
  }
  const system = str(r, 'system', 128);
  const runtime = str(r, 'runtime', MAX_RUNTIME_ID_LENGTH);
  const seq = int(r, 'seq', 0, Number.MAX_SAFE_INTEGER);
  const ttlMs = int(r, 'ttlMs', 1, MAX_RECORD_TTL_MS);
  let chain: string | undefined;
  let sig: string | undefined;
  if (r.chain !== undefined || r.sig !== undefined) {
    chain = base64(r, 'chain', 200_000);
    sig = base64(r, 'sig', 128);
  }
  const auth = chain === undefined ? {} : { chain, sig };
  if (kind === 'announce' || kind === 'withdraw') {
    let path: Path;
    try {
      path = Path.parse(r.path);
    } catch (cause) {
      throw new MalformedAnnouncementError('bad path', { cause });
    }
    if (path === '') throw new MalformedAnnouncementError('the system agent is virtual and is never announced');
    const minDepth = int(r, 'minDepth', 1, Path.depth(path));
    return { v: RECORD_VERSION, kind, system, runtime, path, minDepth, seq, ttlMs, ...auth };
  }
  const address = str(r, 'address', MAX_ADDRESS_LENGTH, kind === 'unaddress');
  return { v: RECORD_VERSION, kind, system, runtime, address, seq, ttlMs, ...auth };
}

function str(r: Record<string, unknown>, field: string, max: number, allowEmpty = false): string {
  const v = r[field];
  if (typeof v !== 'string') throw new MalformedAnnouncementError(`${field} must be a string`);
  if ((!allowEmpty && v.length === 0) || v.length > max) throw new MalformedAnnouncementError(`${field} must have 1..${max} characters`);
  return v;
}

function int(r: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = r[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new MalformedAnnouncementError(`${field} must be an integer within ${min}..${max}`);
  }
  return v;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64(r: Record<string, unknown>, field: string, max: number): string {
  const v = str(r, field, max);
  if (!BASE64.test(v) || v.length % 4 !== 0) throw new MalformedAnnouncementError(`${field} must be base64`);
  return v;
}
