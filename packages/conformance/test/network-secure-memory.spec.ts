import { MemoryNetwork, type Network, type NetworkEndpoint } from '@escher/core';
import { Identity, NO_MERGE_SPEC, SecureNetwork, SigningKey, TrustStore, certifyChildren, createRoot, initPki } from '@escher/pki';
import { networkContract } from '../src';

// SecureNetwork decorates another network, one instance per attachment: each call certifies `/<id>` under one root.
networkContract('SecureNetwork over MemoryNetwork', async () => {
  await initPki();
  const memory = new MemoryNetwork();
  const root = createRoot();
  const endpoints: NetworkEndpoint[] = [];
  const certify = (id: string): Identity => {
    const key = SigningKey.generate();
    const [cert] = certifyChildren(root, {
      children: [{ path: `/${id}`, publicKey: key.publicKey }],
      parentMergeSpecHash: NO_MERGE_SPEC,
      epoch: 1,
    });
    return new Identity(key, root.chain.extend(cert as NonNullable<typeof cert>));
  };
  return {
    network: (id): Network => {
      const secure = new SecureNetwork(memory, { identities: [certify(id)], trust: new TrustStore({ roots: [root.chain.leaf] }), protection: 'mac' });
      // Tracks endpoints so that close() stops handshake retries of runtimes the suite left open.
      return {
        attach: (runtime, receive) => {
          const e = secure.attach(runtime, receive);
          endpoints.push(e);
          return e;
        },
      };
    },
    // A handshake is a few microtask hops on the memory network; a few turns settle it and the frames behind it.
    settle: async () => {
      for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
    },
    close: async () => {
      for (const e of endpoints) e.close();
    },
  };
});
