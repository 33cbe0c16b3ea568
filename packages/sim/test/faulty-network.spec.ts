import { expect } from 'chai';
import { MemoryDiscovery, MemoryNetwork, type Runtime, createRuntime } from '@escher/core';
import { Discard, Duplicate, FaultyNetwork, Rng } from '../src';

async function settle(...rts: Runtime[]): Promise<void> {
  for (let i = 0; i < 10; i++) {
    for (const rt of rts) await rt.idle();
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('FaultyNetwork (fault layers on a real network)', () => {
  it('should lose and duplicate frames between real runtimes, duplicates refused by id', async () => {
    const discard = new Discard(0.3);
    const duplicate = new Duplicate(0.3, 0);
    const network = new FaultyNetwork(new MemoryNetwork(), [discard, duplicate], new Rng(3));
    const discovery = new MemoryDiscovery();
    const a = createRuntime({ id: 'a', network, discovery });
    const b = createRuntime({ id: 'b', network, discovery });
    const got: number[] = [];
    b.spawn('/b', (m) => void got.push(m.payload as number));
    a.spawn('/a', { receive() {} });
    for (let i = 1; i <= 200; i++) {
      a.send('/a', '/b', i);
      await a.idle(); // one frame per message
    }
    await settle(a, b);
    expect(discard.dropped).to.be.greaterThan(20);
    expect(duplicate.duplicated).to.be.greaterThan(10);
    expect(got.length).to.equal(200 - discard.dropped);
    expect(new Set(got).size).to.equal(got.length);
    expect(b.counters.byCode.get('ESCHER_DUPLICATE_MESSAGE')).to.equal(duplicate.duplicated);
    a.close();
    b.close();
  });
});
