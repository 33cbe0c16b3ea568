import { expect } from 'chai';
import type { BenchContext, Row } from '@escher/bench-harness';
import { LinkBench, MODES, benchmark } from '../src';

describe('authentication benchmark', () => {
  describe('LinkBench', () => {
    for (const mode of MODES) {
      it(`should move and count every message in mode ${mode}`, async () => {
        const link = await LinkBench.create(mode);
        try {
          for (const [n, b] of [[10, 1], [130, 64]] as const) {
            const m = await link.run(n, b);
            expect(m.messages).to.equal(n);
            expect(m.frames).to.equal(Math.ceil(n / b));
            expect(m.ns).to.be.greaterThan(0);
          }
        } finally {
          link.close();
        }
      });
    }
  });

  describe('benchmark', () => {
    it('should run end to end at tiny size and report every summary figure', async function () {
      this.timeout(120_000);
      const rows: Row[] = [];
      const figures: Record<string, number> = {};
      const ctx: BenchContext = {
        name: 'authentication',
        quick: true,
        progress: () => {},
        note: () => {},
        record: (r) => void rows.push(r),
        figure: (name, value) => {
          figures[name] = value;
        },
      };
      await benchmark.run(ctx);
      expect(rows).to.have.length(10);
      for (const f of ['mac', 'aead', 'signPerMessage', 'signPerBatch', 'noneMsgsPerSec', 'macMsgsPerSec', 'ed25519VerifyUs']) {
        expect(figures[f], f).to.be.a('number').and.greaterThan(0);
      }
      // Signing each message costs far more than protecting each frame.
      expect(figures.signPerMessage as number).to.be.lessThan(figures.mac as number);
    });
  });
});
