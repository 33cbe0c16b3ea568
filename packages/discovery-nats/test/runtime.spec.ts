import { MemoryNetwork, Path, createRuntime } from '@escher/core';
import { expect } from 'chai';
import { NatsTestSystem, until, useNatsServer } from './helpers';

describe('NatsDiscovery under a Runtime', () => {
  const server = useNatsServer();
  let sys: NatsTestSystem;

  beforeEach(() => {
    sys = new NatsTestSystem(() => server().url);
  });

  afterEach(async () => {
    await sys.close();
  });

  describe('spawn / send / stop', () => {
    it('should route between runtimes by what NATS discovery learned, and stop routing once an agent stops', async () => {
      const network = new MemoryNetwork();
      const d1 = await sys.discovery(['/server']);
      const d2 = await sys.discovery(['/client']);
      const r1 = createRuntime({ id: 'r1', network, discovery: d1 });
      const r2 = createRuntime({ id: 'r2', network, discovery: d2 });
      try {
        r1.spawn('/server', (m, ctx) => ctx.reply(m, { echo: m.payload }));
        const got: unknown[] = [];
        r2.spawn('/client', (m) => void got.push(m.payload));
        await sys.settle();
        expect(d2.resolve(Path.parse('/server'))).to.deep.equal(['r1']);
        r2.send('/client', '/server', 'hi');
        await until(() => got.length === 1, 'the reply');
        expect(got).to.deep.equal([{ echo: 'hi' }]);

        r1.stop('/server');
        await sys.settle();
        expect(d2.resolve(Path.parse('/server'))).to.deep.equal([]);
      } finally {
        r1.close();
        r2.close();
      }
    });
  });
});
