import { expect } from 'chai';
import { type AgentContext, type DeterministicBehavior, Envelope, Path, type ProtocolHost } from '@escher/core';
import { Delay, type FaultLayer, type InFlight, Simulator } from '@escher/sim';
import { HierarchyError, Manager, type Wrapper } from '../src';

/** A deterministic service: answers each request with its value doubled. */
class Doubler implements DeterministicBehavior {
  readonly deterministic = true;
  receive(msg: Envelope, ctx: AgentContext): void {
    ctx.reply(msg, { v: (msg.payload as { v: number }).v * 2 });
  }
}

/** Records what reaches the application; sends what it is given at start. */
class Recorder {
  readonly got: Envelope[] = [];
  ctx!: AgentContext;
  constructor(private readonly first: { dst: string; payload: unknown }[] = []) {}
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
    for (const m of this.first) ctx.send(m.dst, m.payload);
  }
  receive(msg: Envelope): void {
    this.got.push(msg);
  }
}

/** Drops or slows frames between two runtimes while told to. */
class Link implements FaultLayer {
  readonly name = 'link';
  dropping = false;
  extraDelay = 0;
  constructor(
    private readonly from: string,
    private readonly to: string,
  ) {}
  apply(frame: InFlight): InFlight[] {
    if (frame.from !== this.from || frame.to !== this.to) return [frame];
    if (this.dropping) return [];
    return [{ ...frame, delay: frame.delay + this.extraDelay }];
  }
}

/** A wrapper that installs nothing and lets any child restart (for tests of the bus alone). */
class Permissive implements Wrapper {
  readonly name = 'permissive';
  attach(_host: ProtocolHost, _parent: Path, _child: Path, _physical: Path): void {}
  restarting(): void {}
}

describe('refinement across incarnations', () => {
  describe('Outbox', () => {
    it('should not take an ACK for the previous incarnation\'s message as one for the new incarnation\'s message with the same id', () => {
      const slowAcks = new Link('/s', '/c');
      const lost = new Link('/c', '/s');
      const sim = new Simulator({ seed: 1, faults: [new Delay({ kind: 'fixed', ms: 1 }), slowAcks, lost] });
      const mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 50 } });
      const server = new Recorder();
      mgr.spawn('/s', server);
      mgr.spawn('/c', new Recorder([{ dst: '/s', payload: 'first life' }]));
      slowAcks.extraDelay = 100; // the ACK of "first life" (#1, incarnation 0) lands after the restart
      sim.at(10, () => {
        sim.crashNode('/c');
        lost.dropping = true; // the new incarnation's #1 is lost: only its outbox can get it through
        sim.restartNode('/c', () => mgr.restart('/c', new Recorder([{ dst: '/s', payload: 'second life' }])));
      });
      sim.at(30, () => (lost.dropping = false));
      sim.run({ maxTime: 1_000 });
      expect(server.got.map((m) => [m.payload, m.id, m.inc])).to.deep.equal([
        ['first life', 1, 0],
        ['second life', 1, 1],
      ]);
      const outbox = mgr.refinement.rolesAt('/c').outbox;
      expect(outbox?.foreignAcks).to.equal(1);
      expect(outbox?.retransmissions).to.be.greaterThan(0);
      expect(outbox?.size).to.equal(0);
    });

    it('should match an ACK to the incarnation it names, ignoring one that names another or none that is valid', () => {
      const sim = new Simulator({ seed: 2 });
      const mgr = new Manager(sim, { now: () => sim.now });
      mgr.spawn('/c', new Recorder([{ dst: '/nobody', payload: 'x' }]));
      sim.crashNode('/c');
      sim.restartNode('/c', () => mgr.restart('/c', new Recorder([{ dst: '/s', payload: 'kept' }]), { incarnation: 4 }));
      const outbox = mgr.refinement.rolesAt('/c').outbox;
      expect(outbox?.size).to.equal(1);
      const ack = (payload: unknown) => new Envelope(1, Path.parse('/s'), Path.parse('/c'), payload);
      for (const wrong of [null, 3, 5, '4', { inc: 4 }]) outbox?.acknowledged(ack(wrong));
      expect(outbox?.size).to.equal(1);
      expect(outbox?.foreignAcks).to.equal(5);
      outbox?.acknowledged(ack(4));
      expect(outbox?.size).to.equal(0);
    });
  });

  describe('Merger', () => {
    it('should merge fragments of children of different incarnations into a message of incarnation 0 from the parent', () => {
      const sim = new Simulator({ seed: 3, faults: [new Delay({ kind: 'uniform', min: 0.5, max: 3 })] });
      const mgr = new Manager(sim, { now: () => sim.now });
      mgr.refine('/kv', { children: ['1', '2', '3'], merge: { waitForMatching: 3 }, create: () => new Doubler(), wrap: new Permissive() });
      const client = new Recorder();
      mgr.spawn('/c', client);
      // Two children restart before anyone speaks, so their numbering is still their siblings'.
      for (const p of ['/kv/1', '/kv/2']) {
        sim.crashNode(p);
        sim.restartNode(p, () => mgr.restart(p, new Doubler(), { incarnation: p === '/kv/1' ? 7 : 2 }));
      }
      sim.at(1, () => [1, 2, 3].forEach((v) => client.ctx.send('/kv', { v })));
      sim.run({ maxTime: 1_000 });
      expect(client.got.map((m) => [m.src, m.inc, (m.payload as { v: number }).v])).to.deep.equal([
        ['/kv', 0, 2],
        ['/kv', 0, 4],
        ['/kv', 0, 6],
      ]);
      expect(sim.hostOf('/c').doneBox('/c').channels().find((c) => c.src === '/kv')?.incarnation).to.equal(0);
      expect(sim.hostOf('/kv/1').agent('/kv/1')?.incarnation).to.equal(7);
    });
  });

  describe('Manager.restart', () => {
    it('should restart a crashed agent with the same stack, under the next incarnation by default', () => {
      const sim = new Simulator({ seed: 4 });
      const mgr = new Manager(sim, { now: () => sim.now });
      mgr.spawn('/c', new Recorder());
      const stack = sim.hostOf('/c').agent('/c')?.stack;
      sim.crashNode('/c');
      sim.restartNode('/c', () => mgr.restart('/c', new Recorder()));
      const info = sim.hostOf('/c').agent('/c');
      expect(info?.stack).to.deep.equal(stack);
      expect(info?.incarnation).to.equal(1);
      sim.crashNode('/c');
      sim.restartNode('/c', () => mgr.restart('/c', new Recorder()));
      expect(sim.hostOf('/c').agent('/c')?.incarnation).to.equal(2);
    });

    it('should refuse, with HierarchyError, to restart a child whose parent\'s wrapper cannot take it back, or an agent it never placed', () => {
      const sim = new Simulator({ seed: 5 });
      const mgr = new Manager(sim, { now: () => sim.now });
      mgr.refine('/echo', { children: ['1', '2'], create: () => new Doubler() });
      sim.crashNode('/echo/1');
      expect(() => mgr.restart('/echo/1', new Doubler())).to.throw(HierarchyError, /cannot restart/);
      expect(() => mgr.restart('/nobody', new Doubler())).to.throw(HierarchyError, /not a physical agent/);
      expect(() => mgr.restart('/echo', new Doubler())).to.throw(HierarchyError, /not a physical agent/);
    });
  });
});
