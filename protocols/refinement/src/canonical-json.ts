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
