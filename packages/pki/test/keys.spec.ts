import { inspect } from 'node:util';
import { expect } from 'chai';
import { Domains, SigningKey, defineSignatureDomain, libsodiumVersion, publicKeyProblem, verifySignature } from '../src';
import { exportSeed } from '../src/keys';
import { sodium } from '../src/sodium';
import { IDENTITY, add, addL, decode, encode, encodeNonCanonical, equal, recoverX, times, torsion8 } from './ed25519-math';
import { usePki } from './helpers';

describe('keys', () => {
  usePki();
  const msg = new TextEncoder().encode('hello');

  describe('SigningKey', () => {
    it('should not show its secret through inspect, JSON, String or enumeration', () => {
      const key = SigningKey.generate();
      const seedHex = Buffer.from(exportSeed(key)).toString('hex');
      const secretHex = seedHex.slice(0, 16);
      for (const shown of [inspect(key, { showHidden: true, depth: 10 }), JSON.stringify(key), String(key), JSON.stringify(Object.entries(key))]) {
        expect(shown).to.not.include(secretHex);
        expect(shown).to.not.include(Buffer.from(exportSeed(key)).toString('base64').slice(0, 12));
      }
      expect(inspect(key)).to.equal(`SigningKey(ed25519 ${key.fingerprint})`);
    });

    it('should derive the same key from the same seed', () => {
      const seed = new Uint8Array(32).fill(7);
      expect(SigningKey.fromSeed(seed).publicKey).to.deep.equal(SigningKey.fromSeed(seed).publicKey);
    });

    it('should refuse to sign once destroyed', () => {
      const key = SigningKey.generate();
      key.destroy();
      expect(() => key.sign(Domains.message, msg)).to.throw(/destroyed/);
    });
  });

  describe('verifySignature', () => {
    it('should run on libsodium 1.0.22 (the version the strictness claims below are checked against)', () => {
      expect(libsodiumVersion()).to.equal('1.0.22');
    });

    it('should accept a signature in its own domain only', () => {
      const key = SigningKey.generate();
      const sig = key.sign(Domains.message, msg);
      expect(verifySignature(key.publicKey, Domains.message, msg, sig)).to.equal(true);
      expect(verifySignature(key.publicKey, Domains.batch, msg, sig)).to.equal(false);
      expect(verifySignature(key.publicKey, Domains.certificate, msg, sig)).to.equal(false);
      expect(verifySignature(key.publicKey, defineSignatureDomain('message'), msg, sig)).to.equal(false);
    });

    it('should refuse a malleated signature (S + L, same point)', () => {
      const key = SigningKey.generate();
      const sig = key.sign(Domains.message, msg);
      const twin = new Uint8Array(sig);
      twin.set(addL(sig.subarray(32)), 32);
      expect(twin).to.not.deep.equal(sig);
      expect(verifySignature(key.publicKey, Domains.message, msg, twin)).to.equal(false);
    });

    it('should refuse a signature whose R has small order', () => {
      const key = SigningKey.generate();
      for (const r of [encode(IDENTITY), encode(torsion8()), new Uint8Array(32)]) {
        const sig = new Uint8Array(64);
        sig.set(r);
        expect(verifySignature(key.publicKey, Domains.message, msg, sig)).to.equal(false);
      }
    });

    it('should refuse a truncated or extended signature', () => {
      const key = SigningKey.generate();
      const sig = key.sign(Domains.message, msg);
      expect(verifySignature(key.publicKey, Domains.message, msg, sig.subarray(0, 63))).to.equal(false);
      expect(verifySignature(key.publicKey, Domains.message, msg, new Uint8Array([...sig, 0]))).to.equal(false);
    });
  });

  describe('publicKeyProblem', () => {
    it('should accept generated keys', () => {
      for (let i = 0; i < 5; i++) expect(publicKeyProblem(SigningKey.generate().publicKey)).to.equal(undefined);
    });

    it('should refuse small-order keys (libsodium refuses them in verification too)', () => {
      const t = torsion8();
      for (const p of [IDENTITY, t, times(t, 2n), times(t, 4n)]) {
        const pk = encode(p);
        expect(publicKeyProblem(pk)).to.be.a('string');
        // Even a "signature" that would satisfy the equation for a small-order key is refused.
        expect(verifySignature(pk, Domains.message, msg, new Uint8Array(64))).to.equal(false);
      }
    });

    it('should refuse a mixed-order key (prime-order point plus a point of order 8)', () => {
      const a = decode(SigningKey.generate().publicKey);
      expect(a).to.not.equal(undefined);
      const mixed = add(a as NonNullable<typeof a>, torsion8());
      const pk = encode(mixed);
      expect(decode(pk)).to.not.equal(undefined); // a valid curve point...
      expect(equal(times(mixed, 8n), IDENTITY)).to.equal(false); // ...not of small order...
      expect(publicKeyProblem(pk)).to.match(/mixed-order/); // ...but outside the prime-order subgroup
    });

    it('should refuse a non-canonical encoding (y + p)', () => {
      let y = 2n;
      while (recoverX(y, 0) === undefined) y++;
      expect(y < 19n).to.equal(true);
      const pk = encodeNonCanonical(y, 0);
      expect(publicKeyProblem(pk)).to.match(/non-canonical/);
      const key = SigningKey.generate();
      const sig = key.sign(Domains.message, msg);
      expect(sodium().crypto_sign_verify_detached(sig, msg, pk)).to.equal(false);
    });

    it('should refuse keys of the wrong length', () => {
      expect(publicKeyProblem(new Uint8Array(31))).to.match(/length/);
    });
  });
});
