import { expect } from 'chai';
import { type BenchResult, barChartSvg, chartOf, evaluateTargets, machineInfo, recordingContext } from '@escher/bench-harness';
import { benchmark, fullGc, measure, run, type Sample, slope } from '../src';

const TINY = { messages: 2000, window: 100, sampleEvery: 500 };

describe('outbox-gc benchmark', () => {
  describe('run', () => {
    it('should answer every request and leave every outbox, inbox and merge group empty', async () => {
      const samples: Sample[] = [];
      const end = await run(TINY, undefined, (s) => void samples.push(s));
      expect(samples.map((s) => s.messages)).to.deep.equal([0, 500, 1000, 1500, 2000]);
      expect(end.outbox).to.equal(0);
      expect(end.inbox).to.equal(0);
      expect(end.openGroups).to.equal(0);
      // The client's reply channel and each replica's request channel, compacted to the last id.
      expect(end.doneChannels).to.equal(4);
      expect(end.doneSparse).to.equal(0);
      expect(end.doneWatermark).to.equal(2000);
    });
  });

  describe('fullGc', () => {
    it('should find a way to force a collection', () => {
      const gc = fullGc();
      expect(gc).to.be.a('function');
      (gc as () => void)();
    });
  });

  describe('slope', () => {
    it('should be the least-squares slope', () => {
      expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).to.be.closeTo(2, 1e-12);
      expect(slope([5], [1])).to.equal(0);
    });
  });

  describe('measure', () => {
    it('should record the summary, a row per sample and a chart bar per sample, and render the chart', async () => {
      const ctx = recordingContext('outbox-gc');
      await measure(ctx, TINY);
      const s = ctx.summary;
      expect(s.messages).to.equal(2000);
      expect(s.outboxAtEnd).to.equal(0);
      expect(s.gcForced).to.equal(1);
      for (const key of ['heapStartMiB', 'heapAfterWarmupMiB', 'heapEndMiB']) expect(s[key], key).to.be.greaterThan(0).and.lessThan(1e5);
      expect(s.heapGrowthMiB).to.be.a('number').and.not.be.NaN;
      expect(ctx.rows).to.have.length(5);
      const result: BenchResult = {
        name: 'outbox-gc',
        description: benchmark.description,
        version: '0.0.0',
        commit: null,
        date: new Date(0).toISOString(),
        machine: machineInfo(),
        quick: true,
        durationMs: 1,
        rows: ctx.rows,
        targets: evaluateTargets(benchmark.targets ?? [], s),
        summary: s,
      };
      expect(result.targets.find((t) => t.figure === 'outboxAtEnd')?.met).to.equal(true);
      const chart = chartOf(benchmark, result);
      expect(chart.bars.map((b) => b.label)).to.deep.equal(['0 requests', '500 requests', '1000 requests', '1500 requests', '2000 requests', 'growth after warm-up']);
      for (const bar of chart.bars.slice(0, 5)) expect(bar.value, bar.label).to.be.greaterThan(0);
      const svg = barChartSvg(chart);
      expect(svg).to.match(/^<\?xml/);
      expect(svg).to.contain('2000 requests');
    });
  });
});
