import { type BusEvent, MemoryDiscovery, type Runtime, createRuntime } from '@escher/core';
import { Identity, NO_MERGE_SPEC, SecureNetwork, SigningKey, TrustStore, certifyChildren, createRoot, initPki } from '@escher/pki';
import { expect } from 'chai';
import { MsgpackCodec } from '../src';
import { Cluster, until } from './helpers';

/** A system agent and a way to certify its children: one root of trust. */
function system() {
  const root = createRoot();
  return {
    trust: () => new TrustStore({ roots: [root.chain.leaf] }),
    certify(path: string): Identity {
      const key = SigningKey.generate();
      const [cert] = certifyChildren(root, { children: [{ path, publicKey: key.publicKey }], parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
      return new Identity(key, root.chain.extend(cert as NonNullable<typeof cert>));
    },
  };
}

describe('UwsNetwork under SecureNetwork, with runtimes', () => {
  let cluster: Cluster;
  const runtimes: Runtime[] = [];

  before(async () => {
    await initPki();
  });

  beforeEach(() => {
    cluster = new Cluster();
  });

  afterEach(async () => {
    for (const r of runtimes.splice(0)) r.close();
    await cluster.close();
  });

  /** A runtime over uWS, authenticated by `identity`, speaking msgpack; `rekey`: new sessions with restarted peers. */
  async function runtime(id: string, identity: Identity, trust: TrustStore, discovery: MemoryDiscovery, rekey = false) {
    let late: SecureNetwork | undefined;
    const uws = await cluster.network(id, rekey ? { onPeerRestart: (peer) => late?.rekey(peer) } : {});
    const secure = new SecureNetwork(uws, { identities: [identity], trust, protection: 'mac' });
    late = secure;
    const rt = createRuntime({ id, network: secure, discovery, codec: new MsgpackCodec() });
    runtimes.push(rt);
    return { uws, secure, rt };
  }

  it('should carry kernel messages both ways between two authenticated runtimes', async () => {
    const sys = system();
    const discovery = new MemoryDiscovery();
    const client = await runtime('r1', sys.certify('/client'), sys.trust(), discovery);
    const server = await runtime('r2', sys.certify('/server'), sys.trust(), discovery);
    const replies: unknown[] = [];
    server.rt.spawn('/server', (m, ctx) => ctx.reply(m, { echo: m.payload }));
    client.rt.spawn('/client', (m) => void replies.push(m.payload));
    for (let i = 0; i < 20; i++) client.rt.send('/client', '/server', { i, text: `message ${i}` });
    expect(await until(() => replies.length === 20)).to.equal(true);
    expect(replies).to.deep.equal(Array.from({ length: 20 }, (_, i) => ({ echo: { i, text: `message ${i}` } })));
    expect(server.secure.mayClaim('r1', '/client')).to.equal(true);
    expect(client.secure.protectionWith('r2')).to.equal('mac');
    // One WebSocket link carried the handshake and every frame, both ways.
    expect(client.uws.stats.connectionsEstablished + server.uws.stats.connectionsEstablished).to.equal(2);
    expect(client.uws.errors.total + server.uws.errors.total).to.equal(0);
  });

  it('should refuse a peer whose chain leads to another system agent, and deliver nothing from it', async () => {
    const sys = system();
    const stranger = system();
    const discovery = new MemoryDiscovery();
    const server = await runtime('r2', sys.certify('/server'), sys.trust(), discovery);
    const intruder = await runtime('r3', stranger.certify('/client'), stranger.trust(), discovery);
    const seen: unknown[] = [];
    server.rt.spawn('/server', (m) => void seen.push(m.payload));
    intruder.rt.spawn('/client', () => undefined);
    intruder.rt.send('/client', '/server', 'let me in');
    expect(await until(() => server.secure.rejections.get('ESCHER_PKI_UNTRUSTED_ROOT') > 0)).to.equal(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).to.deep.equal([]);
    expect(server.secure.isEstablished('r3')).to.equal(false);
    // The WebSocket link itself was fine: refusing is the SecureNetwork's job, above it.
    expect(intruder.uws.stats.connectionsEstablished + server.uws.stats.connectionsEstablished).to.equal(2);
  });

  it('should drop a message whose source the sending runtime holds no certificate for', async () => {
    const sys = system();
    const discovery = new MemoryDiscovery();
    const client = await runtime('r1', sys.certify('/client'), sys.trust(), discovery);
    const server = await runtime('r2', sys.certify('/server'), sys.trust(), discovery);
    const seen: unknown[] = [];
    const dropped: string[] = [];
    server.rt.events$.subscribe((e: BusEvent) => {
      if (e.kind === 'dropped') dropped.push(e.reason.code);
    });
    server.rt.spawn('/server', (m) => void seen.push([m.src, m.payload]));
    client.rt.spawn('/client', () => undefined);
    client.rt.spawn('/mallory', () => undefined);
    client.rt.send('/client', '/server', 'genuine');
    client.rt.send('/mallory', '/server', 'forged');
    expect(await until(() => seen.length === 1 && dropped.length === 1)).to.equal(true);
    expect(seen).to.deep.equal([['/client', 'genuine']]);
    expect(dropped).to.deep.equal(['ESCHER_FORGED_SOURCE']);
  });

  it('should tell onPeerRestart when a peer comes back as a new incarnation, and reach it again (rekeyed)', async () => {
    const sys = system();
    const discovery = new MemoryDiscovery();
    const client = await runtime('r1', sys.certify('/client'), sys.trust(), discovery, true);
    const first = await runtime('r2', sys.certify('/server'), sys.trust(), discovery);
    const seen: unknown[] = [];
    first.rt.spawn('/server', (m) => void seen.push(m.payload));
    client.rt.spawn('/client', () => undefined);
    client.rt.send('/client', '/server', 'before');
    expect(await until(() => seen.length === 1)).to.equal(true);
    const handshakes = client.secure.stats.handshakesStarted;
    // The server restarts: same address, a new incarnation, a new SecureNetwork that knows nothing of the old session.
    first.rt.close();
    const secure2 = new SecureNetwork(first.uws, { identities: [sys.certify('/server')], trust: sys.trust(), protection: 'mac' });
    const rt2 = createRuntime({ id: 'r2', network: secure2, discovery, codec: new MsgpackCodec() });
    runtimes.push(rt2);
    const after: unknown[] = [];
    rt2.spawn('/server', (m) => void after.push(m.payload));
    // The client retries, as its outbox would, a bounded number of times.
    for (let i = 0; i < 50 && after.length === 0; i++) {
      client.rt.send('/client', '/server', `after ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(after.length).to.be.greaterThan(0);
    expect(client.uws.stats.peerRestarts).to.equal(1);
    expect(client.secure.stats.handshakesStarted).to.be.greaterThan(handshakes);
  });
});
