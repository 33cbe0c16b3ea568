import { expect } from 'chai';
import { pingPong } from '../src/workload';

describe('simulator benchmark workload', () => {
  it('should deliver every bounce and advance virtual time by the link delay', () => {
    const r = pingPong(3, 10, true);
    expect(r.messages).to.equal(3 * 10);
    expect(r.virtualMs).to.equal(10);
  });

  it('should replay identically', () => {
    expect(pingPong(2, 20, true).traceHash).to.equal(pingPong(2, 20, true).traceHash);
  });
});
