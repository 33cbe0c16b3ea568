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
