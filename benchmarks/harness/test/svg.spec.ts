import { expect } from 'chai';
import { barChartSvg, escapeXml } from '../src';

/** Checks that every element is closed in order; returns the element names seen. */
function checkWellFormed(svg: string): string[] {
  const body = svg.replace(/^<\?xml[^>]*\?>\s*/, '');
  const open: string[] = [];
  const seen: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z]+)([^>]*?)(\/?)>/g)) {
    const [, closing, name, attrs, selfClosing] = m as unknown as [string, string, string, string, string];
    expect(attrs, `attributes of <${name}>`).to.not.match(/[<&](?!amp;|lt;|gt;|quot;|apos;)/);
    if (closing === '/') expect(open.pop(), `closing </${name}>`).to.equal(name);
    else {
      seen.push(name);
      if (selfClosing !== '/') open.push(name);
    }
  }
  expect(open, 'unclosed elements').to.deep.equal([]);
  // Character data has no raw markup characters left once tags are removed.
  expect(body.replace(/<[^>]*>/g, '')).to.not.match(/[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/);
  return seen;
}

const widths = (svg: string): number[] =>
  [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="18"/g)].map((m) => Number(m[1]));

describe('svg', () => {
  describe('escapeXml', () => {
    it('should escape the five XML special characters', () => {
      expect(escapeXml(`<a & "b" 'c'>`)).to.equal('&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
    });
  });

  describe('barChartSvg', () => {
    const chart = {
      title: 'Throughput <quick> & "dirty"',
      subtitle: 'escher 0.1.0',
      unit: 'msgs/s',
      bars: [
        { label: 'full', value: 100 },
        { label: 'half & half', value: 50, target: { comparison: '>=' as const, threshold: 80, met: false } },
      ],
    };

    it('should be a well-formed SVG document', () => {
      const svg = barChartSvg(chart);
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).to.equal(true);
      const elements = checkWellFormed(svg);
      expect(elements[0]).to.equal('svg');
    });

    it('should draw one bar per figure, in proportion to the values', () => {
      const [a, b] = widths(barChartSvg(chart)) as [number, number];
      expect(widths(barChartSvg(chart))).to.have.length(2);
      expect(b / a).to.be.closeTo(0.5, 0.01);
    });

    it('should label every bar with its escaped label and formatted value', () => {
      const svg = barChartSvg(chart);
      expect(svg).to.include('>full</text>');
      expect(svg).to.include('>half &amp; half</text>');
      expect(svg).to.include('>100 msgs/s</text>');
    });

    it('should mark a target with a dashed tick and say whether it is met', () => {
      const svg = barChartSvg(chart);
      expect(svg.match(/stroke-dasharray/g)).to.have.length(1);
      expect(svg).to.include('50 msgs/s (target &gt;= 80: missed)');
    });

    it('should give a value that is not a number no bar but still print it', () => {
      const svg = barChartSvg({ title: 't', unit: 'u', bars: [{ label: 'x', value: Number.NaN }] });
      checkWellFormed(svg);
      expect(widths(svg)).to.deep.equal([0]);
      expect(svg).to.include('>NaN u</text>');
    });
  });
});
