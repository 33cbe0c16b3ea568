import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above this file that holds lerna.json. */
export function repoRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'lerna.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no lerna.json above ${from}: cannot locate the repository root`);
    dir = parent;
  }
}

/** Where the shared linearizability fixtures live, beside the repository. */
export function fixtureDir(): string {
  return resolve(repoRoot(), '../shared/fixtures/linearizability');
}

/**
 * A small seeded generator (splitmix32), so a randomised test can be
 * replayed from the seed it prints.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.s = (this.s + 0x9e3779b9) | 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed of a randomised test: `SEED` from the environment to replay, else a fresh one. */
export function testSeed(): number {
  const fromEnv = process.env.SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv);
    if (!Number.isInteger(n)) throw new Error(`SEED must be an integer, got ${JSON.stringify(fromEnv)}`);
    return n;
  }
  return Math.floor(Math.random() * 2 ** 31);
}
