import { Path } from '@escher/core';
import type { Command } from './messages';

/**
 * Checks a Raft message that came over the bus, field by field, without
 * copying it. Returns the reason it is malformed, or `undefined` if it is
 * well formed (the caller then treats the value as a `RaftMessage<Command>`).
 * A replica is trusted not to lie (crash model), but a payload may still be
 * damaged, come from a different version, or be forged by a non-member
 * whose message slipped past the membership check; nothing unchecked may
 * reach the Raft core or the application.
 */
export function checkRaftMessage(value: unknown, maxEntries: number): string | undefined {
  if (typeof value !== 'object' || value === null) return 'payload is not an object';
  const m = value as Record<string, unknown>;
  if (!isIndex(m.term) || m.term < 1) return 'term must be a positive integer';
  switch (m.kind) {
    case 'requestVote':
      if (!isIndex(m.lastIndex)) return 'lastIndex must be a non-negative integer';
      if (!isIndex(m.lastTerm) || m.lastTerm > m.term) return 'lastTerm must be an integer in 0..term';
      return typeof m.pre === 'boolean' ? undefined : 'pre must be a boolean';
    case 'vote':
      if (typeof m.granted !== 'boolean') return 'granted must be a boolean';
      return typeof m.pre === 'boolean' ? undefined : 'pre must be a boolean';
    case 'appendReply':
      if (typeof m.success !== 'boolean') return 'success must be a boolean';
      return isIndex(m.index) ? undefined : 'index must be a non-negative integer';
    case 'append':
      return checkAppend(m, m.term, maxEntries);
    default:
      return `unknown kind ${describe(m.kind)}`;
  }
}

function checkAppend(m: Record<string, unknown>, term: number, maxEntries: number): string | undefined {
  if (!isIndex(m.prevIndex)) return 'prevIndex must be a non-negative integer';
  if (!isIndex(m.prevTerm) || m.prevTerm > term) return 'prevTerm must be an integer in 0..term';
  if (m.prevIndex === 0 && m.prevTerm !== 0) return 'prevTerm of index 0 must be 0';
  if (!isIndex(m.commit)) return 'commit must be a non-negative integer';
  if (!isIndex(m.floor)) return 'floor must be a non-negative integer';
  const terms = m.terms;
  const cmds = m.cmds;
  if (!Array.isArray(terms) || !Array.isArray(cmds)) return 'terms and cmds must be arrays';
  if (terms.length !== cmds.length) return 'terms and cmds differ in length';
  if (terms.length > maxEntries) return `more than ${maxEntries} entries`;
  // A leader's log has non-decreasing terms, none above its own.
  let previous = m.prevTerm;
  for (let i = 0; i < terms.length; i++) {
    const t: unknown = terms[i];
    if (!isIndex(t) || t < previous || t > term) return `entry ${i} has a term outside ${previous}..${term}`;
    previous = t;
    const why = checkCommand(cmds[i]);
    if (why !== undefined) return `entry ${i}: ${why}`;
  }
  return undefined;
}

/** A log command: `null` (no-op) or an input's identity and payload. */
export function checkCommand(cmd: unknown): string | undefined {
  if (cmd === null) return undefined;
  if (typeof cmd !== 'object' || cmd === undefined) return 'command must be null or an object';
  const c = cmd as Partial<Record<keyof Exclude<Command, null>, unknown>>;
  if (!isIndex(c.id) || c.id < 1) return 'command id must be a positive integer';
  if (!Path.isValid(c.src)) return 'command src is not a path';
  if (!Path.isValid(c.dst)) return 'command dst is not a path';
  const tags = c.roleTags;
  if (tags !== undefined && (typeof tags !== 'object' || tags === null || Array.isArray(tags))) {
    return 'command roleTags must be an object';
  }
  if (c.inc !== undefined && !isIndex(c.inc)) return 'command inc must be a non-negative integer';
  return undefined;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v;
}
