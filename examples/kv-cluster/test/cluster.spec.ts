import { expect } from 'chai';
import { runKvCluster } from '../src';

describe('kv-cluster across processes', function () {
  // Real processes, a real NATS server: bounded by the run's own timeout.
  this.timeout(120_000);

  it('should answer every request exactly once and correctly through kill -9 and restart of a replica, then the loss of another', async () => {
    const lines: string[] = [];
    const run = await runKvCluster({ requests: 3000, timeoutMs: 90_000, log: (l) => lines.push(l) });
    console.log(`      ${run.answered}/${run.requests} in ${run.elapsedMs} ms across ${run.processes} processes; ${run.steps.join(', ')}`);
    expect(run.processes).to.equal(4);
    expect(run.steps).to.deep.equal(['kill kv-2', 'restart kv-2', 'kill kv-1']);
    expect(run.wrong).to.deep.equal([]);
    expect(run.duplicates).to.equal(0);
    expect(run.answered).to.equal(3000);
  });
});
