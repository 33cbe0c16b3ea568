import { expect } from 'chai';
import { replicatedKv } from '../src/workload';

describe('replication benchmark workload', () => {
  it('should answer every put exactly once with 3 replicas, with and without the outbox', async () => {
    for (const reliable of [false, true]) {
      const r = await replicatedKv(3, 500, 64, reliable);
      expect(r.repliesOk).to.equal(true);
      expect(r.wallNs).to.be.greaterThan(0);
    }
  });
});
