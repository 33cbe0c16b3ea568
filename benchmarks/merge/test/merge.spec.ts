import { expect } from 'chai';
import { type BenchResult, barChartSvg, chartOf, evaluateTargets, machineInfo, recordingContext } from '@escher/bench-harness';
import { benchmark, CHART, linearFit, measure, mergeRun, untaggedRun, waitForMatching } from '../src';

describe('merge benchmark', () => {
  describe('mergeRun', () => {
    it('should deliver each message of the refined sender once, for crash and Byzantine specs', () => {
      for (const [n, k] of [
        [1, 1],
        [3, 1],
        [3, 2],
        [7, 4],
      ] as const) {
        const m = mergeRun({ children: n, waitForMatching: k, messages: 1234 });
        expect(m.sent, `n=${n} k=${k}`).to.equal(1234 * n);
        expect(m.delivered).to.equal(1234);
        expect(m.ns).to.be.greaterThan(0);
      }
    });
  });

  describe('untaggedRun', () => {
    it('should deliver every plain message', () => {
      const m = untaggedRun(2001);
      expect(m.sent).to.equal(2001);
      expect(m.delivered).to.equal(2001);
    });
  });

  describe('waitForMatching', () => {
    it('should be 1 for crash and f + 1 for Byzantine with n = 2f + 1', () => {
      expect([1, 3, 5, 7, 9, 13].map((n) => waitForMatching('crash', n))).to.deep.equal([1, 1, 1, 1, 1, 1]);
      expect([1, 3, 5, 7, 9, 13].map((n) => waitForMatching('byzantine', n))).to.deep.equal([1, 2, 3, 4, 5, 7]);
    });
  });

  describe('linearFit', () => {
    it('should recover a straight line with R² = 1', () => {
      const fit = linearFit([1, 2, 3, 4], [5, 7, 9, 11]);
      expect(fit.slope).to.be.closeTo(2, 1e-12);
      expect(fit.intercept).to.be.closeTo(3, 1e-12);
      expect(fit.r2).to.be.closeTo(1, 1e-12);
    });
  });

  describe('measure', () => {
    it('should record finite positive figures for every bar of the chart, and render it', async () => {
      const ctx = recordingContext('merge');
      await measure(ctx, { fragments: 2000, rounds: 1, warmup: 0 });
      for (const key of ['nsPerFragment', 'nsPerFragmentCrash', 'untaggedNsPerMessage']) {
        expect(ctx.summary[key], key).to.be.a('number').that.is.greaterThan(0).and.lessThan(Number.POSITIVE_INFINITY);
      }
      expect(ctx.rows).to.have.length(1 + 2 * 6);
      const result: BenchResult = {
        name: 'merge',
        description: benchmark.description,
        version: '0.0.0',
        commit: null,
        date: new Date(0).toISOString(),
        machine: machineInfo(),
        quick: true,
        durationMs: 1,
        rows: ctx.rows,
        targets: evaluateTargets(benchmark.targets ?? [], ctx.summary),
        summary: ctx.summary,
      };
      const chart = chartOf(benchmark, result);
      expect(chart.bars).to.have.length(CHART.bars.length);
      for (const bar of chart.bars) expect(bar.value, bar.label).to.be.greaterThan(0).and.lessThan(Number.POSITIVE_INFINITY);
      expect(chart.bars.filter((b) => b.target !== undefined)).to.have.length(1);
      const svg = barChartSvg(chart);
      expect(svg).to.match(/^<\?xml/);
      expect(svg).to.contain('Byzantine, n = 7, k = 4');
    });
  });
});
