import { expect } from 'chai';
import { formatNumber, formatTable } from '../src';

describe('format', () => {
  describe('formatNumber', () => {
    it('should use three significant digits and an SI suffix from ten thousand up', () => {
      expect(formatNumber(12_345_678)).to.equal('12.3 M');
      expect(formatNumber(10_000)).to.equal('10.0 k');
      expect(formatNumber(2_500_000_000)).to.equal('2.50 G');
    });

    it('should print smaller integers as they are and fractions with at most three decimals', () => {
      expect(formatNumber(9999)).to.equal('9999');
      expect(formatNumber(0.41234)).to.equal('0.412');
      expect(formatNumber(123.456)).to.equal('123.5');
    });
  });

  describe('formatTable', () => {
    it('should right-align numeric columns and left-align text under a rule', () => {
      const text = formatTable([
        { name: 'a', rate: 5 },
        { name: 'bbb', rate: 1234 },
      ]);
      expect(text.split('\n')).to.deep.equal(['name  rate', '----  ----', 'a        5', 'bbb   1234']);
    });

    it('should use the given headers and leave missing cells empty', () => {
      const text = formatTable([{ x: 1 }, { x: 2, y: 'z' }], [
        { key: 'y', header: 'why' },
        { key: 'x', header: 'ex' },
      ]);
      expect(text.split('\n')).to.deep.equal(['why  ex', '---  --', '      1', 'z     2']);
    });
  });
});
