import { expect } from 'chai';
import { Path } from '@escher/core';
import {
  BadSignatureError,
  Certificate,
  CertificateChain,
  ChainGapError,
  ChainLoopError,
  Identity,
  MAX_CHAIN_BYTES,
  NO_MERGE_SPEC,
  OversizedEncodingError,
  PathOutsideSubtreeError,
  SiblingIssuerError,
  SigningKey,
  StaleEpochError,
  TruncatedEncodingError,
  TrustStore,
  UnknownAlgorithmError,
  UntrustedRootError,
  createRoot,
} from '../src';
import { TestSystem, specHash, usePki } from './helpers';

/** Signs arbitrary fields with any key: how an attacker builds certificates. */
function forge(fields: { path: string; issuer: string; epoch?: number; publicKey?: Uint8Array }, key: SigningKey): Certificate {
  return Certificate.sign(
    {
      path: Path.parse(fields.path),
      issuer: Path.parse(fields.issuer),
      publicKey: fields.publicKey ?? SigningKey.generate().publicKey,
      parentMergeSpecHash: NO_MERGE_SPEC,
      epoch: fields.epoch ?? 1,
    },
    key,
  );
}

describe('TrustStore', () => {
  usePki();

  describe('verifyChain', () => {
    it('should verify a chain down to its leaf and report the certified merge-spec hashes', () => {
      const sys = new TestSystem();
      const kv = sys.certify(sys.root, 'kv', { hash: NO_MERGE_SPEC });
      const r1 = sys.certify(kv, '1', { hash: specHash() });
      const v = sys.trust.verifyChain(r1.chain.encode());
      expect(v.path).to.equal('/kv/1');
      expect(v.publicKey).to.deep.equal(r1.key.publicKey);
      expect(v.mergeSpecHashes.get(Path.parse('/kv'))).to.deep.equal(specHash());
      expect(v.mergeSpecHashes.get(Path.root)).to.deep.equal(NO_MERGE_SPEC);
      expect(v.links).to.deep.equal([{ issuer: '', epoch: 1 }, { issuer: '/kv', epoch: 1 }]);
    });

    it('should verify the root alone', () => {
      const sys = new TestSystem();
      expect(sys.trust.verifyChain(sys.root.chain).path).to.equal('');
    });

    it('should refuse a chain from another system agent', () => {
      const sys = new TestSystem();
      const other = new TestSystem();
      expect(() => sys.trust.verifyChain(other.path('/a').chain)).to.throw(UntrustedRootError);
      expect(sys.trust.rejections.get('ESCHER_PKI_UNTRUSTED_ROOT')).to.equal(1);
    });

    it('should refuse a chain that does not start at the system agent', () => {
      const sys = new TestSystem();
      const a = sys.path('/a/b');
      expect(() => sys.trust.verifyChain(new CertificateChain(a.chain.certificates.slice(1)))).to.throw(UntrustedRootError);
    });

    it('should refuse a chain that loops', () => {
      const sys = new TestSystem();
      const a = sys.path('/a');
      const looping = new CertificateChain([...a.chain.certificates, a.chain.leaf]);
      expect(() => sys.trust.verifyChain(looping)).to.throw(ChainLoopError);
      const rootTwice = new CertificateChain([sys.root.chain.leaf, sys.root.chain.leaf]);
      expect(() => sys.trust.verifyChain(rootTwice)).to.throw(ChainLoopError);
      expect(sys.trust.rejections.get('ESCHER_PKI_CHAIN_LOOP')).to.equal(2);
    });

    it('should refuse a chain that skips a level', () => {
      const sys = new TestSystem();
      const c = sys.path('/a/b/c');
      const [root, a, , leaf] = c.chain.certificates as Certificate[];
      expect(() => sys.trust.verifyChain(new CertificateChain([root as Certificate, a as Certificate, leaf as Certificate]))).to.throw(ChainGapError);
      // A certificate that itself claims a grandparent as issuer.
      const skip = forge({ path: '/a/x/y', issuer: '/a' }, sys.path('/a').key);
      expect(() => sys.trust.verifyChain(new CertificateChain([root as Certificate, a as Certificate, skip]))).to.throw(ChainGapError);
    });

    it('should refuse a child certificate signed by a sibling', () => {
      const sys = new TestSystem();
      const kv = sys.path('/kv');
      const r1 = sys.certify(kv, '1');
      const r2 = sys.certify(kv, '2');
      // /kv/2 certifies a key for /kv/1 in its own name...
      const byName = forge({ path: '/kv/1', issuer: '/kv/2' }, r2.key);
      expect(() => sys.trust.verifyChain(r2.chain.extend(byName))).to.throw(SiblingIssuerError);
      // ...or pretends to be the parent: the parent's key does not verify it.
      const asParent = forge({ path: '/kv/1', issuer: '/kv' }, r2.key);
      expect(() => sys.trust.verifyChain(kv.chain.extend(asParent))).to.throw(BadSignatureError);
      expect(sys.trust.verifyChain(r1.chain).path).to.equal('/kv/1');
    });

    it('should refuse a path outside the issuer subtree', () => {
      const sys = new TestSystem();
      const a = sys.path('/a');
      const outside = forge({ path: '/b/x', issuer: '/a' }, a.key);
      expect(() => sys.trust.verifyChain(a.chain.extend(outside))).to.throw(PathOutsideSubtreeError);
    });

    it('should refuse a tampered certificate', () => {
      const sys = new TestSystem();
      const a = sys.path('/a/b');
      const bytes = new Uint8Array(a.chain.leaf.bytes);
      bytes[bytes.length - 70] = (bytes[bytes.length - 70] as number) ^ 1; // inside the epoch field
      const tampered = a.chain.certificates.slice(0, -1).concat([Certificate.decode(bytes)]);
      expect(() => sys.trust.verifyChain(new CertificateChain(tampered))).to.throw(BadSignatureError);
    });

    it('should count malformed encodings and accept nothing from them', () => {
      const sys = new TestSystem();
      const bytes = sys.path('/a/b').chain.encode();
      expect(() => sys.trust.verifyChain(bytes.subarray(0, bytes.length - 1))).to.throw(TruncatedEncodingError);
      const alg = new Uint8Array(bytes);
      alg[2 + 2 + 1] = 7; // the algorithm byte of the first certificate
      expect(() => sys.trust.verifyChain(alg)).to.throw(UnknownAlgorithmError);
      expect(() => sys.trust.verifyChain(new Uint8Array(MAX_CHAIN_BYTES + 1))).to.throw(OversizedEncodingError);
      expect(sys.trust.rejections.snapshot()).to.deep.equal({
        ESCHER_PKI_TRUNCATED: 1,
        ESCHER_PKI_UNKNOWN_ALGORITHM: 1,
        ESCHER_PKI_OVERSIZED: 1,
      });
      expect(sys.trust.minimumEpoch('/a')).to.equal(0);
    });

    it('should refuse a root whose self-signature is bad', () => {
      const key = SigningKey.generate();
      const bad = forge({ path: '', issuer: '', publicKey: key.publicKey }, SigningKey.generate());
      expect(() => new TrustStore({ roots: [bad] })).to.throw(BadSignatureError);
    });
  });

  describe('epochs', () => {
    it('should refuse certificates of an older epoch once the issuer advanced', () => {
      const sys = new TestSystem();
      const kv = sys.path('/kv');
      const old = sys.certify(kv, '1', { epoch: 1 });
      const trust = new TrustStore({ roots: [sys.root.chain.leaf], ratchet: false });
      const v = trust.verifyChain(old.chain);
      trust.advanceEpoch('/kv', 2);
      expect(trust.isCurrent(v)).to.equal(false);
      expect(() => trust.verifyChain(old.chain)).to.throw(StaleEpochError);
      const fresh = sys.certify(kv, '1', { epoch: 2 });
      expect(trust.verifyChain(fresh.chain).epoch).to.equal(2);
    });

    it('should ratchet: a valid certificate of a newer epoch retires the older ones', () => {
      const sys = new TestSystem();
      const kv = sys.path('/kv');
      const old = sys.certify(kv, '1', { epoch: 1 });
      sys.trust.verifyChain(old.chain);
      sys.trust.verifyChain(sys.certify(kv, '4', { epoch: 2 }).chain);
      expect(sys.trust.minimumEpoch('/kv')).to.equal(2);
      expect(() => sys.trust.verifyChain(old.chain)).to.throw(StaleEpochError);
      expect(sys.trust.rejections.get('ESCHER_PKI_STALE_EPOCH')).to.equal(1);
    });

    it('should keep epochs per issuer', () => {
      const sys = new TestSystem();
      sys.trust.advanceEpoch('/a', 5);
      expect(sys.trust.verifyChain(sys.path('/b/c', { epoch: 1 }).chain).path).to.equal('/b/c');
    });
  });

  describe('roots', () => {
    it('should accept several system agents', () => {
      const a = createRoot();
      const b = createRoot();
      const trust = new TrustStore({ roots: [a.chain.leaf, b.chain.leaf] });
      expect(trust.trustedRoots).to.have.length(2);
      expect(() => new Identity(a.key, b.chain)).to.throw(/not the one certified/);
    });
  });
});
