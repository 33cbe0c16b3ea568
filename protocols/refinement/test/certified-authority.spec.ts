import { expect } from 'chai';
import { type EscherError, Path } from '@escher/core';
import { initPki } from '@escher/pki';
import {
  CertifiedMergeAuthority,
  CompiledMergeSpec,
  type MuTag,
  RefinedAwayError,
  StaleEpochError,
  TagMismatchError,
  UncertifiedSourceError,
  UnrefinedAncestorError,
} from '../src';
import { SecureWorld } from './secure-world';

const p = (s: string) => Path.parse(s);

/** A system with /kv refined into three children, certified at epoch 1, and an authority that knows them. */
function certified() {
  const world = SecureWorld.create(1);
  const spec = SecureWorld.spec('/kv', ['1', '2', '3'], 2);
  const kv = world.certify(world.root, '/kv');
  const children = ['1', '2', '3'].map((n) => world.certify(kv, `/kv/${n}`, { hash: spec.hash }));
  const authority = new CertifiedMergeAuthority(world.trust());
  const tag: MuTag = { parent: p('/kv'), epoch: 1, hash: spec.hash, spec: spec.spec };
  return { world, spec, kv, children, authority, tag };
}

function codeOf(r: CompiledMergeSpec | EscherError | undefined): string {
  return r instanceof CompiledMergeSpec ? 'ok' : (r?.code ?? 'none');
}

describe('CertifiedMergeAuthority', () => {
  before(async () => {
    await initPki();
  });

  describe('addLocal / muList', () => {
    it('should build the μ-list of a local agent from its chain, nearest ancestor first', () => {
      const { world, spec, kv, authority } = certified();
      const inner = SecureWorld.spec('/kv/1', ['a', 'b'], 1);
      const one = world.certify(kv, '/kv/1', { hash: spec.hash });
      const leaf = world.certify(one, '/kv/1/a', { hash: inner.hash });
      const list = authority.addLocal(leaf.chain, { '/kv': spec.spec, '/kv/1': inner.spec });
      expect(list.map((t) => [t.parent, t.epoch, t.hash])).to.deep.equal([
        ['/kv/1', 1, inner.hash],
        ['/kv', 1, spec.hash],
      ]);
      expect(authority.muList(p('/kv/1/a'))).to.equal(list);
      expect(codeOf(authority.muList(p('/elsewhere')) as EscherError)).to.equal(new UncertifiedSourceError('', '').code);
    });

    it('should refuse a spec that is not the certified one, and a missing one', () => {
      const { children, authority } = certified();
      const weak = CompiledMergeSpec.from({ waitForMatching: 1, from: ['/kv/1', '/kv/2', '/kv/3'] });
      expect(() => authority.addLocal(children[0]!.chain, { '/kv': weak.spec })).to.throw(TagMismatchError);
      expect(() => authority.addLocal(children[0]!.chain, {})).to.throw(UnrefinedAncestorError);
    });
  });

  describe('resolve', () => {
    it('should accept the certified tag of a certified child, whether the spec object is shared or came over the wire', () => {
      const { children, authority, tag, spec } = certified();
      expect(authority.learn(children[1]!.chain)).to.equal(true);
      const r = authority.resolve(tag, p('/kv/2'));
      expect(r).to.be.instanceOf(CompiledMergeSpec);
      expect((r as CompiledMergeSpec).hash).to.equal(spec.hash);
      const wire = JSON.parse(JSON.stringify(tag)) as unknown;
      expect(codeOf(authority.resolve(wire, p('/kv/2')))).to.equal('ok');
    });

    it('should refuse μ_F, a spec that does not hash to the certified hash, a foreign parent, malformed tags and uncertified sources', () => {
      const { children, authority, tag } = certified();
      authority.learn(children[0]!.chain);
      const weak = CompiledMergeSpec.from({ waitForMatching: 1, from: tag.spec.from });
      const mismatch = new TagMismatchError('', '', '').code;
      expect(codeOf(authority.resolve({ ...tag, hash: weak.hash, spec: weak.spec }, p('/kv/1')))).to.equal(mismatch);
      expect(codeOf(authority.resolve({ ...tag, spec: weak.spec }, p('/kv/1')))).to.equal(mismatch);
      expect(codeOf(authority.resolve({ ...tag, parent: '/other' }, p('/kv/1')))).to.equal(mismatch);
      expect(codeOf(authority.resolve(null, p('/kv/1')))).to.equal(mismatch);
      expect(codeOf(authority.resolve('tag', p('/kv/1')))).to.equal(mismatch);
      expect(codeOf(authority.resolve({ ...tag, spec: { waitForMatching: 'x' } }, p('/kv/1')))).to.not.equal('ok');
      // /kv/3 never proved a certificate to this runtime.
      expect(codeOf(authority.resolve(tag, p('/kv/3')))).to.equal(new UncertifiedSourceError('', '').code);
      expect(codeOf(authority.resolve({ ...tag, epoch: 7 }, p('/kv/1')))).to.equal(new UncertifiedSourceError('', '').code);
    });

    it('should refuse a child certified by another parent that claims this parent in its tag', () => {
      const { world, authority, tag } = certified();
      const x = world.certify(world.root, '/x');
      const other = world.certify(x, '/x/1', { hash: tag.hash });
      authority.learn(other.chain);
      // Same hash, same spec, but /x/1's parent is /x: the tag names /kv.
      expect(codeOf(authority.resolve(tag, p('/x/1')))).to.equal(new TagMismatchError('', '', '').code);
    });

    it('should retire an epoch once the parent certifies a newer one, and report children left out as refined away', () => {
      const { world, kv, children, authority, tag } = certified();
      for (const c of children) authority.learn(c.chain);
      const before = authority.version;
      const spec2 = SecureWorld.spec('/kv', ['1', '2'], 2);
      const again = world.certify(kv, '/kv/1', { hash: spec2.hash, epoch: 2 });
      expect(authority.learn(again.chain)).to.equal(true);
      expect(authority.version).to.not.equal(before);
      expect(codeOf(authority.resolve(tag, p('/kv/1')))).to.equal(new StaleEpochError('', 0, 0).code);
      expect(codeOf(authority.resolve({ parent: '/kv', epoch: 2, hash: spec2.hash, spec: spec2.spec }, p('/kv/1')))).to.equal('ok');
      expect(authority.refinedAway(p('/kv/3'))).to.be.instanceOf(RefinedAwayError);
      expect(authority.refinedAway(p('/kv/1'))).to.equal(undefined);
      expect(authority.learn(children[2]!.chain)).to.equal(false);
      expect(authority.rejections.get('ESCHER_PKI_STALE_EPOCH')).to.equal(1);
    });

    it('should not learn chains of another system agent', () => {
      const { authority } = certified();
      const rogue = SecureWorld.create(2);
      const fake = rogue.certify(rogue.certify(rogue.root, '/kv'), '/kv/1', { hash: certified().spec.hash });
      expect(authority.learn(fake.chain)).to.equal(false);
      expect(authority.rejections.get('ESCHER_PKI_UNTRUSTED_ROOT')).to.equal(1);
      expect(codeOf(authority.resolve(certified().tag, p('/kv/1')))).to.equal(new UncertifiedSourceError('', '').code);
    });
  });
});
