import { expect } from 'chai';
import { FRAME_VERSION, JsonCodec } from '@escher/core';
import { Adversary, Delay, Simulator } from '../src';

describe('Byzantine input through the simulated network', () => {
  it('should refuse and count malformed and replayed frames without crashing, delivering only the valid ones', () => {
    const sim = new Simulator({ seed: 11, codec: 'json', faults: [new Delay({ kind: 'fixed', ms: 1 })] });
    const got: unknown[] = [];
    sim.spawn('/t', (m) => void got.push(m.payload));
    const codec = new JsonCodec();
    const frame = (messages: unknown[]) => codec.encode({ v: FRAME_VERSION, from: 'evil', messages } as never);
    const valid = frame([{ id: 1, src: '/e', dst: '/t', payload: 'ok' }]);
    sim.inject('evil', '/t', new Uint8Array([1, 2, 3]));
    sim.inject('evil', '/t', new Uint8Array(0));
    sim.inject('evil', '/t', frame([{ id: 0, src: '/e', dst: '/t' }, { id: 2, src: '/e/x', dst: '/t/y' }, { id: 3, src: '/e', dst: '/t', roleTags: 'x' }]));
    sim.inject('evil', '/t', valid);
    sim.inject('evil', '/t', valid, 5); // a replay of the same frame later
    sim.run();
    expect(got).to.deep.equal(['ok']);
    const c = sim.node('/t').counters.byCode;
    expect(c.get('ESCHER_MALFORMED_FRAME')).to.equal(2);
    expect(c.get('ESCHER_MALFORMED_MESSAGE')).to.equal(2);
    expect(c.get('ESCHER_SIBLING_RULE')).to.equal(1);
    expect(c.get('ESCHER_DUPLICATE_MESSAGE')).to.equal(1);
  });

  it('should keep an adversary to its own identity: every message it sends carries its own path', () => {
    const sim = new Simulator({ seed: 5, faults: [new Delay({ kind: 'uniform', min: 0.5, max: 3 })] });
    const sources = new Set<string>();
    const peer = (m: { src: string }) => void sources.add(m.src);
    sim.spawn('/a', peer);
    sim.spawn('/b', peer);
    const adversary = new Adversary({
      rng: sim.rng.fork('adversary'),
      attacks: ['replay', 'equivocate', 'garbage', 'flood', 'forge-tags'],
      peers: ['/a', '/b'],
    });
    sim.spawn('/evil', adversary);
    sim.hostOf('/evil').install('/evil', adversary.forger);
    sim.spawn('/driver', { onStart: (ctx) => [1, 2, 3, 4, 5].forEach((i) => ctx.setTimer(i, () => ctx.send('/evil', { poke: i }))), receive() {} });
    sim.run({ maxTime: 1000 });
    expect([...adversary.attempted.values()].reduce((a, b) => a + b, 0)).to.equal(5);
    expect([...sources]).to.deep.equal(['/evil']);
  });
});
