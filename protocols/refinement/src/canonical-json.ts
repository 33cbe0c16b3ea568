/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace,
 * numbers in JavaScript's shortest round-trip form. Two equal values always
 * encode to the same string, whatever order their keys were written in, so
 * the encoding can be hashed (merge specs) and compared (payloads of
 * fragments that must match).
 *
 * Only JSON values are accepted (plus `Uint8Array`, written as
 * `{"$bytes":"<hex>"}`); anything else (functions, `undefined` inside
 * arrays, non-finite numbers, bigints, cycles) throws a `TypeError`.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

/**
 * `canonicalJson(value) === key`, decided without building the encoding:
 * `value` is walked and compared with `key` token by token, in place. False
 * when they differ, and also when `value` has no canonical form (then
 * `canonicalJson` says why). The merger uses it to count a fragment whose
 * payload matches one it has already encoded.
 */
export function encodesTo(value: unknown, key: string): boolean {
  return match(value, key, 0, 0) === key.length;
}

/** Deeper than this is refused: a peer must not be able to blow the stack. */
const MAX_DEPTH = 64;

/** Objects with more keys than this are sorted by `Array.prototype.sort`, fewer by insertion. */
const FEW_KEYS = 16;

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError('value nested too deeply for canonical JSON');
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`non-finite number ${value} has no canonical JSON form`);
      // For a finite number, String() is JSON's form: shortest round trip, -0 as 0.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const v: unknown = value[i];
          if (v === undefined) throw new TypeError('undefined inside an array has no canonical JSON form');
          out += encode(v, depth + 1);
        }
        return `${out}]`;
      }
      if (value instanceof Uint8Array) return bytes(value);
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError('only plain objects have a canonical JSON form');
      const rec = value as Record<string, unknown>;
      const keys = sortedKeys(rec);
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = rec[k];
        if (v === undefined) continue; // as JSON.stringify: an undefined property is absent
        if (!first) out += ',';
        first = false;
        out += quote(k);
        out += ':';
        out += encode(v, depth + 1);
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`${typeof value} has no canonical JSON form`);
  }
}

/** Where the encoding of `value` ends if `key` holds it from `pos`, or -1 (different, or no canonical form). */
function match(value: unknown, key: string, pos: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  switch (typeof value) {
    case 'string':
      return matchString(value, key, pos);
    case 'number':
      return matchNumber(value, key, pos);
    case 'boolean':
      return matchText(value ? 'true' : 'false', key, pos);
    case 'object': {
      if (value === null) return matchText('null', key, pos);
      if (Array.isArray(value)) {
        if (key.charCodeAt(pos) !== 0x5b) return -1; // [
        let p = pos + 1;
        for (let i = 0; i < value.length; i++) {
          if (i > 0) {
            if (key.charCodeAt(p) !== 0x2c) return -1; // ,
            p++;
          }
          const v: unknown = value[i];
          if (v === undefined) return -1;
          p = match(v, key, p, depth + 1);
          if (p < 0) return -1;
        }
        return key.charCodeAt(p) === 0x5d ? p + 1 : -1; // ]
      }
      if (value instanceof Uint8Array) return matchText(bytes(value), key, pos);
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return -1;
      if (key.charCodeAt(pos) !== 0x7b) return -1; // {
      const rec = value as Record<string, unknown>;
      const keys = sortedKeys(rec);
      let p = pos + 1;
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i] as string;
        const v = rec[k];
        if (v === undefined) continue;
        if (!first) {
          if (key.charCodeAt(p) !== 0x2c) return -1; // ,
          p++;
        }
        first = false;
        p = matchString(k, key, p);
        if (p < 0 || key.charCodeAt(p) !== 0x3a) return -1; // :
        p = match(v, key, p + 1, depth + 1);
        if (p < 0) return -1;
      }
      return key.charCodeAt(p) === 0x7d ? p + 1 : -1; // }
    }
    default:
      return -1;
  }
}

/**
 * The own enumerable keys of `rec` in the order `Array.prototype.sort`
 * gives strings (by UTF-16 code unit). Objects in messages have a few keys,
 * often already in order: an insertion sort costs a fraction of `sort`.
 */
function sortedKeys(rec: Record<string, unknown>): string[] {
  const keys = Object.keys(rec);
  const n = keys.length;
  if (n > FEW_KEYS) return keys.sort();
  for (let i = 1; i < n; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** `c` is a UTF-16 code unit JSON.stringify does not copy as is: a quote, a backslash, a control character, a surrogate. */
function special(c: number): boolean {
  return c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff);
}

/** A string as JSON.stringify writes it; most need no escape, and a scan is cheaper than the call. */
function quote(s: string): string {
  for (let i = 0; i < s.length; i++) if (special(s.charCodeAt(i))) return JSON.stringify(s);
  return `"${s}"`;
}

function bytes(b: Uint8Array): string {
  return `{"$bytes":"${Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex')}"}`;
}

/** Where the JSON string `s` ends if `key` holds it from `pos`, or -1: compared in place unless `s` needs escapes. */
function matchString(s: string, key: string, pos: number): number {
  if (key.charCodeAt(pos) !== 0x22) return -1; // "
  let p = pos + 1;
  for (let i = 0; i < s.length; i++, p++) {
    const c = s.charCodeAt(i);
    if (special(c)) return matchText(JSON.stringify(s), key, pos);
    if (key.charCodeAt(p) !== c) return -1;
  }
  return key.charCodeAt(p) === 0x22 ? p + 1 : -1;
}

/**
 * Where the number `x` ends if `key` holds it from `pos`, or -1. A safe
 * integer is read from `key` digit by digit: its JSON form is plain digits
 * with no leading zero, `-` before a negative one, and `0` for -0. Other
 * numbers are compared as text. A number is followed by `,`, `]`, `}` or
 * the end of `key`, never by a digit, so reading stops at the first non-digit.
 */
function matchNumber(x: number, key: string, pos: number): number {
  if (!Number.isFinite(x)) return -1;
  if (!Number.isSafeInteger(x)) return matchText(String(x), key, pos);
  let p = pos;
  if (x < 0) {
    if (key.charCodeAt(p) !== 0x2d) return -1; // -
    p++;
  }
  const start = p;
  let n = 0;
  for (let c = key.charCodeAt(p); c >= 0x30 && c <= 0x39; c = key.charCodeAt(++p)) {
    n = n * 10 + (c - 0x30);
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  const digits = p - start;
  if (digits === 0 || (digits > 1 && key.charCodeAt(start) === 0x30)) return -1;
  if (x < 0 ? -n !== x : n !== x) return -1;
  return p;
}

/** Where `text` ends if `key` holds it from `pos`, or -1. */
function matchText(text: string, key: string, pos: number): number {
  return key.startsWith(text, pos) ? pos + text.length : -1;
}
