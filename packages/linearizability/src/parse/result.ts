import type { History } from '../history';

/** What a parser read. */
export interface ParseResult {
  readonly history: History;
  /** Lines in the text (a final newline does not start another line). */
  readonly lines: number;
  /** Lines that were not events and were skipped (blank lines, log noise). */
  readonly skipped: number;
}

/** Split text into lines, dropping the empty piece after a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
