import { Path } from '@escher/core';
import { expect } from 'chai';
import { MalformedAnnouncementError, OversizedAnnouncementError, type PathRecord, encodeRecord, parseRecord, recordSubject, signedBytes } from '../src';

const base: PathRecord = { v: 1, kind: 'announce', system: 'demo', runtime: 'r1', path: Path.parse('/kv/1'), minDepth: 1, seq: 7, ttlMs: 4000 };

function bytes(o: unknown): Uint8Array {
  return Buffer.from(typeof o === 'string' ? o : JSON.stringify(o), 'utf8');
}

describe('record', () => {
  describe('parseRecord', () => {
    it('should read back what encodeRecord wrote', () => {
      expect(parseRecord(bytes(encodeRecord(base)), 4096)).to.deep.equal(base);
      const addr = { v: 1, kind: 'address', system: 'demo', runtime: 'r1', address: 'ws://127.0.0.1:7001', seq: 1, ttlMs: 10 } as const;
      expect(parseRecord(bytes(encodeRecord(addr)), 4096)).to.deep.equal(addr);
    });

    it('should refuse an oversized record before parsing it', () => {
      expect(() => parseRecord(new Uint8Array(5000), 4096)).to.throw(OversizedAnnouncementError);
    });

    it('should refuse malformed records with MalformedAnnouncementError', () => {
      const bad: unknown[] = [
        'not json',
        '[]',
        'null',
        { ...base, v: 2 },
        { ...base, kind: 'other' },
        { ...base, path: 'kv' },
        { ...base, path: '' },
        { ...base, path: '/kv/../x' },
        { ...base, minDepth: 0 },
        { ...base, minDepth: 3 },
        { ...base, minDepth: 1.5 },
        { ...base, seq: -1 },
        { ...base, seq: '7' },
        { ...base, ttlMs: 0 },
        { ...base, runtime: '' },
        { ...base, runtime: 'x'.repeat(300) },
        { ...base, system: 5 },
        { ...base, chain: 'AAAA' },
        { ...base, chain: 'not base64!', sig: 'AAAA' },
        { v: 1, kind: 'address', system: 'demo', runtime: 'r1', address: '', seq: 1, ttlMs: 10 },
      ];
      for (const b of bad) expect(() => parseRecord(bytes(b), 4096), JSON.stringify(b)).to.throw(MalformedAnnouncementError);
    });
  });

  describe('signedBytes', () => {
    it('should cover every field but the chain and the signature', () => {
      const s = Buffer.from(signedBytes(base)).toString('utf8');
      for (const field of ['announce', 'demo', 'r1', '/kv/1', '4000']) expect(s).to.contain(field);
      expect(signedBytes({ ...base, minDepth: 2 })).to.not.deep.equal(signedBytes(base));
      expect(signedBytes({ ...base, system: 'other' })).to.not.deep.equal(signedBytes(base));
    });
  });

  describe('recordSubject', () => {
    it('should be the path subject for path records and the runtime subject for address records', () => {
      expect(recordSubject(base)).to.equal('escher.demo.path.1.kv.1');
      expect(recordSubject({ v: 1, kind: 'unaddress', system: 'demo', runtime: 'r.1', address: '', seq: 1, ttlMs: 1 })).to.equal('escher.demo.runtime.r~2E1');
    });
  });
});
