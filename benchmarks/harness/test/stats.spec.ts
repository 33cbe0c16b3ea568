import { expect } from 'chai';
import { EmptySampleError, mean, median, percentile, summarize } from '../src';

describe('stats', () => {
  describe('median', () => {
    it('should return the middle value of an odd-sized sample, whatever its order', () => {
      expect(median([9, 1, 5])).to.equal(5);
    });

    it('should return the mean of the two middle values of an even-sized sample', () => {
      expect(median([4, 1, 3, 2])).to.equal(2.5);
    });

    it('should leave its input unsorted', () => {
      const xs = [3, 1, 2];
      median(xs);
      expect(xs).to.deep.equal([3, 1, 2]);
    });

    it('should refuse an empty sample', () => {
      expect(() => median([])).to.throw(EmptySampleError);
    });
  });

  describe('percentile', () => {
    it('should give the minimum at 0 and the maximum at 100', () => {
      expect(percentile([7, 3, 11], 0)).to.equal(3);
      expect(percentile([7, 3, 11], 100)).to.equal(11);
    });

    it('should interpolate linearly between the nearest ranks', () => {
      expect(percentile([1, 2, 3, 4, 5], 25)).to.equal(2);
      expect(percentile([10, 20], 90)).to.equal(19);
    });

    it('should agree with median at 50', () => {
      expect(percentile([8, 2, 6, 4], 50)).to.equal(median([8, 2, 6, 4]));
    });

    it('should refuse a percentile outside 0..100', () => {
      expect(() => percentile([1], 101)).to.throw(RangeError);
      expect(() => percentile([1], Number.NaN)).to.throw(RangeError);
    });
  });

  describe('summarize', () => {
    it('should report count, order statistics and mean', () => {
      expect(summarize([5, 1, 4, 2, 3])).to.deep.equal({ n: 5, min: 1, p25: 2, median: 3, p75: 4, max: 5, mean: 3 });
    });

    it('should refuse an empty sample', () => {
      expect(() => summarize([])).to.throw(EmptySampleError);
      expect(() => mean([])).to.throw(EmptySampleError);
    });
  });
});
