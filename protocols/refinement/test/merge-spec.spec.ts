import { expect } from 'chai';
import { CompiledMergeSpec, InvalidMergeSpecError, UnknownMergeKindError, canonicalJson, parseMergeSpec } from '../src';

describe('MergeSpec', () => {
  describe('parseMergeSpec', () => {
    it('should sort and deduplicate from, so equal specs encode equally', () => {
      const a = CompiledMergeSpec.from({ waitForMatching: 2, from: ['/kv/3', '/kv/1', '/kv/2', '/kv/1'] });
      const b = CompiledMergeSpec.from({ from: ['/kv/1', '/kv/2', '/kv/3'], waitForMatching: 2 });
      expect(a.canonical).to.equal('{"from":["/kv/1","/kv/2","/kv/3"],"waitForMatching":2}');
      expect(a.hash).to.equal(b.hash).and.match(/^[0-9a-f]{64}$/);
      expect(a.parent).to.equal('/kv');
    });

    it('should give different hashes to different specs', () => {
      const crash = CompiledMergeSpec.from({ waitForMatching: 1, from: ['/kv/1', '/kv/2', '/kv/3'] });
      const byz = CompiledMergeSpec.from({ waitForMatching: 2, from: ['/kv/1', '/kv/2', '/kv/3'] });
      expect(crash.hash).not.to.equal(byz.hash);
    });

    it('should refuse unknown merge kinds with a typed error', () => {
      expect(() => parseMergeSpec({ waitForMatching: 1, from: ['/a/1'], run: 'rm -rf /' })).to.throw(UnknownMergeKindError, /"run"/);
    });

    it('should refuse malformed specs', () => {
      const bad: unknown[] = [
        null,
        [],
        'not json',
        { waitForMatching: 0, from: ['/a/1'] },
        { waitForMatching: 1.5, from: ['/a/1'] },
        { waitForMatching: 1, from: [] },
        { waitForMatching: 1, from: ['nope'] },
        { waitForMatching: 1, from: ['/a/1', '/b/1'] },
        { waitForMatching: 3, from: ['/a/1', '/a/2'] },
        { waitForMatching: 1 },
      ];
      for (const b of bad) expect(() => parseMergeSpec(b), JSON.stringify(b)).to.throw(InvalidMergeSpecError);
    });

    it('should accept its own canonical JSON back', () => {
      const a = CompiledMergeSpec.from({ waitForMatching: 1, from: ['/x/b', '/x/a'] });
      expect(CompiledMergeSpec.from(a.canonical).hash).to.equal(a.hash);
      expect(a.admits('/x/a' as never)).to.equal(true);
      expect(a.admits('/x/c' as never)).to.equal(false);
    });
  });

  describe('canonicalJson', () => {
    it('should not depend on key order', () => {
      expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: 2 } })).to.equal(canonicalJson({ c: { y: 2, z: 1 }, a: [true, null, 'x'], b: 1 }));
    });

    it('should refuse values with no canonical form', () => {
      for (const v of [Number.NaN, Number.POSITIVE_INFINITY, 1n, () => 1, [undefined], new Map()]) {
        expect(() => canonicalJson(v)).to.throw(TypeError);
      }
    });

    it('should refuse nesting deep enough to exhaust the stack', () => {
      let v: unknown = 1;
      for (let i = 0; i < 100; i++) v = [v];
      expect(() => canonicalJson(v)).to.throw(TypeError, /deeply/);
    });
  });
});
