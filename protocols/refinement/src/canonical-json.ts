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

function encode(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError('value nested too deeply for canonical JSON');
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`non-finite number ${value} has no canonical JSON form`);
      return JSON.stringify(value);
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
      if (value instanceof Uint8Array) return `{"$bytes":"${Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex')}"}`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError('only plain objects have a canonical JSON form');
      const rec = value as Record<string, unknown>;
      const keys = Object.keys(rec).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const v = rec[k];
        if (v === undefined) continue; // as JSON.stringify: an undefined property is absent
        if (!first) out += ',';
        first = false;
        out += `${JSON.stringify(k)}:${encode(v, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`${typeof value} has no canonical JSON form`);
  }
}
