import { expect } from 'chai';
import { type Continuation, type Envelope, Metaobject, ProtocolError, UnmergedFragmentError } from '../src';
import { Recorder, droppedCodes, observedRuntime } from './helpers';

/** Calls interleaveIds when installed, as a shard role does. */
class Interleave extends Metaobject {
  constructor(
    private readonly ways: number,
    private readonly index: number,
  ) {
    super();
  }
  protected override onInstall(): void {
    this.ctx.interleaveIds(this.ways, this.index);
  }
}

/** Counts what its agent transmits. */
class Counting extends Metaobject {
  seen = 0;
  override transmit(msg: Envelope, next: Continuation): void {
    this.seen++;
    next(msg);
  }
}

describe('kernel support for refinement', () => {
  describe('inbox', () => {
    it('should drop a tagged message at the inbox with UnmergedFragmentError', () => {
      const { rt, events } = observedRuntime();
      const d = new Recorder();
      rt.spawn('/d', d);
      rt.spawn('/s', { receive: () => {} });
      rt.install('/s', new (class extends Metaobject {
        override transmit(msg: Envelope, next: Continuation): void {
          msg.tags = ['μ'];
          next(msg);
        }
      })());
      rt.send('/s', '/d', 'x');
      rt.drain();
      expect(d.got).to.have.length(0);
      expect(droppedCodes(events)).to.include(new UnmergedFragmentError('', '').code);
    });
  });

  describe('interleaveIds', () => {
    it('should give shards of one agent disjoint ids on the same channel, nested splits included', () => {
      const { rt } = observedRuntime();
      rt.spawn('/d', new Recorder());
      const ids = (path: string, splits: [number, number][]) => {
        rt.spawn(path, { receive: () => {} }, { setup: (p) => splits.forEach(([w, i]) => rt.install(p, new Interleave(w, i))) });
        return [1, 2, 3].map(() => rt.send(path, '/d', null).id);
      };
      expect(ids('/s/a', [[2, 0]])).to.deep.equal([1, 3, 5]);
      expect(ids('/s/b', [[2, 1]])).to.deep.equal([2, 4, 6]);
      // A shard of shard 1 of 2, itself split in 3: index 2 of the inner split.
      const nested = ids('/s/c', [[3, 2], [2, 1]]);
      expect(nested).to.deep.equal([6, 12, 18]);
      const all = [...ids('/s/e', [[3, 0], [2, 1]]), ...ids('/s/f', [[3, 1], [2, 1]]), ...nested];
      expect(new Set(all).size).to.equal(all.length);
      for (const id of all) expect(id % 2).to.equal(0);
    });

    it('should refuse to split ids once the agent has sent, or with a bad split', () => {
      const { rt } = observedRuntime();
      rt.spawn('/d', new Recorder());
      rt.spawn('/s', { receive: () => {} });
      rt.send('/s', '/d', 'first');
      expect(() => rt.install('/s', new Interleave(2, 0))).to.throw(ProtocolError, /before the first message/);
      rt.spawn('/t', { receive: () => {} });
      expect(() => rt.install('/t', new Interleave(2, 2))).to.throw(ProtocolError);
    });
  });

  describe('spawn setup', () => {
    it('should install metaobjects before onStart, so the first messages pass through them', () => {
      const { rt } = observedRuntime();
      rt.spawn('/d', new Recorder());
      const counting = new Counting();
      rt.spawn('/s', { onStart: (ctx) => ctx.send('/d', 'hello'), receive: () => {} }, { setup: (p) => rt.install(p, counting) });
      expect(counting.seen).to.equal(1);
    });

    it('should leave no agent behind when setup throws', () => {
      const { rt } = observedRuntime();
      expect(() => rt.spawn('/s', { receive: () => {} }, { setup: () => { throw new Error('no'); } })).to.throw('no');
      expect(rt.agent('/s')).to.equal(undefined);
      rt.spawn('/s', { receive: () => {} });
      expect(rt.agent('/s')?.status).to.equal('running');
    });
  });
});
