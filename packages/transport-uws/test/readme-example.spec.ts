import { MemoryDiscovery, createRuntime } from '@escher/core';
import { Identity, NO_MERGE_SPEC, SecureNetwork, SigningKey, TrustStore, certifyChildren, createRoot, initPki } from '@escher/pki';
import { expect } from 'chai';
import { MsgpackCodec, UwsNetwork } from '../src';

// The README's example, as written there (console.log replaced by an assertion).
describe('README example', () => {
  it('should carry a request and its reply between two runtimes over uWS, SecureNetwork and msgpack', async () => {
    await initPki();
    const root = createRoot();
    function certify(path: string): Identity {
      const key = SigningKey.generate();
      const [cert] = certifyChildren(root, { children: [{ path, publicKey: key.publicKey }], parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
      return new Identity(key, root.chain.extend(cert!));
    }

    const addresses = new Map<string, string>();
    const discovery = new MemoryDiscovery();

    async function start(id: string, agent: string) {
      const uws = new UwsNetwork({ resolve: (peer) => addresses.get(peer) });
      addresses.set(id, (await uws.start()).url);
      const network = new SecureNetwork(uws, { identities: [certify(agent)], trust: new TrustStore({ roots: [root.chain.leaf] }), protection: 'mac' });
      return { uws, runtime: createRuntime({ id, network, discovery, codec: new MsgpackCodec() }) };
    }

    const server = await start('r2', '/server');
    const client = await start('r1', '/client');
    server.runtime.spawn('/server', (m, ctx) => ctx.reply(m, { echo: m.payload }));
    const reply = new Promise((resolve) => client.runtime.spawn('/client', (m) => resolve(m.payload)));
    client.runtime.send('/client', '/server', 'hi');
    expect(await reply).to.deep.equal({ echo: 'hi' });

    for (const n of [client, server]) {
      n.runtime.close();
      await n.uws.stop();
    }
  });
});
