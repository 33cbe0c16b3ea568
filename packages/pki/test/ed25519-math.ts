/**
 * Just enough Edwards25519 arithmetic (BigInt, affine, slow) for tests to
 * craft points libsodium must refuse: small-order, mixed-order and
 * non-canonical encodings. Test-only; never used to sign or verify.
 */
export const P = 2n ** 255n - 19n;
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function mod(a: bigint, m = P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function pow(b: bigint, e: bigint, m = P): bigint {
  let r = 1n;
  let x = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * x) % m;
    x = (x * x) % m;
    e >>= 1n;
  }
  return r;
}

function inv(a: bigint): bigint {
  return pow(a, P - 2n);
}

const D = mod(-121665n * inv(121666n));
const SQRT_M1 = pow(2n, (P - 1n) / 4n);

export interface Point {
  readonly x: bigint;
  readonly y: bigint;
}

export const IDENTITY: Point = { x: 0n, y: 1n };

function leToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}

function bigToLe(v: bigint, n = 32): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The x for a y, if the point exists (`y` taken mod p). */
export function recoverX(y: bigint, sign: number): bigint | undefined {
  const yy = mod(y * y);
  const u = mod(yy - 1n);
  const v = mod(D * yy + 1n);
  const x2 = mod(u * inv(v));
  let x = pow(x2, (P + 3n) / 8n);
  if (mod(x * x - x2) !== 0n) x = mod(x * SQRT_M1);
  if (mod(x * x - x2) !== 0n) return undefined;
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return x;
}

export function decode(b: Uint8Array): Point | undefined {
  const raw = leToBig(b);
  const sign = Number(raw >> 255n);
  const y = raw & (2n ** 255n - 1n);
  if (y >= P) return undefined;
  const x = recoverX(y, sign);
  return x === undefined ? undefined : { x, y };
}

export function encode(p: Point): Uint8Array {
  return bigToLe(p.y | ((p.x & 1n) << 255n));
}

/** `y` written as y + p (a non-canonical encoding), with the given sign bit. */
export function encodeNonCanonical(y: bigint, sign: number): Uint8Array {
  return bigToLe((y + P) | (BigInt(sign) << 255n));
}

export function add(a: Point, b: Point): Point {
  const t = mod(D * a.x * b.x * a.y * b.y);
  const x = mod((a.x * b.y + a.y * b.x) * inv(1n + t));
  const y = mod((a.y * b.y + a.x * b.x) * inv(1n - t));
  return { x, y };
}

export function times(p: Point, n: bigint): Point {
  let r = IDENTITY;
  let q = p;
  while (n > 0n) {
    if (n & 1n) r = add(r, q);
    q = add(q, q);
    n >>= 1n;
  }
  return r;
}

export function equal(a: Point, b: Point): boolean {
  return a.x === b.x && a.y === b.y;
}

let order8: Point | undefined;

/** A point of order exactly 8. */
export function torsion8(): Point {
  if (order8 !== undefined) return order8;
  for (let y = 2n; y < 1000n; y++) {
    const x = recoverX(y, 0);
    if (x === undefined) continue;
    const t = times({ x, y }, L); // kills the prime-order part
    if (!equal(times(t, 4n), IDENTITY)) {
      order8 = t;
      return t;
    }
  }
  throw new Error('no point of order 8 found');
}

/** S + L, the malleated twin of a signature scalar, as 32 little-endian bytes. */
export function addL(s: Uint8Array): Uint8Array {
  return bigToLe(leToBig(s) + L);
}
