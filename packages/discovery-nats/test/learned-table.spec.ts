import { type DiscoveryChange, Path } from '@escher/core';
import { expect } from 'chai';
import { type AddressChange, DiscoveryTableFullError, LearnedTable, type PathRecord } from '../src';

function rec(over: Partial<PathRecord> = {}): PathRecord {
  return { v: 1, kind: 'announce', system: 's', runtime: 'r1', path: Path.parse('/kv/1'), minDepth: 1, seq: 10, ttlMs: 100, ...over };
}

describe('LearnedTable', () => {
  let changes: DiscoveryChange[];
  let addresses: AddressChange[];
  let verified: number;
  let table: LearnedTable;
  const verify = () => {
    verified++;
    return undefined;
  };

  beforeEach(() => {
    changes = [];
    addresses = [];
    verified = 0;
    table = new LearnedTable({ maxEntries: 3, maxTtlMs: 1000 }, (c) => changes.push(c), (c) => addresses.push(c));
  });

  describe('apply', () => {
    it('should take an announcement, verifying it once, and refresh it without verifying when heard again', () => {
      expect(table.apply(rec(), 0, verify)).to.equal('accepted');
      expect(table.apply(rec(), 50, verify)).to.equal('refreshed');
      expect(verified).to.equal(1);
      expect(changes).to.deep.equal([{ kind: 'announced', runtime: 'r1', path: '/kv/1', minDepth: 1 }]);
    });

    it('should ignore an older record for the same runtime and path (a replay)', () => {
      table.apply(rec({ seq: 10 }), 0, verify);
      table.apply(rec({ seq: 11, kind: 'withdraw' }), 0, verify);
      expect(table.apply(rec({ seq: 10 }), 0, verify)).to.equal('stale');
      const out = new Set<string>();
      table.resolveInto(Path.parse('/kv'), out);
      expect([...out]).to.deep.equal([]);
    });

    it('should not let a refused record change anything', () => {
      expect(() =>
        table.apply(rec(), 0, () => {
          throw new Error('refused');
        }),
      ).to.throw('refused');
      expect(table.size).to.equal(0);
      expect(changes).to.deep.equal([]);
    });

    it('should refuse new entries beyond maxEntries', () => {
      for (let i = 1; i <= 3; i++) table.apply(rec({ path: Path.parse(`/kv/${i}`) }), 0, verify);
      expect(() => table.apply(rec({ path: Path.parse('/kv/4') }), 0, verify)).to.throw(DiscoveryTableFullError);
      // Updating a held entry is still fine.
      expect(table.apply(rec({ path: Path.parse('/kv/1'), seq: 20, minDepth: 2 }), 0, verify)).to.equal('accepted');
    });

    it('should keep addresses apart from paths', () => {
      table.apply({ v: 1, kind: 'address', system: 's', runtime: 'r1', address: 'ws://127.0.0.1:1', seq: 1, ttlMs: 100 }, 0, verify);
      expect(table.addressOf('r1')).to.equal('ws://127.0.0.1:1');
      expect(table.size).to.equal(0);
      expect(addresses).to.deep.equal([{ kind: 'announced', runtime: 'r1', address: 'ws://127.0.0.1:1' }]);
    });
  });

  describe('expire', () => {
    it('should forget entries not heard of for their TTL, clamped to maxTtlMs, and say so', () => {
      table.apply(rec({ ttlMs: 100 }), 0, verify);
      table.apply(rec({ path: Path.parse('/kv/2'), ttlMs: 1_000_000 }), 0, verify);
      expect(table.expire(99)).to.equal(0);
      expect(table.expire(100)).to.equal(1);
      expect(table.expire(1000)).to.equal(1);
      expect(changes.filter((c) => c.kind === 'withdrawn').map((c) => c.path)).to.deep.equal(['/kv/1', '/kv/2']);
    });
  });

  describe('extendAll', () => {
    it('should give every entry a full TTL from now', () => {
      table.apply(rec({ ttlMs: 100 }), 0, verify);
      table.extendAll(500);
      expect(table.expire(599)).to.equal(0);
      expect(table.expire(600)).to.equal(1);
    });
  });

  describe('recheck', () => {
    it('should drop entries whose chain is no longer current', () => {
      const chain = { path: Path.parse('/kv') } as never;
      table.apply(rec(), 0, () => chain);
      expect(table.recheck(() => true)).to.equal(0);
      expect(table.recheck(() => false)).to.equal(1);
      expect(table.size).to.equal(0);
    });
  });
});
