import { MemoryNetwork, Path, createRuntime } from '@escher/core';
import { Identity, NO_MERGE_SPEC, SigningKey, TrustStore, certifyChildren, createRoot, initPki } from '@escher/pki';
import { expect } from 'chai';
import { NatsDiscovery, NatsServer } from '../src';

describe('README', () => {
  describe('example', () => {
    it('should route a request and its reply through NATS discovery', async function () {
      this.timeout(30_000);
      // The README's example, with its console output turned into assertions.
      await initPki();
      const nats = await NatsServer.start();
      try {
        const root = createRoot();
        const certify = (path: string): Identity => {
          const key = SigningKey.generate();
          const [cert] = certifyChildren(root, { children: [{ path, publicKey: key.publicKey }], parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
          return new Identity(key, root.chain.extend(cert!));
        };
        const trust = () => new TrustStore({ roots: [root.chain.leaf] });

        const d1 = new NatsDiscovery({ servers: nats.url, system: 'demo', identities: [certify('/server')], trust: trust() });
        const d2 = new NatsDiscovery({ servers: nats.url, system: 'demo', identities: [certify('/client')], trust: trust() });
        await d1.start();
        await d2.start();
        d1.announceRuntime('r1', 'ws://127.0.0.1:7001');

        const network = new MemoryNetwork();
        const r1 = createRuntime({ id: 'r1', network, discovery: d1 });
        const r2 = createRuntime({ id: 'r2', network, discovery: d2 });
        r1.spawn('/server', (m, ctx) => ctx.reply(m, { echo: m.payload }));
        const reply = new Promise((resolve) => r2.spawn('/client', (m) => resolve(m.payload)));

        for (const d of [d1, d2, d1, d2]) await d.flush();
        expect(d2.resolve(Path.parse('/server'))).to.deep.equal(['r1']);
        expect(d2.addressOf('r1')).to.equal('ws://127.0.0.1:7001');
        r2.send('/client', '/server', 'hi');
        expect(await reply).to.deep.equal({ echo: 'hi' });

        r1.close();
        r2.close();
        await d1.close();
        await d2.close();
      } finally {
        await nats.stop();
      }
    });
  });
});
