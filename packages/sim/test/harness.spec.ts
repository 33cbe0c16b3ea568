import { expect } from 'chai';
import { Delay, assertSeedsPassed, runSeeds } from '../src';

describe('runSeeds / assertSeedsPassed', () => {
  const flaky = {
    name: 'fails when a message takes longer than 4 ms',
    options: { faults: [new Delay({ kind: 'uniform', min: 0, max: 5 })] },
    build(sim: import('../src').Simulator) {
      let sentAt = 0;
      sim.spawn('/b', () => {
        if (sim.now - sentAt > 4) throw new Error('too slow');
      });
      sim.spawn('/a', { onStart: (ctx) => ((sentAt = sim.now), ctx.send('/b', 1)), receive() {} });
      let failed = false;
      sim.node('/b').events$.subscribe((e) => {
        if (e.kind === 'error') failed = true;
      });
      return {
        maxTime: 100,
        always: () => {
          if (failed) throw new Error('a handler failed');
        },
      };
    },
  };

  it('should stop at the first failing seed and report it with the replay command and the trace tail', function () {
    // Replaying one seed (SEED=…) would defeat what this test checks: it chooses its own seed range.
    if (process.env.SEED !== undefined) this.skip();
    const report = runSeeds(flaky, { seeds: 100 });
    expect(report.failures).to.have.length(1);
    const seed = report.failures[0]?.seed as number;
    expect(() => assertSeedsPassed(report, { replayCommand: 'npx mocha x.spec.js', minSeeds: 1 }))
      .to.throw(`seed ${seed} failed`)
      .and.to.match(new RegExp(`replay: SEED=${seed} npx mocha x\\.spec\\.js`));
    expect(report.failures[0]?.traceTail.length).to.be.greaterThan(0);
    // The same seed fails again when replayed.
    expect(runSeeds(flaky, { seeds: 1, firstSeed: seed }).failures).to.have.length(1);
  });

  it('should complain when the time budget stopped it before enough seeds ran', function () {
    // As above: with SEED set only one seed runs, which is not what is being checked here.
    if (process.env.SEED !== undefined) this.skip();
    const report = runSeeds({ ...flaky, name: 'budget', build: (sim) => (sim.spawn('/x', () => {}), { maxTime: 1 }) }, { seeds: 1000, budgetMs: 0 });
    expect(report.stoppedByBudget).to.equal(true);
    expect(() => assertSeedsPassed(report, { replayCommand: 'x', minSeeds: 1000 })).to.throw(/within the time budget/);
  });
});
