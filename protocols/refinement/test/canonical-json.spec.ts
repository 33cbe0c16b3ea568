import { expect } from 'chai';
import { canonicalJson } from '../src';
import { encodesTo } from '../src/canonical-json';

/** Sets an own property, even one called `__proto__`. */
function put(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The specification, written the slow and obvious way: sort every object's keys, then JSON.stringify. */
function reference(value: unknown): string {
  const sortDeep = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortDeep);
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('hex') };
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) put(out, k, sortDeep((v as Record<string, unknown>)[k]));
      return out;
    }
    return v;
  };
  return JSON.stringify(sortDeep(value));
}

/** A small seeded generator (xorshift32), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

const STRINGS = ['', 'a', 'ok', 'key-7', 'é', '日本', '😀', 'a"b', 'back\\slash', 'tab\t', 'nl\n', '\u0000', '\u001f', '\ud800', 'x\udc00y', '__proto__', 'A', 'B', 'b', 'aa', 'a\u0000'];
const NUMBERS = [0, -0, 1, -1, 7, 10, 100, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 1e-7, 0.1, 0.5, -2.5, 123.456, 5e-324];

/** A random JSON value (plus Uint8Array), objects with keys in random order. */
function randomValue(next: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const r = next();
  if (depth > 3 || r < 0.35) {
    const leaf = next();
    if (leaf < 0.4) return pick(STRINGS);
    if (leaf < 0.8) return pick(NUMBERS);
    if (leaf < 0.9) return next() < 0.5;
    return null;
  }
  if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  if (r < 0.6) return Uint8Array.from({ length: Math.floor(next() * 3) }, () => Math.floor(next() * 256));
  const n = next() < 0.1 ? 20 : Math.floor(next() * 5);
  const obj: Record<string, unknown> = next() < 0.2 ? (Object.create(null) as Record<string, unknown>) : {};
  for (let i = 0; i < n; i++) put(obj, next() < 0.5 ? pick(STRINGS) : `k${Math.floor(next() * 30)}`, randomValue(next, depth + 1));
  if (next() < 0.2) put(obj, 'absent', undefined);
  return obj;
}

/** A value close to `v`: the same with its keys reordered, or with one leaf changed, added or removed. */
function variant(v: unknown, next: () => number): unknown {
  if (Array.isArray(v)) {
    const copy = v.map((x) => (next() < 0.3 ? variant(x, next) : x));
    if (next() < 0.1) copy.push(0);
    return copy;
  }
  if (typeof v === 'object' && v !== null && !(v instanceof Uint8Array)) {
    const keys = Object.keys(v).reverse();
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const x = (v as Record<string, unknown>)[k];
      if (next() > 0.05) put(out, k, next() < 0.3 ? variant(x, next) : x);
    }
    return out;
  }
  if (typeof v === 'number') return next() < 0.5 ? v : v + 1;
  if (typeof v === 'string') return next() < 0.5 ? v : `${v}x`;
  return v;
}

describe('canonicalJson', () => {
  describe('encoding', () => {
    it('should equal JSON.stringify of the value with sorted keys, for edge-case strings and numbers', () => {
      for (const s of STRINGS) {
        expect(canonicalJson(s), JSON.stringify(s)).to.equal(JSON.stringify(s));
        expect(canonicalJson({ [s]: s }), JSON.stringify(s)).to.equal(JSON.stringify({ [s]: s }));
      }
      for (const x of NUMBERS) expect(canonicalJson(x), String(x)).to.equal(JSON.stringify(x));
    });

    it('should sort many keys (past the insertion-sort size) by UTF-16 code unit', () => {
      const keys = Array.from({ length: 40 }, (_, i) => `k${(i * 17) % 40}`).concat(['Z', 'a', '_', 'é', '😀', '\uffff']);
      const obj = Object.fromEntries(keys.map((k, i) => [k, i]));
      expect(canonicalJson(obj)).to.equal(reference(obj));
    });

    it('should match the reference on 5000 random values (seed 1)', () => {
      const next = rng(1);
      for (let i = 0; i < 5000; i++) {
        const v = randomValue(next);
        expect(canonicalJson(v), `value ${i}`).to.equal(reference(v));
      }
    });
  });

  describe('encodesTo', () => {
    it('should say whether a value encodes to a key, on random values and near variants (seed 2)', () => {
      const next = rng(2);
      for (let i = 0; i < 5000; i++) {
        const v = randomValue(next);
        const key = canonicalJson(v);
        expect(encodesTo(v, key), `value ${i} against its own key`).to.equal(true);
        const w = variant(v, next);
        expect(encodesTo(w, key), `variant ${i}: ${reference(w)} vs ${key}`).to.equal(canonicalJson(w) === key);
        const other = randomValue(next);
        expect(encodesTo(other, key), `other ${i}`).to.equal(canonicalJson(other) === key);
      }
    });

    it('should not take a number for a longer one that starts with its digits', () => {
      for (const [x, key] of [
        [1, '12'],
        [12, '1'],
        [12, '12.5'],
        [1, '1e+21'],
        [0, '-0'],
        [5, '05'],
        [-5, '-05'],
        [-1, '1'],
        [1, '-1'],
        [0.5, '0.55'],
      ] as const) {
        expect(encodesTo(x, key), `${x} vs ${key}`).to.equal(false);
        expect(encodesTo([x], `[${key}]`), `[${x}] vs [${key}]`).to.equal(false);
      }
      expect(encodesTo(-0, '0')).to.equal(true);
      expect(encodesTo(Number.MAX_SAFE_INTEGER, String(Number.MAX_SAFE_INTEGER))).to.equal(true);
      expect(encodesTo(Number.MAX_SAFE_INTEGER, '99999999999999999999')).to.equal(false);
    });

    it('should be false for values with no canonical form, whatever the key', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100; i++) deep = [deep];
      for (const v of [Number.NaN, Number.POSITIVE_INFINITY, 1n, () => 1, [undefined], new Map(), undefined, deep]) {
        for (const key of ['null', 'NaN', 'Infinity', '[null]', '{}', '1']) expect(encodesTo(v, key)).to.equal(false);
      }
    });

    it('should compare keys and strings that need escapes', () => {
      const v = { 'a"b': 'tab\t', '\ud800': 'x\udc00y', plain: '😀' };
      expect(encodesTo(v, canonicalJson(v))).to.equal(true);
      expect(encodesTo({ ...v, plain: '😁' }, canonicalJson(v))).to.equal(false);
      expect(encodesTo(Uint8Array.from([1, 2]), canonicalJson({ $bytes: '0102' }))).to.equal(true);
    });
  });
});
