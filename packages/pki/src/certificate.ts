/**
 * Certificates (Escher §2.4, §3.3): bind a path to an Ed25519 public key,
 * carry the hash of the issuer's (the parent's) MergeSpec and the epoch of
 * the issuer's refinement, and are signed by the parent's key. The system
 * agent's certificate is self-signed.
 *
 * Canonical encoding, version 1 (big-endian, every field always present):
 *
 * | field | bytes |
 * |---|---|
 * | version = 1 | 1 |
 * | algorithm (1 = Ed25519) | 1 |
 * | path: u16 length, ASCII | 2 + ≤ 1024 |
 * | public key | 32 |
 * | parent MergeSpec hash | 32 |
 * | epoch: u64 (≤ 2^53 - 1) | 8 |
 * | issuer path: u16 length, ASCII | 2 + ≤ 1024 |
 * | signature over `escher/pki/v1/certificate\0` ‖ all the above | 64 |
 *
 * Decoding refuses anything else: truncated or trailing bytes, an unknown
 * version or algorithm, invalid paths, lengths over the limits (checked
 * before any allocation).
 */
import { InvalidPathError, MAX_PATH_LENGTH, Path } from '@escher/core';
import { ByteReader, ByteWriter, toHex } from './bytes';
import { Domains } from './domain';
import {
  ChainGapError,
  MalformedEncodingError,
  OversizedEncodingError,
  PathOutsideSubtreeError,
  SiblingIssuerError,
  UnknownAlgorithmError,
  UnsupportedVersionError,
} from './errors';
import { ED25519, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type SigningKey, checkPublicKey, fingerprint } from './keys';
import { MERGE_SPEC_HASH_BYTES, NO_MERGE_SPEC } from './merge-spec-hash';

/** Version of the certificate encoding. */
export const CERTIFICATE_VERSION = 1;

/** Largest valid encoding of a certificate. */
export const MAX_CERTIFICATE_BYTES =
  1 + 1 + 2 + MAX_PATH_LENGTH + PUBLIC_KEY_BYTES + MERGE_SPEC_HASH_BYTES + 8 + 2 + MAX_PATH_LENGTH + SIGNATURE_BYTES;

/** What a certificate says, before it is signed. */
export interface CertificateFields {
  /** The certified agent. */
  readonly path: Path;
  readonly publicKey: Uint8Array;
  /** Hash of the issuer's MergeSpec ({@link NO_MERGE_SPEC} when the issuer is the system agent). */
  readonly parentMergeSpecHash: Uint8Array;
  /** Epoch of the issuer's refinement this certificate belongs to. */
  readonly epoch: number;
  /** The parent of `path` (or `""` for the self-signed system agent). */
  readonly issuer: Path;
}

/** A decoded (or freshly issued) certificate. Its signature is checked by {@link TrustStore.verifyChain}, not here. */
export class Certificate implements CertificateFields {
  readonly version = CERTIFICATE_VERSION;
  readonly algorithm = ED25519;

  private constructor(
    readonly path: Path,
    readonly publicKey: Uint8Array,
    readonly parentMergeSpecHash: Uint8Array,
    readonly epoch: number,
    readonly issuer: Path,
    readonly signature: Uint8Array,
    /** The canonical encoding. */
    readonly bytes: Uint8Array,
  ) {}

  /** The bytes the signature covers (after the domain prefix): everything but the signature. */
  get signedBytes(): Uint8Array {
    return this.bytes.subarray(0, this.bytes.length - SIGNATURE_BYTES);
  }

  /** The system agent's self-signed certificate. */
  get isRoot(): boolean {
    return this.path === '' && this.issuer === '';
  }

  /** Fingerprint of the certified public key. */
  get fingerprint(): string {
    return fingerprint(this.publicKey);
  }

  /** Decodes a certificate. @throws a typed PkiError for every bad input */
  static decode(bytes: Uint8Array): Certificate {
    if (bytes.length > MAX_CERTIFICATE_BYTES) throw new OversizedEncodingError('certificate', bytes.length, MAX_CERTIFICATE_BYTES);
    const r = new ByteReader(bytes, 'certificate');
    const version = r.u8();
    if (version !== CERTIFICATE_VERSION) throw new UnsupportedVersionError('certificate', version);
    const algorithm = r.u8();
    if (algorithm !== ED25519) throw new UnknownAlgorithmError(algorithm);
    const path = readPath(r);
    const publicKey = r.raw(PUBLIC_KEY_BYTES).slice();
    const hash = r.raw(MERGE_SPEC_HASH_BYTES).slice();
    const epoch = r.u64();
    const issuer = readPath(r);
    const signature = r.raw(SIGNATURE_BYTES).slice();
    r.end();
    return new Certificate(path, publicKey, hash, epoch, issuer, signature, bytes.slice());
  }

  /** @internal Signs `fields` with `key` (the issuer's). */
  static sign(fields: CertificateFields, key: SigningKey): Certificate {
    const tbs = encodeFields(fields);
    const signature = key.sign(Domains.certificate, tbs);
    const bytes = new ByteWriter(tbs.length + SIGNATURE_BYTES).raw(tbs).raw(signature).finish();
    return new Certificate(
      fields.path,
      fields.publicKey.slice(),
      fields.parentMergeSpecHash.slice(),
      fields.epoch,
      fields.issuer,
      signature,
      bytes,
    );
  }

  /** A printable summary (no secret exists in a certificate, but keep printing to public fields). */
  toJSON(): Record<string, string | number> {
    return {
      path: this.path,
      issuer: this.issuer,
      algorithm: 'ed25519',
      epoch: this.epoch,
      publicKey: toHex(this.publicKey),
      fingerprint: this.fingerprint,
      parentMergeSpecHash: toHex(this.parentMergeSpecHash),
      signature: toHex(this.signature),
    };
  }
}

function readPath(r: ByteReader): Path {
  const s = r.string16(MAX_PATH_LENGTH);
  try {
    return Path.parse(s);
  } catch (cause) {
    if (cause instanceof InvalidPathError) throw new MalformedEncodingError('certificate', cause.message, { cause });
    throw cause;
  }
}

function encodeFields(f: CertificateFields): Uint8Array {
  return new ByteWriter(256)
    .u8(CERTIFICATE_VERSION)
    .u8(ED25519)
    .string16(f.path)
    .raw(f.publicKey)
    .raw(f.parentMergeSpecHash)
    .u64(f.epoch)
    .string16(f.issuer)
    .finish();
}

/**
 * Checks that `issuer` may certify `path`: it must be `path`'s parent.
 * @throws SiblingIssuerError, PathOutsideSubtreeError, ChainGapError
 */
export function checkIssuer(path: Path, issuer: Path): void {
  const parent = Path.parent(path);
  if (parent === issuer) return;
  if (parent === undefined) {
    // The system agent certifies itself and nobody else may.
    if (issuer !== '') throw new PathOutsideSubtreeError(path, issuer);
    return;
  }
  if (Path.isAncestorOf(issuer, path)) throw new ChainGapError(path, issuer, parent);
  if (Path.parent(issuer) === parent) throw new SiblingIssuerError(path, issuer);
  throw new PathOutsideSubtreeError(path, issuer);
}

function checkFields(f: CertificateFields): void {
  Path.parse(f.path);
  Path.parse(f.issuer);
  checkPublicKey(f.publicKey, f.path);
  if (f.parentMergeSpecHash.length !== MERGE_SPEC_HASH_BYTES) {
    throw new RangeError(`a merge-spec hash is ${MERGE_SPEC_HASH_BYTES} bytes, got ${f.parentMergeSpecHash.length}`);
  }
  if (!Number.isSafeInteger(f.epoch) || f.epoch < 0) throw new RangeError(`epoch ${f.epoch} is not a non-negative safe integer`);
  checkIssuer(f.path, f.issuer);
}

/** What an issuer is: a path and the key certified for it. */
export interface Issuer {
  readonly path: Path;
  readonly key: SigningKey;
}

/** What a parent puts in a child's certificate. */
export interface ChildCertificateRequest {
  /** The child: must be a child of the issuer's path. */
  readonly path: Path | string;
  readonly publicKey: Uint8Array;
  /** Hash of the issuer's MergeSpec for this refinement. */
  readonly parentMergeSpecHash: Uint8Array;
  /** Epoch of this refinement of the issuer. */
  readonly epoch: number;
}

/**
 * Certifies a child of `issuer`: the manager of a virtual agent acting as
 * the CA of its children (§2.4).
 * @throws SiblingIssuerError, PathOutsideSubtreeError or ChainGapError if the
 * path is not a child of the issuer; WeakPublicKeyError for a bad key
 */
export function issueCertificate(issuer: Issuer, request: ChildCertificateRequest): Certificate {
  const fields: CertificateFields = {
    path: Path.parse(request.path),
    publicKey: request.publicKey,
    parentMergeSpecHash: request.parentMergeSpecHash,
    epoch: request.epoch,
    issuer: issuer.path,
  };
  if (fields.path === '') throw new PathOutsideSubtreeError('', issuer.path);
  checkFields(fields);
  return Certificate.sign(fields, issuer.key);
}

/** The system agent's self-signed certificate: the root of trust. */
export function selfSignRoot(key: SigningKey, options: { epoch?: number } = {}): Certificate {
  const fields: CertificateFields = {
    path: Path.root,
    publicKey: key.publicKey,
    parentMergeSpecHash: NO_MERGE_SPEC,
    epoch: options.epoch ?? 0,
    issuer: Path.root,
  };
  checkFields(fields);
  return Certificate.sign(fields, key);
}
