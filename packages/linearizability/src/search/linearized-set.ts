import { mix32 } from './hash';

/**
 * The set of operations linearized so far, as a bitset over operation
 * indices, with a Zobrist hash kept up to date on every change: each index
 * has a fixed random 32-bit value, and the hash is the XOR of the values of
 * the members, so adding or removing one is a single XOR.
 */
export class LinearizedSet {
  /** One bit per operation index, 32 to a word. */
  readonly words: Uint32Array;
  /** XOR of the Zobrist values of the members. */
  hash = 0;
  private readonly zobrist: Int32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.zobrist = zobristValues(size);
  }

  add(i: number): void {
    this.words[i >>> 5] |= 1 << (i & 31);
    this.hash ^= this.zobrist[i];
  }

  delete(i: number): void {
    this.words[i >>> 5] &= ~(1 << (i & 31));
    this.hash ^= this.zobrist[i];
  }
}

/** Fixed pseudo-random values (a Weyl sequence through {@link mix32}), so runs are reproducible. */
function zobristValues(size: number): Int32Array {
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) out[i] = mix32((0x2545f491 + Math.imul(i + 1, 0x9e3779b9)) | 0);
  return out;
}
