import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, kv, parseJepsenLog, parseKvHistory, register } from '../src';
import { fixtureDir } from './helpers';

type Verdicts = Record<'kv' | 'etcd', Record<string, boolean>>;

const dir = fixtureDir();
const present = existsSync(join(dir, 'verdicts.json'));
const verdicts: Verdicts | undefined = present ? (JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8')) as Verdicts) : undefined;
const timings: { file: string; ms: number }[] = [];

/** Parse and check one fixture file, print its time, return the verdict. */
function verdictOf(kind: 'kv' | 'etcd', file: string): boolean | 'unknown' {
  const text = readFileSync(join(dir, kind, file), 'utf8');
  const started = performance.now();
  const parsed = kind === 'kv' ? parseKvHistory(text) : parseJepsenLog(text);
  const result = kind === 'kv' ? check(kv, parsed.history, { timeoutMs: 30_000 }) : check(register, parsed.history, { timeoutMs: 30_000 });
  const ms = performance.now() - started;
  timings.push({ file: `${kind}/${file}`, ms });
  console.log(`        ${kind}/${file}: ${ms.toFixed(1)} ms, ${parsed.history.size} operations, ${result.partitions.length} partition(s), verdict ${String(result.linearizable)}`);
  return result.linearizable;
}

describe('check', () => {
  describe('fixture histories with known verdicts', () => {
    it('should find the fixture folder', () => {
      if (!present) throw new Error(`linearizability fixtures not found: no verdicts.json in ${dir} (the shared fixtures beside the repository)`);
    });

    for (const kind of ['kv', 'etcd'] as const) {
      describe(kind, () => {
        for (const [file, expected] of Object.entries(verdicts?.[kind] ?? {})) {
          it(`should find ${file} ${expected ? 'linearizable' : 'not linearizable'}`, () => {
            expect(verdictOf(kind, file)).to.equal(expected);
          });
        }
      });
    }

    after(() => {
      if (timings.length === 0) return;
      const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5);
      const total = timings.reduce((sum, t) => sum + t.ms, 0);
      console.log(`      ${timings.length} fixtures in ${total.toFixed(0)} ms; slowest: ${slowest.map((t) => `${t.file} ${t.ms.toFixed(0)} ms`).join(', ')}`);
    });
  });
});
