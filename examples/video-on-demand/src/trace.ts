import type { BusEvent, Envelope } from '@escher/core';

/** One line per bus step worth reading: messages on the wire (with protocol tags), drops, crashes. */
export function describeEvent(e: BusEvent): string | undefined {
  switch (e.kind) {
    case 'transmitted':
      return `    ${pad(e.msg.src)} -> ${pad(e.msg.dst)} ${summary(e.msg)}`;
    case 'dropped':
      return `    ${pad(e.msg?.src ?? '?')} -x ${pad(e.agent ?? e.msg?.dst ?? '?')} dropped: ${e.reason.message}`;
    case 'error':
      return `    error at ${e.agent ?? '?'}: ${e.error.message}`;
    case 'lifecycle':
      return e.status === 'crashed' ? `    *** ${e.agent} crashed ***` : undefined;
    case 'delivered':
    case 'dispatched':
      return undefined;
    default:
      return exhaustive(e);
  }
}

function summary(m: Envelope): string {
  const tags = m.roleTags === undefined ? '' : Object.entries(m.roleTags).map(([slot, t]) => `[${slot}:${(t as { k?: string }).k ?? '?'}]`).join('');
  const p = m.payload as { type?: string; movie?: string } | null;
  const body = p === null || p === undefined ? '' : p.type === undefined ? JSON.stringify(p) : `${p.type}${p.movie === undefined ? '' : ` "${p.movie}"`}`;
  return `#${m.id} ${tags}${tags && body ? ' ' : ''}${body}`;
}

function pad(s: string): string {
  return s.padEnd(9);
}

function exhaustive(x: never): never {
  throw new Error(`unexpected event ${JSON.stringify(x)}`);
}
