/**
 * NATS subjects derived from agent paths (Escher §3.2: topics are agent
 * identifiers).
 *
 * - `escher.<system>.path.<minDepth>.<seg1>.….<segk>` — the record of a
 *   runtime hosting the agent `/seg1/…/segk` with that minimum depth. The
 *   minimum depth is a token of its own so that a subscriber can ask the
 *   server for exactly the agents a destination reaches (see
 *   {@link reachablePatterns}).
 * - `escher.<system>.runtime.<runtime>` — a runtime's network address.
 * - `escher.<system>.sync` — a late joiner's request for everyone's records.
 *
 * Every variable token is escaped with {@link escapeToken}: NATS tokens may
 * not contain `.`, whitespace, `*` or `>` and may not be empty, while path
 * segments may contain `.` and runtime ids and system names are free text.
 */
import type { Path } from '@escher/core';

/** First token of every subject this package uses. */
export const SUBJECT_ROOT = 'escher';

const KEEP = /^[A-Za-z0-9_-]$/;
const TOKEN = /^(?:[A-Za-z0-9_-]|~[0-9A-F]{2})+$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Escapes one string into one NATS subject token, reversibly and
 * canonically: ASCII letters, digits, `_` and `-` stay; every other UTF-8
 * byte becomes `~XX` (two upper-case hex digits), `~` included; the empty
 * string becomes `~` alone (no other input yields it). The result never
 * contains `.`, `*`, `>` or whitespace, so it can never act as a wildcard
 * or split into two tokens: `/kv/v1.2` is the tokens `kv`, `v1~2E2`.
 */
export function escapeToken(s: string): string {
  if (s === '') return '~';
  let out = '';
  for (const ch of s) {
    if (KEEP.test(ch)) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += `~${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of {@link escapeToken}. @throws RangeError for a token escapeToken cannot produce */
export function unescapeToken(token: string): string {
  if (token === '~') return '';
  if (!TOKEN.test(token)) throw new RangeError(`not an escaped token: ${JSON.stringify(token)}`);
  const bytes: number[] = [];
  for (let i = 0; i < token.length; ) {
    if (token[i] === '~') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i++;
    }
  }
  let s: string;
  try {
    s = utf8Decoder.decode(Uint8Array.from(bytes));
  } catch {
    throw new RangeError(`escaped token is not UTF-8: ${JSON.stringify(token)}`);
  }
  // Canonical only: a byte that did not need escaping must not have been.
  if (escapeToken(s) !== token) throw new RangeError(`non-canonical escaped token: ${JSON.stringify(token)}`);
  return s;
}

/** Subject of the record of an agent at `path` (depth ≥ 1) with minimum depth `minDepth`. */
export function pathSubject(system: string, path: Path, minDepth: number): string {
  return `${SUBJECT_ROOT}.${escapeToken(system)}.path.${minDepth}${segmentTokens(path)}`;
}

/** Subject of a runtime's address record. */
export function addressSubject(system: string, runtime: string): string {
  return `${SUBJECT_ROOT}.${escapeToken(system)}.runtime.${escapeToken(runtime)}`;
}

/** Subject of snapshot requests (late joiners, reconnects). */
export function syncSubject(system: string): string {
  return `${SUBJECT_ROOT}.${escapeToken(system)}.sync`;
}

/** Every path record of the system. */
export function allPathsPattern(system: string): string {
  return `${SUBJECT_ROOT}.${escapeToken(system)}.path.>`;
}

/** Every address record of the system. */
export function allAddressesPattern(system: string): string {
  return `${SUBJECT_ROOT}.${escapeToken(system)}.runtime.*`;
}

/**
 * The subscriptions that learn exactly the agents an agent at `src` may
 * reach. By the sibling rule (Escher §2.2) `src` sends only to `d` with
 * `parent(d)` an ancestor-or-self of `parent(src)`; a message for `d`
 * reaches an agent `a` under `d` iff depth(d) ≥ a.minDepth. For each depth
 * k = 1..depth(src) the destinations of depth k are the children of the
 * ancestor of `src` at depth k − 1, and they reach the agents under them of
 * minimum depth ≤ k. Those of minimum depth < k are already reached through
 * a shallower destination, so level k needs only minimum depth exactly k:
 *
 *     escher.<sys>.path.<k>.<first k−1 segments of src>.*     (the children themselves)
 *     escher.<sys>.path.<k>.<first k−1 segments of src>.*.>   (everything under them)
 *
 * 2·depth(src) subscriptions, pairwise disjoint, so no record arrives twice.
 * Exact for every agent that can coexist with a physical `src` (its
 * ancestors are virtual and it has no descendants; those would match too).
 */
export function reachablePatterns(system: string, src: Path): string[] {
  const segments = src.split('/').slice(1);
  const out: string[] = [];
  let prefix = '';
  for (let k = 1; k <= segments.length; k++) {
    const base = `${SUBJECT_ROOT}.${escapeToken(system)}.path.${k}${prefix}.*`;
    out.push(base, `${base}.>`);
    prefix += `.${escapeToken(segments[k - 1] as string)}`;
  }
  return out;
}

/** Whether a NATS subject matches a subscription pattern (`*` one token, `>` one or more trailing tokens). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === '>') return s.length > i;
    if (i >= s.length) return false;
    if (t !== '*' && t !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Validates a system name: any non-empty string of at most 128 characters (it is escaped into one token). */
export function isValidSystemName(system: unknown): system is string {
  return typeof system === 'string' && system.length > 0 && system.length <= 128;
}

function segmentTokens(path: Path): string {
  let out = '';
  for (const seg of path.split('/').slice(1)) out += `.${escapeToken(seg)}`;
  return out;
}
