import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { InvalidMergeSpecError, canonicalJson, mergeSpecHashFromHex, sha256CanonicalJson } from '../src';

describe('merge-spec hash', () => {
  describe('canonicalJson', () => {
    it('should sort keys, drop whitespace and undefined properties', () => {
      expect(canonicalJson({ from: ['/a', '/b'], waitForMatching: 1, x: undefined })).to.equal('{"from":["/a","/b"],"waitForMatching":1}');
      expect(canonicalJson({ b: { d: 1, c: [true, null] }, a: 'é' })).to.equal('{"a":"é","b":{"c":[true,null],"d":1}}');
    });

    it('should refuse what JSON cannot say', () => {
      for (const bad of [NaN, Infinity, () => 1, 1n, new Date(0), [undefined], Symbol('s')]) {
        expect(() => canonicalJson(bad)).to.throw(InvalidMergeSpecError);
      }
    });
  });

  describe('sha256CanonicalJson', () => {
    it('should be SHA-256 of the UTF-8 canonical JSON, whatever the key order', () => {
      const expected = createHash('sha256').update('{"from":["/kv/1"],"waitForMatching":1}').digest('hex');
      expect(Buffer.from(sha256CanonicalJson({ waitForMatching: 1, from: ['/kv/1'] })).toString('hex')).to.equal(expected);
      expect(mergeSpecHashFromHex(expected)).to.deep.equal(sha256CanonicalJson({ from: ['/kv/1'], waitForMatching: 1 }));
    });
  });
});
