import { expect } from 'chai';
import { CompactIdSet, RingQueue } from '../src';

describe('CompactIdSet', () => {
  it('should compact contiguous ids into the watermark', () => {
    const s = new CompactIdSet();
    for (let i = 1; i <= 1000; i++) expect(s.add(i)).to.equal(true);
    expect(s.watermark).to.equal(1000);
    expect(s.sparse).to.equal(0);
  });

  it('should hold out-of-order ids above the watermark until the gap closes', () => {
    const s = new CompactIdSet();
    s.add(3);
    s.add(2);
    expect(s.watermark).to.equal(0);
    expect(s.sparse).to.equal(2);
    s.add(1);
    expect(s.watermark).to.equal(3);
    expect(s.sparse).to.equal(0);
  });

  it('should keep the ids of a channel joined in the middle as one run, not one entry per id', () => {
    // A restarted receiver hears from a peer that kept counting: ids 1…2999 went to its previous life.
    const s = new CompactIdSet();
    for (let i = 3000; i < 100_000; i++) expect(s.add(i)).to.equal(true);
    expect(s.watermark).to.equal(0);
    expect(s.runCount).to.equal(1);
    expect(s.has(2999)).to.equal(false);
    expect(s.has(50_000)).to.equal(true);
    expect(s.add(50_000)).to.equal(false);
    // Late ids below the run still count once each, and closing the gap folds the run into the watermark.
    for (let i = 1; i < 3000; i++) expect(s.add(i)).to.equal(true);
    expect(s.watermark).to.equal(99_999);
    expect(s.runCount).to.equal(0);
  });

  it('should forget everything on clear, as a channel starting over', () => {
    const s = new CompactIdSet();
    for (const id of [1, 2, 5, 40, 41]) s.add(id);
    s.clear();
    expect([s.watermark, s.sparse, s.runCount]).to.deep.equal([0, 0, 0]);
    expect(s.add(1)).to.equal(true);
    expect(s.has(40)).to.equal(false);
  });

  it('should refuse ids it already holds', () => {
    const s = new CompactIdSet();
    s.add(1);
    s.add(5);
    expect(s.add(1)).to.equal(false);
    expect(s.add(5)).to.equal(false);
    expect(s.has(4)).to.equal(false);
  });
});

describe('RingQueue', () => {
  it('should keep FIFO order across growth and wrap-around', () => {
    const q = new RingQueue<number>(2);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      q.push(i);
      if (i % 3 === 0) out.push(q.shift() as number);
    }
    out.push(...q.drain());
    expect(out).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(q.length).to.equal(0);
    expect(q.shift()).to.equal(undefined);
  });
});

describe('CompactIdSet under random orders', () => {
  it('should agree with a plain Set for every prefix of a shuffled sequence (seeded)', () => {
    const seed = Number(process.env.SEED ?? 20261123);
    console.log(`      seed ${seed} (replay with SEED=${seed})`);
    let x = seed >>> 0;
    const rand = () => {
      // xorshift32: small, deterministic, good enough to shuffle
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const ids = Array.from({ length: n }, (_, i) => i + 1);
      // Local shuffles (like a reordering network) plus some long jumps.
      for (let i = ids.length - 1; i > 0; i--) {
        const j = rand() < 0.2 ? Math.floor(rand() * (i + 1)) : Math.max(0, i - Math.floor(rand() * 5));
        [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
      }
      const s = new CompactIdSet();
      const ref = new Set<number>();
      for (const id of [...ids, ...ids.slice(0, 10)]) {
        expect(s.add(id)).to.equal(!ref.has(id));
        ref.add(id);
        for (const probe of [id - 40, id - 1, id, id + 1, id + 33, id + 100]) {
          if (probe >= 1) expect(s.has(probe)).to.equal(ref.has(probe));
        }
      }
      expect(s.watermark).to.equal(n);
      expect(s.sparse).to.equal(0);
    }
  });

  it('should agree with a plain Set when the ids start far above 1 (a channel joined in the middle), at every step', () => {
    const seed = Number(process.env.SEED ?? 20261124);
    console.log(`      seed ${seed} (replay with SEED=${seed})`);
    let x = seed >>> 0;
    const rand = () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) / 4294967296;
    };
    for (let trial = 0; trial < 300; trial++) {
      const start = [0, 20, 40, 3000][Math.floor(rand() * 4)] as number;
      const n = 1 + Math.floor(rand() * 200);
      const ids = Array.from({ length: n }, (_, i) => start + i + 1);
      for (let i = ids.length - 1; i > 0; i--) {
        const j = rand() < 0.2 ? Math.floor(rand() * (i + 1)) : Math.max(0, i - Math.floor(rand() * 5));
        [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
      }
      const s = new CompactIdSet();
      const ref = new Set<number>();
      const wrong: string[] = [];
      for (const id of [...ids, ...ids.slice(0, 10)]) {
        if (s.add(id) === ref.has(id)) wrong.push(`add ${id}`);
        ref.add(id);
        for (let probe = Math.max(1, start - 5); probe <= start + n + 40; probe++) if (s.has(probe) !== ref.has(probe)) wrong.push(`has ${probe}`);
      }
      expect(wrong, `trial ${trial}`).to.deep.equal([]);
      expect([s.watermark, s.sparse]).to.deep.equal(start === 0 ? [n, 0] : [0, n]);
      expect(s.runCount).to.be.at.most(1);
    }
  });
});
