import { expect } from 'chai';
import { NatsTestSystem, collect, useNatsServer } from './helpers';

describe('NatsDiscovery as a RuntimeDirectory', () => {
  const server = useNatsServer();
  let sys: NatsTestSystem;

  beforeEach(() => {
    sys = new NatsTestSystem(() => server().url);
  });

  afterEach(async () => {
    await sys.close();
  });

  describe('announceRuntime / addressOf', () => {
    it('should tell every runtime, late joiners included, where a runtime listens', async () => {
      const a = await sys.discovery();
      const b = await sys.discovery();
      a.announceRuntime('r1', 'ws://127.0.0.1:7001');
      expect(a.addressOf('r1')).to.equal('ws://127.0.0.1:7001');
      await sys.settle();
      expect(b.addressOf('r1')).to.equal('ws://127.0.0.1:7001');
      const late = await sys.discovery();
      await sys.settle();
      expect(late.addressOf('r1')).to.equal('ws://127.0.0.1:7001');
      expect(late.addressOf('r2')).to.equal(undefined);
    });

    it('should emit address changes: a new address replaces the old, a withdrawal removes it', async () => {
      const a = await sys.discovery();
      const b = await sys.discovery();
      const seen = collect(b.addresses$);
      a.announceRuntime('r1', 'ws://127.0.0.1:7001');
      await sys.settle();
      a.announceRuntime('r1', 'ws://127.0.0.1:7002');
      await sys.settle();
      expect(b.addressOf('r1')).to.equal('ws://127.0.0.1:7002');
      a.withdrawRuntime('r1');
      await sys.settle();
      expect(b.addressOf('r1')).to.equal(undefined);
      expect(seen.items).to.deep.equal([
        { kind: 'announced', runtime: 'r1', address: 'ws://127.0.0.1:7001' },
        { kind: 'announced', runtime: 'r1', address: 'ws://127.0.0.1:7002' },
        { kind: 'withdrawn', runtime: 'r1', address: 'ws://127.0.0.1:7002' },
      ]);
    });
  });
});
