import { expect } from 'chai';
import { DEFAULT_BACKOFF, backoffDelay } from '../src';

describe('backoffDelay', () => {
  const s = { initialDelayMs: 10, maxDelayMs: 1000, maxAttempts: 8, jitter: 0.5 };

  it('should double from the initial delay up to the maximum', () => {
    const none = { ...s, jitter: 0 };
    expect([1, 2, 3, 4, 8, 20].map((n) => backoffDelay(none, n, Math.random))).to.deep.equal([10, 20, 40, 80, 1000, 1000]);
  });

  it('should draw the jitter fraction at random, within [base(1 - j), base]', () => {
    expect(backoffDelay(s, 3, () => 0)).to.equal(20);
    expect(backoffDelay(s, 3, () => 0.999999)).to.equal(40);
    for (let i = 0; i < 100; i++) expect(backoffDelay(s, 3, Math.random)).to.be.within(20, 40);
  });

  it('should have sane defaults', () => {
    expect(DEFAULT_BACKOFF.maxAttempts).to.be.greaterThan(1);
    expect(DEFAULT_BACKOFF.initialDelayMs).to.be.lessThan(DEFAULT_BACKOFF.maxDelayMs);
  });
});
