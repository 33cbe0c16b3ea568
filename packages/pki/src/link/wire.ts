/**
 * What a {@link SecureNetwork} puts on the inner network. Every message
 * starts with the link version (1) and a kind:
 *
 * - HELLO (1): sender and receiver runtime ids, the sender's ephemeral
 *   X25519 key (crypto_kx), the protection it asks for, and the
 *   certificate chain of every identity it holds.
 * - PROOF (2): the transcript hash and, for each identity of the sender's
 *   HELLO in order, an Ed25519 signature over the transcript.
 * - DATA (3): session tag (8 bytes), sequence number (u64), then the sealed
 *   frame: ciphertext and tag (AEAD) or plaintext and MAC.
 */
import { ByteReader, ByteWriter } from '../bytes';
import { MAX_CHAIN_BYTES } from '../chain';
import { MalformedEncodingError, OversizedEncodingError } from '../errors';
import { SIGNATURE_BYTES } from '../keys';

/** Version of the link encoding. */
export const LINK_VERSION = 1;
export const KIND_HELLO = 1;
export const KIND_PROOF = 2;
export const KIND_DATA = 3;

/** How frames are protected after the handshake: `aead` (confidential and authentic) or `mac` (authentic, readable). */
export type Protection = 'mac' | 'aead';
const PROTECTION_CODE: Readonly<Record<Protection, number>> = { mac: 1, aead: 2 };

/** The stronger of two protections: what a session between the two uses. */
export function strongerProtection(a: Protection, b: Protection): Protection {
  return PROTECTION_CODE[a] >= PROTECTION_CODE[b] ? a : b;
}

/** Most identities one runtime presents in a handshake. */
export const MAX_IDENTITIES = 64;
/** Longest runtime id, in UTF-8 bytes. */
export const MAX_RUNTIME_ID_BYTES = 256;
/** Largest HELLO accepted (checked before decoding). */
export const MAX_HELLO_BYTES = 1 << 20;
/** Bytes of a DATA header: version, kind, session tag, sequence number. */
export const DATA_HEADER_BYTES = 2 + 8 + 8;
/** Bytes of a session tag. */
export const SESSION_TAG_BYTES = 8;
/** Bytes of an ephemeral X25519 public key. */
export const EPHEMERAL_KEY_BYTES = 32;
/** Bytes of a transcript hash. */
export const TRANSCRIPT_BYTES = 32;

/** A decoded HELLO. */
export interface Hello {
  readonly from: string;
  readonly to: string;
  readonly ephemeral: Uint8Array;
  readonly protection: Protection;
  /** Encoded certificate chains, one per identity. */
  readonly chains: readonly Uint8Array[];
}

export function encodeHello(h: Hello): Uint8Array {
  const w = new ByteWriter(512)
    .u8(LINK_VERSION)
    .u8(KIND_HELLO)
    .string16(h.from)
    .string16(h.to)
    .raw(h.ephemeral)
    .u8(PROTECTION_CODE[h.protection])
    .u8(h.chains.length);
  for (const c of h.chains) w.bytes32(c);
  return w.finish();
}

/** @throws a typed PkiError for every bad input */
export function decodeHello(bytes: Uint8Array): Hello {
  if (bytes.length > MAX_HELLO_BYTES) throw new OversizedEncodingError('handshake', bytes.length, MAX_HELLO_BYTES);
  const r = new ByteReader(bytes, 'handshake');
  r.u8();
  r.u8();
  const from = r.string16(MAX_RUNTIME_ID_BYTES);
  const to = r.string16(MAX_RUNTIME_ID_BYTES);
  const ephemeral = r.raw(EPHEMERAL_KEY_BYTES).slice();
  const code = r.u8();
  const protection = (Object.keys(PROTECTION_CODE) as Protection[]).find((p) => PROTECTION_CODE[p] === code);
  if (protection === undefined) throw new MalformedEncodingError('handshake', `unknown protection ${code}`);
  const n = r.u8();
  if (n === 0) throw new MalformedEncodingError('handshake', 'no identity');
  if (n > MAX_IDENTITIES) throw new OversizedEncodingError('handshake', n, MAX_IDENTITIES);
  const chains: Uint8Array[] = [];
  for (let i = 0; i < n; i++) chains.push(r.bytes32(MAX_CHAIN_BYTES).slice());
  r.end();
  return { from, to, ephemeral, protection, chains };
}

/** A decoded PROOF. */
export interface Proof {
  readonly transcript: Uint8Array;
  readonly signatures: readonly Uint8Array[];
}

export function encodeProof(p: Proof): Uint8Array {
  const w = new ByteWriter(40 + p.signatures.length * SIGNATURE_BYTES)
    .u8(LINK_VERSION)
    .u8(KIND_PROOF)
    .raw(p.transcript)
    .u8(p.signatures.length);
  for (const s of p.signatures) w.raw(s);
  return w.finish();
}

/** @throws a typed PkiError for every bad input */
export function decodeProof(bytes: Uint8Array): Proof {
  const limit = 2 + TRANSCRIPT_BYTES + 1 + MAX_IDENTITIES * SIGNATURE_BYTES;
  if (bytes.length > limit) throw new OversizedEncodingError('handshake', bytes.length, limit);
  const r = new ByteReader(bytes, 'handshake');
  r.u8();
  r.u8();
  const transcript = r.raw(TRANSCRIPT_BYTES).slice();
  const n = r.u8();
  if (n === 0) throw new MalformedEncodingError('handshake', 'no signature');
  if (n > MAX_IDENTITIES) throw new OversizedEncodingError('handshake', n, MAX_IDENTITIES);
  const signatures: Uint8Array[] = [];
  for (let i = 0; i < n; i++) signatures.push(r.raw(SIGNATURE_BYTES).slice());
  r.end();
  return { transcript, signatures };
}
