import type { Comparison } from './benchmark';
import { formatNumber } from './format';

/** One bar: a labelled value, with the target it is held to, if any. */
export interface ChartBar {
  readonly label: string;
  readonly value: number;
  readonly target?: { readonly comparison: Comparison; readonly threshold: number; readonly met: boolean };
}

/** A horizontal bar chart, bars top to bottom in the given order. */
export interface BarChart {
  readonly title: string;
  /** A smaller second line under the title (version, date, machine). */
  readonly subtitle?: string;
  /** Printed after every value. */
  readonly unit: string;
  readonly bars: readonly ChartBar[];
}

/** `text` safe inside XML character data and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

// Layout, in pixels. Text width is estimated from the character count: good
// enough for short labels in a sans-serif face, and it needs no font metrics.
const MARGIN = 16;
const CHAR_WIDTH = 7.2;
const BAR_AREA = 420;
const VALUE_AREA = 280;
const ROW = 28;
const BAR = 18;
const COLOR_BAR = '#4a78b5';
const COLOR_TARGET = '#c0392b';

const px = (x: number): string => String(Math.round(x * 10) / 10);

/**
 * The chart as a standalone SVG document. Bars share one linear scale from
 * zero to the largest value or target; a target is drawn as a dashed tick
 * across its bar, and the value text says whether it is met.
 */
export function barChartSvg(chart: BarChart): string {
  const labelWidth = Math.ceil(Math.max(0, ...chart.bars.map((b) => b.label.length)) * CHAR_WIDTH) + MARGIN;
  const x0 = MARGIN + labelWidth;
  const top = chart.subtitle === undefined ? 44 : 64;
  const width = x0 + BAR_AREA + VALUE_AREA;
  const height = top + chart.bars.length * ROW + MARGIN;
  const finite = (x: number): number => (Number.isFinite(x) && x > 0 ? x : 0);
  const scaleMax = Math.max(
    Number.MIN_VALUE,
    ...chart.bars.map((b) => finite(b.value)),
    ...chart.bars.map((b) => finite(b.target?.threshold ?? 0)),
  );
  const scale = (v: number): number => (finite(v) / scaleMax) * BAR_AREA;

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect x="0" y="0" width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="28" font-size="16" font-weight="bold" fill="#222222">${escapeXml(chart.title)}</text>`,
  ];
  if (chart.subtitle !== undefined) {
    out.push(`<text x="${MARGIN}" y="48" font-size="11" fill="#555555">${escapeXml(chart.subtitle)}</text>`);
  }
  chart.bars.forEach((bar, i) => {
    const y = top + i * ROW;
    const w = scale(bar.value);
    const mid = px(y + BAR / 2 + 4.5);
    out.push(`<text x="${px(x0 - 8)}" y="${mid}" text-anchor="end" fill="#222222">${escapeXml(bar.label)}</text>`);
    out.push(`<rect x="${px(x0)}" y="${px(y)}" width="${px(w)}" height="${BAR}" rx="2" fill="${COLOR_BAR}"/>`);
    let textX = x0 + w;
    let text = `${formatNumber(bar.value)} ${chart.unit}`;
    if (bar.target !== undefined) {
      const t = bar.target;
      const xt = x0 + scale(t.threshold);
      out.push(
        `<line x1="${px(xt)}" y1="${px(y - 3)}" x2="${px(xt)}" y2="${px(y + BAR + 3)}" stroke="${COLOR_TARGET}" stroke-width="2" stroke-dasharray="3 2"/>`,
      );
      textX = Math.max(textX, xt);
      text += ` (target ${t.comparison} ${formatNumber(t.threshold)}: ${t.met ? 'met' : 'missed'})`;
    }
    out.push(`<text x="${px(textX + 6)}" y="${mid}" fill="#222222">${escapeXml(text)}</text>`);
  });
  const axisBottom = top + chart.bars.length * ROW - (ROW - BAR) / 2;
  out.push(`<line x1="${px(x0)}" y1="${px(top - 5)}" x2="${px(x0)}" y2="${px(axisBottom)}" stroke="#333333" stroke-width="1"/>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
