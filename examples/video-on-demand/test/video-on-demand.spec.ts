import { expect } from 'chai';
import { buildVideoOnDemand, runScenario, settle } from '../src';

describe('video-on-demand example', () => {
  describe('the demo scenario', () => {
    it('should commit, abort for insufficient funds, and survive the primary crash unnoticed', async () => {
      const o = await runScenario({ failoverMs: 20 });
      expect(o.receipts).to.deep.equal(['Metropolis', 'Nosferatu']);
      expect(o.refused).to.deep.equal(['Lawrence of Arabia']);
      expect(o.balance).to.equal(10);
      expect(o.watched).to.deep.equal({ Metropolis: 3, Nosferatu: 3 });
      expect(o.sourcesSeenByClient).to.deep.equal(['/mms']);
      expect(o.servedBy['/mms/1']).to.deep.equal(['Metropolis']);
      expect(o.servedBy['/mms/2']).to.deep.equal(['Metropolis', 'Nosferatu']);
      expect(o.system.library.streamsStarted).to.deep.equal(['Metropolis', 'Nosferatu']);
      // The only drop is the stream request that reached the crashed primary.
      expect(o.system.rt.counters.snapshot().byCode).to.deep.equal({ ESCHER_AGENT_UNAVAILABLE: 1 });
      o.system.rt.close();
    });
  });

  describe('atomicity of payment and receipt', () => {
    it('should neither charge nor issue a receipt when the bank refuses', async () => {
      const s = buildVideoOnDemand({ balance: 5 });
      s.rt.send('/client', '/library', { type: 'order', movie: 'Metropolis' });
      await settle(s.rt);
      expect(s.client.receipts).to.deep.equal([]);
      expect(s.client.refusals).to.deep.equal(['Metropolis']);
      expect(s.bank.balances.get('/client')).to.equal(5);
      expect(s.mms[0]?.served).to.deep.equal([]);
      s.rt.close();
    });

    it('should refuse a movie that is not in the catalogue without a transaction', async () => {
      const s = buildVideoOnDemand();
      s.rt.send('/client', '/library', { type: 'order', movie: 'Unknown' });
      await settle(s.rt);
      expect(s.client.refusals).to.deep.equal(['Unknown']);
      expect(s.tpc.initiatorRole.pending).to.equal(0);
      s.rt.close();
    });
  });

  describe('composition on one agent', () => {
    it('should stack the 2PC server and the primary-backup client on /client in assumption order', () => {
      const s = buildVideoOnDemand();
      expect(s.rt.agent('/client')?.stack).to.deep.equal(['Server(payment)', 'Client(mms-replication)']);
      s.rt.close();
    });
  });
});
