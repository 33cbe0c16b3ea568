import { expect } from 'chai';
import { FRAME_VERSION, JsonCodec, MemoryDiscovery, MemoryNetwork, Path, type Runtime, createRuntime } from '../src';
import { Recorder } from './helpers';

async function settle(...rts: Runtime[]): Promise<void> {
  // Frames cross on microtasks; a few rounds of idle on every runtime let them land and run.
  for (let i = 0; i < 5; i++) {
    for (const rt of rts) await rt.idle();
    await new Promise((r) => setImmediate(r));
  }
}

describe('Runtime across runtimes (MemoryNetwork, MemoryDiscovery)', () => {
  function two() {
    const network = new MemoryNetwork();
    const discovery = new MemoryDiscovery();
    const r1 = createRuntime({ id: 'r1', network, discovery });
    const r2 = createRuntime({ id: 'r2', network, discovery });
    return { network, r1, r2 };
  }

  it('should deliver to an agent in another runtime and carry the reply back', async () => {
    const { r1, r2 } = two();
    const client = new Recorder();
    r2.spawn('/server', (m, ctx) => ctx.reply(m, { echo: m.payload }));
    r1.spawn('/client', client);
    r1.send('/client', '/server', 'ping');
    await settle(r1, r2);
    expect(client.payloads()).to.deep.equal([{ echo: 'ping' }]);
    expect(client.got[0]?.src).to.equal('/server');
  });

  it('should deliver a message for a refined agent to children in both runtimes', async () => {
    const { r1, r2 } = two();
    const a = new Recorder();
    const b = new Recorder();
    r1.spawn('/svc/1', a);
    r2.spawn('/svc/2', b);
    r1.spawn('/client', new Recorder());
    r1.send('/client', '/svc', 'all');
    await settle(r1, r2);
    expect(a.payloads()).to.deep.equal(['all']);
    expect(b.payloads()).to.deep.equal(['all']);
  });

  it('should drop and count malformed frames and messages from a peer', async () => {
    const { network, r1 } = two();
    const target = new Recorder();
    r1.spawn('/t', target);
    const evil = network.attach('evil', () => {});
    const codec = new JsonCodec();
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    evil.send('r1', new Uint8Array([0xff, 0x00, 0x12]));
    evil.send('r1', enc({ v: 99, from: 'evil', messages: [] }));
    evil.send('r1', enc({ v: FRAME_VERSION, from: 'evil', messages: [
      { id: -1, src: '/e', dst: '/t', payload: 1 },
      { id: 1, src: 'nope', dst: '/t', payload: 1 },
      { id: 1, src: '/e', dst: '/t/inner', payload: 'breaks the sibling rule' },
      { id: 1, src: '/e', dst: '/nobody', payload: 1 },
      { id: 1, src: '/e', dst: '/t', payload: 'ok' },
      { id: 1, src: '/e', dst: '/t', payload: 'duplicate' },
    ] }));
    evil.send('r1', codec.encode({ v: FRAME_VERSION, from: 'evil', messages: [{ id: 2, src: '/e', dst: '/t', payload: 'ok too' }] }));
    await settle(r1);
    expect(target.payloads()).to.deep.equal(['ok', 'ok too']);
    const c = r1.counters.byCode;
    expect(c.get('ESCHER_MALFORMED_FRAME')).to.equal(2);
    expect(c.get('ESCHER_MALFORMED_MESSAGE')).to.equal(2);
    expect(c.get('ESCHER_SIBLING_RULE')).to.equal(1);
    expect(c.get('ESCHER_UNKNOWN_AGENT')).to.equal(1);
    expect(c.get('ESCHER_DUPLICATE_MESSAGE')).to.equal(1);
    expect(r1.doneBox('/t').contains(2, Path.parse('/e'), Path.parse('/t'))).to.equal(true);
  });

  it('should see an agent that moves between runtimes without restarting the sender', async () => {
    const { r1, r2 } = two();
    const first = new Recorder();
    const second = new Recorder();
    r2.spawn('/svc', first);
    r1.spawn('/client', new Recorder());
    r1.send('/client', '/svc', 1);
    await settle(r1, r2);
    r2.stop('/svc');
    r1.spawn('/svc', second);
    r1.send('/client', '/svc', 2);
    await settle(r1, r2);
    expect(first.payloads()).to.deep.equal([1]);
    expect(second.payloads()).to.deep.equal([2]);
  });
});

describe('Runtime with autoRun off (driven by its caller)', () => {
  it('should run nothing by itself and send frames at the end of each drain', async () => {
    const network = new MemoryNetwork();
    const discovery = new MemoryDiscovery();
    const r1 = createRuntime({ id: 'm1', network, discovery, autoRun: false });
    const r2 = createRuntime({ id: 'm2', network, discovery, autoRun: false });
    const got = new Recorder();
    r2.spawn('/b', got);
    r1.spawn('/a', { onStart: (ctx) => ctx.send('/b', 'x'), receive: () => {} });
    await new Promise((r) => setImmediate(r));
    expect(got.got).to.have.length(0);
    expect(r2.busy).to.equal(true); // the frame arrived (memory network) but nothing ran it
    r2.drain();
    expect(got.payloads()).to.deep.equal(['x']);
  });
});

describe('Runtime with an authenticating network', () => {
  it('should drop, with ForgedSourceError, messages whose source the sending runtime may not claim', async () => {
    const inner = new MemoryNetwork();
    // Runtime "a" may speak for /a and below only.
    const network = Object.assign(Object.create(inner) as MemoryNetwork, {
      mayClaim: (peer: string, src: string) => peer !== 'a' || src === '/a' || src.startsWith('/a/'),
    });
    const discovery = new MemoryDiscovery();
    const a = createRuntime({ id: 'a', network, discovery });
    const b = createRuntime({ id: 'b', network, discovery });
    const got: unknown[] = [];
    const codes: string[] = [];
    b.events$.subscribe((e) => e.kind === 'dropped' && codes.push(e.reason.code));
    b.spawn('/d', { receive: (m) => void got.push(m.payload) });
    a.spawn('/a', { onStart: (ctx) => ctx.send('/d', 'honest'), receive: () => {} });
    a.spawn('/mallory', { onStart: (ctx) => ctx.send('/d', 'forged'), receive: () => {} });
    await a.idle();
    await b.idle();
    expect(got).to.deep.equal(['honest']);
    expect(codes).to.deep.equal(['ESCHER_FORGED_SOURCE']);
    a.close();
    b.close();
  });
});
