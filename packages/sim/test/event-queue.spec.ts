import { expect } from 'chai';
import { EventQueue, Rng } from '../src';

describe('EventQueue', () => {
  it('should pop in (time, scheduling order) and never lose a live event around cancelled ones (seeded)', () => {
    const seed = Number(process.env.SEED ?? 99);
    console.log(`      seed ${seed} (replay with SEED=${seed})`);
    const rng = new Rng(seed);
    for (let trial = 0; trial < 200; trial++) {
      const q = new EventQueue();
      const live: { at: number; seq: number }[] = [];
      let seq = 0;
      for (let i = 0; i < rng.int(1, 60); i++) {
        const at = rng.int(0, 20);
        const e = q.schedule(at, () => undefined);
        const mine = seq++;
        if (rng.chance(0.3)) e.cancelled = true;
        else live.push({ at, seq: mine });
        if (rng.chance(0.2)) q.peekTime();
      }
      live.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const out: number[] = [];
      for (let e = q.pop(); e !== undefined; e = q.pop()) {
        expect(e.cancelled).to.equal(false);
        out.push(e.at);
        if (rng.chance(0.3)) q.peekTime();
      }
      expect(out).to.deep.equal(live.map((x) => x.at));
    }
  });
});
