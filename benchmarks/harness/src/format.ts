import type { Cell, ColumnSpec, Row } from './benchmark';

const SI: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * A number for people: three significant digits with an SI suffix from ten
 * thousand up (`12.3 M`), otherwise at most three decimals (`0.412`, `1234`).
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1e4) {
    for (const [scale, suffix] of SI) {
      if (abs >= scale) return `${(x / scale).toPrecision(3)} ${suffix}`;
    }
  }
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toFixed(abs >= 100 ? 1 : 3)));
}

/** A table cell as text. */
export function formatCell(c: Cell | undefined): string {
  if (c === undefined) return '';
  if (typeof c === 'number') return formatNumber(c);
  return String(c);
}

/** Every key of `rows`, in first-seen order, as columns headed by the key itself. */
export function defaultColumns(rows: readonly Row[]): ColumnSpec[] {
  const keys = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  return [...keys].map((key) => ({ key, header: key }));
}

/**
 * A plain-text table: a header line, a rule, one line per row. Numbers are
 * right-aligned, everything else left-aligned.
 */
export function formatTable(rows: readonly Row[], columns: readonly ColumnSpec[] = defaultColumns(rows)): string {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c.key])));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c.key] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((line) => (line[i] as string).length)));
  const pad = (text: string, i: number): string =>
    numeric[i] === true ? text.padStart(widths[i] as number) : text.padEnd(widths[i] as number);
  const lines = [
    columns.map((c, i) => pad(c.header, i)).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((line) => line.map(pad).join('  ')),
  ];
  return lines.map((l) => l.trimEnd()).join('\n');
}
