import { expect } from 'chai';
import { Path } from '@escher/core';
import {
  CompiledMergeSpec,
  Hierarchy,
  HierarchyError,
  RefinedAwayError,
  StaleEpochError,
  TagMismatchError,
  UnknownMergeKindError,
  UnrefinedAncestorError,
} from '../src';

const P = (s: string) => Path.parse(s);

describe('Hierarchy', () => {
  let now = 0;
  let h: Hierarchy;
  beforeEach(() => {
    now = 0;
    h = new Hierarchy({ now: () => now, graceMs: 100 });
  });

  describe('refine', () => {
    it('should record children, merge spec, epoch and minimum depths', () => {
      const r = h.refine('/kv', { children: ['1', '2', '/kv/3'], merge: { waitForMatching: 2 }, minDepth: { '2': 2 } });
      expect(r.epoch).to.equal(1);
      expect(r.children).to.deep.equal(['/kv/1', '/kv/2', '/kv/3']);
      expect(r.merge.spec).to.deep.equal({ waitForMatching: 2, from: ['/kv/1', '/kv/2', '/kv/3'] });
      expect(r.minDepth.get(P('/kv/2'))).to.equal(2);
      expect(r.minDepth.get(P('/kv/1'))).to.equal(1);
      expect(h.isVirtual('/kv')).to.equal(true);
    });

    it('should refuse refining twice, refining a physical agent, orphans and strangers', () => {
      h.refine('/kv', { children: ['1'] });
      expect(() => h.refine('/kv', { children: ['1'] })).to.throw(HierarchyError, /already refined/);
      h.addPhysical('/app');
      expect(() => h.refine('/app', { children: ['1'] })).to.throw(HierarchyError, /physical/);
      expect(() => h.refine('/x/y', { children: ['1'] })).to.throw(HierarchyError, /not refined/);
      expect(() => h.addPhysical('/kv/9')).to.throw(HierarchyError, /not a child/);
      expect(() => h.addPhysical('/kv')).to.throw(HierarchyError, /virtual/);
      expect(() => h.refine('/z', { children: ['/y/1'] })).to.throw(HierarchyError, /not a child/);
      expect(() => h.refine('/z', { children: ['1'], minDepth: 5 })).to.throw(HierarchyError, /minimum depth/);
      expect(() => h.refine('/z', { children: ['1'], merge: { waitForMatching: 1, from: ['2'] } })).to.throw(HierarchyError, /not a child/);
    });

    it('should list and describe the tree', () => {
      h.refine('/kv', { children: ['s1', 's2'], wrapper: 'sharding' });
      h.refine('/kv/s1', { children: ['1', '2', '3'], wrapper: 'replication' });
      h.addPhysical('/kv/s1/1', 1, 'node-a');
      h.addPhysical('/app');
      const list = h.list();
      expect(list.map((e) => `${e.path}:${e.kind}`)).to.deep.equal(['/app:physical', '/kv:virtual', '/kv/s1:virtual', '/kv/s1/1:physical']);
      expect(h.describe()).to.contain('/kv/s1 (virtual, epoch 1 replication)').and.contain('/kv/s1/1 (physical, minDepth 1 on node-a)');
    });
  });

  describe('muList', () => {
    it('should give the nearest ancestor first', () => {
      h.refine('/a', { children: ['1', '2'] });
      h.refine('/a/1', { children: ['1', '2'] });
      const list = h.muList(P('/a/1/1'));
      expect(Array.isArray(list)).to.equal(true);
      expect((list as readonly { parent: string }[]).map((t) => t.parent)).to.deep.equal(['/a/1', '/a']);
    });

    it('should refuse an agent whose ancestor is not refined', () => {
      expect(h.muList(P('/a/1'))).to.be.instanceOf(UnrefinedAncestorError);
    });
  });

  describe('resolve', () => {
    it('should accept the current tag and refuse a tag naming another parent', () => {
      const r = h.refine('/kv', { children: ['1', '2'] });
      expect(h.resolve(r.tag, P('/kv/1'))).to.equal(r.merge);
      expect(h.resolve(r.tag, P('/other/1'))).to.be.instanceOf(TagMismatchError);
      expect(h.resolve(null, P('/kv/1'))).to.be.instanceOf(TagMismatchError);
    });

    it('should refuse a tag whose hash is not the registered spec (a weaker μ_F)', () => {
      const r = h.refine('/kv', { children: ['1', '2', '3', '4'], merge: { waitForMatching: 2 } });
      const weak = CompiledMergeSpec.from({ waitForMatching: 1, from: r.merge.spec.from });
      expect(h.resolve({ ...r.tag, hash: weak.hash, spec: weak.spec }, P('/kv/1'))).to.be.instanceOf(TagMismatchError);
      expect(h.resolve({ ...r.tag, spec: weak.spec }, P('/kv/1'))).to.be.instanceOf(TagMismatchError);
    });

    it('should check a spec that arrived over the wire, refusing unknown kinds', () => {
      const r = h.refine('/kv', { children: ['1', '2'] });
      const wire = JSON.parse(JSON.stringify(r.tag)) as object;
      expect(h.resolve(wire, P('/kv/1'))).to.be.instanceOf(CompiledMergeSpec);
      const evil = { ...wire, spec: { ...r.merge.spec, exec: 'x' } };
      expect(h.resolve(evil, P('/kv/1'))).to.be.instanceOf(UnknownMergeKindError);
    });

    it('should accept the previous epoch during the grace period only', () => {
      const r1 = h.refine('/kv', { children: ['1', '2'] });
      now = 10;
      const { record: r2, removed } = h.change('/kv', { children: ['2', '3'] });
      expect(r2.epoch).to.equal(2);
      expect(removed).to.deep.equal(['/kv/1']);
      expect(h.resolve(r1.tag, P('/kv/1'))).to.equal(r1.merge);
      expect(h.resolve(r2.tag, P('/kv/3'))).to.equal(r2.merge);
      now = 200;
      expect(h.resolve(r1.tag, P('/kv/1'))).to.be.instanceOf(StaleEpochError);
      expect(h.refinedAway(P('/kv/1'))).to.be.instanceOf(RefinedAwayError);
      expect(h.refinedAway(P('/kv/2'))).to.equal(undefined);
    });
  });
});
