import { expect } from 'chai';
import { MAX_PATH_LENGTH, Path } from '@escher/core';
import {
  CERTIFICATE_VERSION,
  Certificate,
  CertificateChain,
  ChainGapError,
  MAX_CERTIFICATE_BYTES,
  MalformedEncodingError,
  NO_MERGE_SPEC,
  NonCanonicalEncodingError,
  OversizedEncodingError,
  PathOutsideSubtreeError,
  SiblingIssuerError,
  SigningKey,
  TruncatedEncodingError,
  UnknownAlgorithmError,
  UnsupportedVersionError,
  WeakPublicKeyError,
  issueCertificate,
  selfSignRoot,
} from '../src';
import { ByteWriter } from '../src/bytes';
import { IDENTITY, encode } from './ed25519-math';
import { TestSystem, specHash, usePki } from './helpers';

describe('Certificate', () => {
  usePki();

  describe('encoding', () => {
    it('should decode to the same fields and re-encode to the same bytes', () => {
      const sys = new TestSystem();
      const kv = sys.certify(sys.root, 'kv', { epoch: 7 });
      const c = kv.chain.leaf;
      const d = Certificate.decode(c.bytes);
      expect(d.path).to.equal('/kv');
      expect(d.issuer).to.equal('');
      expect(d.epoch).to.equal(7);
      expect(d.publicKey).to.deep.equal(kv.key.publicKey);
      expect(d.parentMergeSpecHash).to.deep.equal(specHash());
      expect(d.bytes).to.deep.equal(c.bytes);
      expect(d.bytes[0]).to.equal(CERTIFICATE_VERSION);
      expect(d.bytes[1]).to.equal(1);
    });

    it('should lay out version, algorithm, path, key, hash, epoch, issuer, signature', () => {
      const key = SigningKey.generate();
      const root = selfSignRoot(key);
      const expected = new ByteWriter()
        .u8(1)
        .u8(1)
        .u16(0)
        .raw(key.publicKey)
        .raw(NO_MERGE_SPEC)
        .u64(0)
        .u16(0)
        .raw(root.signature)
        .finish();
      expect(root.bytes).to.deep.equal(expected);
    });

    it('should refuse every truncation with a typed error', () => {
      const c = new TestSystem().path('/a/b').chain.leaf;
      for (let n = 0; n < c.bytes.length; n++) {
        expect(() => Certificate.decode(c.bytes.subarray(0, n)), `length ${n}`).to.throw(TruncatedEncodingError);
      }
    });

    it('should refuse trailing bytes', () => {
      const c = new TestSystem().path('/a').chain.leaf;
      expect(() => Certificate.decode(new Uint8Array([...c.bytes, 0]))).to.throw(NonCanonicalEncodingError);
    });

    it('should refuse an oversized certificate before reading it', () => {
      expect(() => Certificate.decode(new Uint8Array(MAX_CERTIFICATE_BYTES + 1))).to.throw(OversizedEncodingError);
    });

    it('should refuse a declared path length over the limit', () => {
      const bytes = new ByteWriter().u8(1).u8(1).u16(MAX_PATH_LENGTH + 1).finish();
      expect(() => Certificate.decode(bytes)).to.throw(OversizedEncodingError);
    });

    it('should refuse an unknown version and an unknown algorithm', () => {
      const c = new TestSystem().path('/a').chain.leaf;
      const v2 = new Uint8Array(c.bytes);
      v2[0] = 2;
      expect(() => Certificate.decode(v2)).to.throw(UnsupportedVersionError);
      const alg = new Uint8Array(c.bytes);
      alg[1] = 2;
      expect(() => Certificate.decode(alg)).to.throw(UnknownAlgorithmError).with.property('code', 'ESCHER_PKI_UNKNOWN_ALGORITHM');
    });

    it('should refuse invalid paths, invalid UTF-8 and a byte-order mark', () => {
      const key = SigningKey.generate();
      const withPath = (path: Uint8Array) =>
        new ByteWriter().u8(1).u8(1).bytes16(path).raw(key.publicKey).raw(NO_MERGE_SPEC).u64(0).u16(0).raw(new Uint8Array(64)).finish();
      const enc = new TextEncoder();
      expect(() => Certificate.decode(withPath(enc.encode('kv')))).to.throw(MalformedEncodingError);
      expect(() => Certificate.decode(withPath(enc.encode('/a//b')))).to.throw(MalformedEncodingError);
      expect(() => Certificate.decode(withPath(new Uint8Array([0x2f, 0xff])))).to.throw(MalformedEncodingError);
      expect(() => Certificate.decode(withPath(new Uint8Array([0xef, 0xbb, 0xbf, 0x2f, 0x61])))).to.throw(MalformedEncodingError);
    });

    it('should refuse an epoch above 2^53 - 1', () => {
      const c = new TestSystem().path('/a').chain.leaf;
      const bytes = new Uint8Array(c.bytes);
      const epochAt = 1 + 1 + 2 + 2 + 32 + 32;
      bytes.fill(0xff, epochAt, epochAt + 8);
      expect(() => Certificate.decode(bytes)).to.throw(MalformedEncodingError, /2\^53/);
    });
  });

  describe('issueCertificate', () => {
    it('should certify a child of the issuer', () => {
      const sys = new TestSystem();
      const c = issueCertificate(sys.root, { path: '/x', publicKey: SigningKey.generate().publicKey, parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
      expect(c.issuer).to.equal('');
    });

    it('should refuse a path that is not a child of the issuer', () => {
      const sys = new TestSystem();
      const a = sys.path('/a');
      const req = (path: string) => ({ path, publicKey: SigningKey.generate().publicKey, parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
      expect(() => issueCertificate(a, req('/b'))).to.throw(SiblingIssuerError);
      expect(() => issueCertificate(a, req('/a/x/y'))).to.throw(ChainGapError);
      expect(() => issueCertificate(a, req('/c/d'))).to.throw(PathOutsideSubtreeError);
      expect(() => issueCertificate(a, req(''))).to.throw(PathOutsideSubtreeError);
    });

    it('should refuse to certify a small-order key', () => {
      const sys = new TestSystem();
      expect(() =>
        issueCertificate(sys.root, { path: '/x', publicKey: encode(IDENTITY), parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 }),
      ).to.throw(WeakPublicKeyError);
    });
  });
});

describe('CertificateChain', () => {
  usePki();

  it('should round-trip root first', () => {
    const id = new TestSystem().path('/a/b/c');
    const d = CertificateChain.decode(id.chain.encode());
    expect(d.certificates.map((c) => c.path)).to.deep.equal(['', '/a', '/a/b', '/a/b/c']);
    expect(d.encode()).to.deep.equal(id.chain.encode());
    expect(d.path).to.equal(Path.parse('/a/b/c'));
  });

  it('should refuse truncated, empty, too long, unknown-version and trailing-byte chains', () => {
    const bytes = new TestSystem().path('/a/b').chain.encode();
    for (let n = 0; n < bytes.length; n++) expect(() => CertificateChain.decode(bytes.subarray(0, n))).to.throw(TruncatedEncodingError);
    expect(() => CertificateChain.decode(new Uint8Array([1, 0]))).to.throw(MalformedEncodingError);
    expect(() => CertificateChain.decode(new Uint8Array([1, 33]))).to.throw(OversizedEncodingError);
    expect(() => CertificateChain.decode(new Uint8Array([9, 1]))).to.throw(UnsupportedVersionError);
    expect(() => CertificateChain.decode(new Uint8Array([...bytes, 1]))).to.throw(NonCanonicalEncodingError);
  });
});
