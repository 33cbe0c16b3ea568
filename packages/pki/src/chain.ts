/**
 * A certificate chain, root first: `""`, then each ancestor in turn, then
 * the certified agent. Encoding, version 1: version (1 byte), count (1
 * byte, 1..{@link MAX_CHAIN_LENGTH}), then each certificate preceded by its
 * length as u16. Verification is the trust store's job
 * ({@link TrustStore.verifyChain}).
 */
import type { Path } from '@escher/core';
import { ByteReader, ByteWriter } from './bytes';
import { Certificate, MAX_CERTIFICATE_BYTES } from './certificate';
import { MalformedEncodingError, OversizedEncodingError, UnsupportedVersionError } from './errors';

/** Version of the chain encoding. */
export const CHAIN_VERSION = 1;
/** Most certificates in a chain: the system agent plus 31 levels of refinement. */
export const MAX_CHAIN_LENGTH = 32;
/** Largest valid encoding of a chain. */
export const MAX_CHAIN_BYTES = 2 + MAX_CHAIN_LENGTH * (2 + MAX_CERTIFICATE_BYTES);

/** Certificates from the system agent's down to one agent's. */
export class CertificateChain {
  readonly certificates: readonly Certificate[];

  /** @throws MalformedEncodingError for an empty chain, OversizedEncodingError for a too long one */
  constructor(certificates: readonly Certificate[]) {
    if (certificates.length === 0) throw new MalformedEncodingError('chain', 'no certificate');
    if (certificates.length > MAX_CHAIN_LENGTH) throw new OversizedEncodingError('chain', certificates.length, MAX_CHAIN_LENGTH);
    this.certificates = Object.freeze([...certificates]);
  }

  /** The certified agent's certificate (the last one). */
  get leaf(): Certificate {
    return this.certificates[this.certificates.length - 1] as Certificate;
  }

  /** The system agent's certificate (the first one). */
  get root(): Certificate {
    return this.certificates[0] as Certificate;
  }

  /** The certified agent. */
  get path(): Path {
    return this.leaf.path;
  }

  /** This chain followed by a child's certificate. */
  extend(child: Certificate): CertificateChain {
    return new CertificateChain([...this.certificates, child]);
  }

  encode(): Uint8Array {
    const w = new ByteWriter(64 + this.certificates.length * 200).u8(CHAIN_VERSION).u8(this.certificates.length);
    for (const c of this.certificates) w.bytes16(c.bytes);
    return w.finish();
  }

  /** @throws a typed PkiError for every bad input */
  static decode(bytes: Uint8Array): CertificateChain {
    if (bytes.length > MAX_CHAIN_BYTES) throw new OversizedEncodingError('chain', bytes.length, MAX_CHAIN_BYTES);
    const r = new ByteReader(bytes, 'chain');
    const version = r.u8();
    if (version !== CHAIN_VERSION) throw new UnsupportedVersionError('chain', version);
    const count = r.u8();
    if (count === 0) throw new MalformedEncodingError('chain', 'no certificate');
    if (count > MAX_CHAIN_LENGTH) throw new OversizedEncodingError('chain', count, MAX_CHAIN_LENGTH);
    const certs: Certificate[] = [];
    for (let i = 0; i < count; i++) certs.push(Certificate.decode(r.bytes16(MAX_CERTIFICATE_BYTES)));
    r.end();
    return new CertificateChain(certs);
  }
}
