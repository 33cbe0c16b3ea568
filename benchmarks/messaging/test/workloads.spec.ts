import { expect } from 'chai';
import { createRuntime, type Envelope } from '@escher/core';
import {
  escherFanOut,
  escherPingPong,
  handWrittenFanOut,
  handWrittenPingPong,
  nactFanOut,
  nactPingPong,
  Probe,
} from '../src';

const SIZE = { receivers: 7, rounds: 5 };

describe('messaging workloads', () => {
  describe('ping-pong', () => {
    it('should handle exactly the requested number of messages in every configuration', async () => {
      for (const m of [
        escherPingPong(101, 'empty'),
        escherPingPong(101, 'three-roles'),
        handWrittenPingPong(101),
        await nactPingPong(101),
      ]) {
        expect(m.messages).to.equal(101);
        expect(m.ns).to.be.a('number').and.not.be.NaN;
      }
    });
  });

  describe('fan-out', () => {
    it('should handle rounds × (receivers + 2) messages in every configuration', async () => {
      for (const m of [
        escherFanOut(SIZE, 'empty'),
        escherFanOut(SIZE, 'three-roles'),
        handWrittenFanOut(SIZE),
        await nactFanOut(SIZE),
      ]) {
        expect(m.messages).to.equal(5 * 9);
      }
    });
  });

  describe('Probe', () => {
    it('should stamp, clock and audit every message between participants, each role in its own slot', () => {
      const rt = createRuntime({ id: 'probe-test' });
      const got: Envelope[] = [];
      rt.spawn('/a', () => undefined);
      rt.spawn('/b', (msg) => void got.push(msg));
      const probe = new Probe(rt);
      const a = probe.join('/a');
      const b = probe.join('/b');
      for (let i = 0; i < 3; i++) rt.send('/a', '/b', i);
      rt.drain();
      rt.close();

      expect(got.map((m) => m.payload)).to.deep.equal([0, 1, 2]);
      expect(a.sequencer.sent).to.equal(3);
      expect(b.sequencer.stamped).to.equal(3);
      expect(b.sequencer.unstamped).to.equal(0);
      expect(a.clock.time).to.equal(3);
      expect(b.clock.time).to.equal(4);
      expect(b.audit.dispatched).to.equal(3);
      expect(b.audit.outOfOrder).to.equal(0);
      expect(Object.keys(got[2]?.roleTags ?? {})).to.have.members([
        `${probe.id}/Sequencer`,
        `${probe.id}/LamportClock`,
        `${probe.id}/DispatchAudit`,
      ]);
      expect(got[2]?.roleTags).to.include({ [`${probe.id}/Sequencer`]: 3, [`${probe.id}/DispatchAudit`]: 3 });
    });
  });
});
