import { expect } from 'chai';
import {
  AgentExistsError,
  HandlerError,
  InvalidMinDepthError,
  InvalidPathError,
  Path,
  SiblingRuleError,
  UnknownAgentError,
  createRuntime,
} from '../src';
import { Recorder, droppedCodes, observedRuntime } from './helpers';

describe('Runtime', () => {
  describe('refinement-aware delivery (Escher §2.2)', () => {
    it('should deliver a message for /d to every agent under /d, each with its own copy', () => {
      const { rt } = observedRuntime();
      const d1 = new Recorder((m) => (m.payload = 'changed by d1'));
      const d2 = new Recorder();
      const d3 = new Recorder();
      rt.spawn('/d/1', d1);
      rt.spawn('/d/2', d2);
      rt.spawn('/d/x/3', d3);
      rt.spawn('/dd', new Recorder());
      rt.spawn('/s', { onStart: (ctx) => ctx.send('/d', 'hello'), receive: () => {} });
      rt.drain();
      expect(d1.got).to.have.length(1);
      expect(d2.payloads()).to.deep.equal(['hello']);
      expect(d3.payloads()).to.deep.equal(['hello']);
      expect(rt.application<Recorder>('/dd').got).to.have.length(0);
      expect(d2.got[0]?.dst).to.equal('/d');
    });

    it('should honour each agent\'s minimum depth', () => {
      const rt = createRuntime();
      const shallow = new Recorder();
      const deep = new Recorder();
      rt.spawn('/x/y/z', deep, { minDepth: 2 });
      rt.spawn('/x/y/w', shallow, { minDepth: 1 });
      rt.spawn('/a', { onStart: (ctx) => ctx.send('/x', 'to x'), receive: () => {} });
      rt.spawn('/x/b', { onStart: (ctx) => ctx.send('/x/y', 'to x/y'), receive: () => {} });
      rt.drain();
      expect(deep.payloads()).to.deep.equal(['to x/y']);
      expect(shallow.payloads()).to.have.members(['to x', 'to x/y']);
    });

    it('should refuse a minimum depth outside 1..depth', () => {
      const rt = createRuntime();
      expect(() => rt.spawn('/a/b', new Recorder(), { minDepth: 3 })).to.throw(InvalidMinDepthError);
      expect(() => rt.spawn('/a/b', new Recorder(), { minDepth: 0 })).to.throw(InvalidMinDepthError);
      expect(() => rt.spawn('/a/b', new Recorder(), { minDepth: 1.5 })).to.throw(InvalidMinDepthError);
    });
  });

  describe('message ids', () => {
    it('should number messages 1, 2, 3 per (src, dst)', () => {
      const rt = createRuntime();
      const b = new Recorder();
      const c = new Recorder();
      rt.spawn('/b', b);
      rt.spawn('/c', c);
      rt.spawn('/a', {
        onStart: (ctx) => {
          ctx.send('/b', 1);
          ctx.send('/c', 1);
          ctx.send('/b', 2);
        },
        receive: () => {},
      });
      rt.drain();
      expect(b.got.map((m) => m.id)).to.deep.equal([1, 2]);
      expect(c.got.map((m) => m.id)).to.deep.equal([1]);
      expect(rt.doneBox('/b').contains(2, Path.parse('/a'), Path.parse('/b'))).to.equal(true);
      expect(rt.doneBox('/b').channels()).to.deep.equal([{ src: '/a', dst: '/b', incarnation: 0, doneWatermark: 2, sparse: 0 }]);
    });
  });

  describe('bad input', () => {
    it('should refuse a malformed path in send with InvalidPathError, counted', () => {
      const { rt, events } = observedRuntime();
      rt.spawn('/a', { onStart: (ctx) => ctx.send('not a path', 1), receive: () => {} });
      expect(rt.counters.errors).to.equal(1);
      const e = events.find((x) => x.kind === 'error');
      expect(e?.kind === 'error' && e.error).to.be.instanceOf(HandlerError);
      expect(e?.kind === 'error' && (e.error.cause as Error)).to.be.instanceOf(InvalidPathError);
    });

    it('should refuse a send that breaks the sibling rule and not deliver it', () => {
      const rt = createRuntime();
      const child = new Recorder();
      rt.spawn('/b/c', child);
      rt.spawn('/a', {
        onStart: (ctx) => {
          expect(() => ctx.send('/b/c', 'cousin')).to.throw(SiblingRuleError);
        },
        receive: () => {},
      });
      rt.drain();
      expect(child.got).to.have.length(0);
    });

    it('should drop and count a message to an unknown agent', () => {
      const { rt, events } = observedRuntime();
      rt.spawn('/a', { onStart: (ctx) => ctx.send('/nobody', 1), receive: () => {} });
      expect(droppedCodes(events)).to.deep.equal([new UnknownAgentError('/nobody').code]);
      expect(rt.counters.byCode.get('ESCHER_UNKNOWN_AGENT')).to.equal(1);
    });

    it('should refuse a second agent at the same path', () => {
      const rt = createRuntime();
      rt.spawn('/a', new Recorder());
      expect(() => rt.spawn('/a', new Recorder())).to.throw(AgentExistsError);
    });

    it('should catch a throwing handler at the agent boundary and keep running', () => {
      const { rt, events } = observedRuntime();
      const b = new Recorder((m) => {
        if (m.payload === 'boom') throw new Error('kaboom');
      });
      rt.spawn('/b', b);
      rt.spawn('/a', {
        onStart: (ctx) => {
          ctx.send('/b', 'boom');
          ctx.send('/b', 'fine');
        },
        receive: () => {},
      });
      rt.drain();
      expect(b.payloads()).to.deep.equal(['boom', 'fine']);
      const errs = events.filter((e) => e.kind === 'error');
      expect(errs).to.have.length(1);
      expect(errs[0]?.kind === 'error' && errs[0].error.message).to.match(/kaboom/);
      // The failed message still counts as handled: it is in the done box, not lost or re-run.
      expect(rt.doneBox('/b').contains(1, Path.parse('/a'), Path.parse('/b'))).to.equal(true);
    });
  });

  describe('crash', () => {
    it('should drop and count messages for a crashed agent while its siblings go on', () => {
      const { rt, events } = observedRuntime();
      const r1 = new Recorder();
      const r2 = new Recorder();
      rt.spawn('/s/1', r1);
      rt.spawn('/s/2', r2);
      rt.crash('/s/1');
      rt.spawn('/c', { onStart: (ctx) => ctx.send('/s', 'x'), receive: () => {} });
      rt.drain();
      expect(r1.got).to.have.length(0);
      expect(r2.got).to.have.length(1);
      expect(droppedCodes(events)).to.deep.equal(['ESCHER_AGENT_UNAVAILABLE']);
      expect(rt.agent('/s/1')?.status).to.equal('crashed');
    });

    it('should let a crashed agent be spawned again with fresh state', () => {
      const rt = createRuntime();
      rt.spawn('/a', new Recorder());
      rt.crash('/a');
      const fresh = new Recorder();
      rt.spawn('/a', fresh);
      rt.spawn('/b', { onStart: (ctx) => ctx.send('/a', 1), receive: () => {} });
      rt.drain();
      expect(fresh.got).to.have.length(1);
    });
  });

  describe('events$', () => {
    it('should publish transmitted, delivered and dispatched for every message, and count them', () => {
      const { rt, events } = observedRuntime();
      rt.spawn('/b', new Recorder());
      rt.spawn('/a', { onStart: (ctx) => ctx.send('/b', 1), receive: () => {} });
      rt.drain();
      const kinds = events.filter((e) => e.kind !== 'lifecycle').map((e) => e.kind);
      expect(kinds).to.deep.equal(['transmitted', 'delivered', 'dispatched']);
      expect(rt.counters.snapshot()).to.include({ transmitted: 1, delivered: 1, dispatched: 1, dropped: 0, errors: 0 });
    });
  });

  describe('scheduler', () => {
    it('should run queued work by itself and resolve idle()', async () => {
      const rt = createRuntime();
      let count = 0;
      rt.spawn('/b', (m, ctx) => {
        if ((m.payload as number) < 50) ctx.reply(m, (m.payload as number) + 1);
        count++;
      });
      rt.spawn('/a', {
        onStart: (ctx) => ctx.send('/b', 0),
        receive: (m, ctx) => {
          count++;
          ctx.reply(m, (m.payload as number) + 1);
        },
      });
      await rt.idle();
      expect(count).to.equal(51);
    });

    it('should interleave agents one message at a time', () => {
      const rt = createRuntime();
      const order: string[] = [];
      rt.spawn('/b', (m) => order.push(`b${String(m.payload)}`));
      rt.spawn('/c', (m) => order.push(`c${String(m.payload)}`));
      rt.spawn('/a', {
        onStart: (ctx) => {
          for (let i = 0; i < 3; i++) ctx.send('/b', i);
          for (let i = 0; i < 3; i++) ctx.send('/c', i);
        },
        receive: () => {},
      });
      rt.drain();
      expect(order).to.deep.equal(['b0', 'c0', 'b1', 'c1', 'b2', 'c2']);
    });
  });
});
