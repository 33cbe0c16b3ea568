import { expect } from 'chai';
import {
  type Continuation,
  type DeterministicBehavior,
  type Envelope,
  type EventContinuation,
  Metaobject,
  MetaobjectNotInstalledError,
  type ProtocolEvent,
  RoleRequirementError,
  StateNotReifiableError,
  type StateSnapshot,
  UnhandledEventError,
  createRuntime,
} from '../src';
import { Recorder } from './helpers';

/** Records the order in which hooks see a message. */
class Trace extends Metaobject {
  constructor(private readonly name: string, private readonly log: string[]) {
    super();
  }
  override get label(): string {
    return `Trace(${this.name})`;
  }
  override transmit(msg: Envelope, next: Continuation): void {
    this.log.push(`${this.name}.transmit`);
    next(msg);
  }
  override deliver(msg: Envelope, next: Continuation): void {
    this.log.push(`${this.name}.deliver`);
    next(msg);
  }
  override dispatch(msg: Envelope, next: Continuation): void {
    this.log.push(`${this.name}.dispatch`);
    next(msg);
  }
}

/** Holds every delivered message until told to release it. */
class Gate extends Metaobject {
  readonly held: [Envelope, Continuation][] = [];
  override deliver(msg: Envelope, next: Continuation): void {
    this.held.push([msg, next]);
  }
  release(): void {
    for (const [m, next] of this.held.splice(0)) next(m);
  }
}

/** Holds messages at dispatch, then runs them later in reverse order. */
class ReverseDispatch extends Metaobject {
  readonly held: [Envelope, Continuation][] = [];
  override dispatch(msg: Envelope, next: Continuation): void {
    this.held.push([msg, next]);
  }
  flush(): void {
    for (const [m, next] of this.held.splice(0).reverse()) next(m);
  }
}

class Needs extends Metaobject {
  override readonly requires = ['ordering'];
}
class Gives extends Metaobject {
  override readonly provides = ['ordering'];
}

function pair() {
  const rt = createRuntime();
  const b = new Recorder();
  rt.spawn('/b', b);
  rt.spawn('/a', new Recorder());
  return { rt, b };
}

describe('MetaStack', () => {
  describe('order', () => {
    it('should run transmit bottom→top and deliver/dispatch top→bottom', () => {
      const { rt } = pair();
      const log: string[] = [];
      rt.install('/a', new Trace('a1', log));
      rt.install('/a', new Trace('a2', log));
      rt.install('/b', new Trace('b1', log));
      rt.install('/b', new Trace('b2', log));
      rt.send('/a', '/b', 'x');
      rt.drain();
      expect(log).to.deep.equal([
        'a1.transmit',
        'a2.transmit',
        'b2.deliver',
        'b1.deliver',
        'b2.dispatch',
        'b1.dispatch',
      ]);
      expect(rt.agent('/b')?.stack).to.deep.equal(['Trace(b1)', 'Trace(b2)']);
    });

    it('should install at the bottom or at an index when asked', () => {
      const { rt } = pair();
      const log: string[] = [];
      rt.install('/a', new Trace('top', log));
      rt.install('/a', new Trace('bottom', log), 'bottom');
      rt.install('/a', new Trace('middle', log), 1);
      expect(rt.agent('/a')?.stack).to.deep.equal(['Trace(bottom)', 'Trace(middle)', 'Trace(top)']);
    });
  });

  describe('holding messages', () => {
    it('should let a metaobject hold a message and release it later, even after the stack changed', () => {
      const { rt, b } = pair();
      const gate = new Gate();
      rt.install('/b', gate);
      rt.send('/a', '/b', 1);
      rt.send('/a', '/b', 2);
      rt.drain();
      expect(b.got).to.have.length(0);
      const log: string[] = [];
      rt.install('/b', new Trace('below', log), 'bottom');
      gate.release();
      rt.drain();
      expect(b.payloads()).to.deep.equal([1, 2]);
      expect(log).to.deep.equal(['below.deliver', 'below.deliver', 'below.dispatch', 'below.dispatch']);
    });

    it('should let a dispatch hook hold and reorder, still one message at a time', () => {
      const { rt, b } = pair();
      const rev = new ReverseDispatch();
      rt.install('/b', rev);
      for (let i = 1; i <= 3; i++) rt.send('/a', '/b', i);
      rt.drain();
      expect(b.got).to.have.length(0);
      rev.flush();
      rt.drain();
      expect(b.payloads()).to.deep.equal([3, 2, 1]);
    });

    it('should release held messages of a removed metaobject to the right neighbour', () => {
      const { rt, b } = pair();
      const gate = new Gate();
      rt.install('/b', gate);
      rt.send('/a', '/b', 'held');
      rt.drain();
      rt.remove('/b', gate);
      gate.release();
      rt.drain();
      expect(b.payloads()).to.deep.equal(['held']);
    });
  });

  describe('requirements', () => {
    it('should refuse a metaobject whose requirement nothing below provides', () => {
      const { rt } = pair();
      expect(() => rt.install('/a', new Needs())).to.throw(RoleRequirementError, /ordering/);
      expect(rt.agent('/a')?.stack).to.deep.equal([]);
    });

    it('should accept it above a provider and refuse removing the provider under it', () => {
      const { rt } = pair();
      const g = new Gives();
      rt.install('/a', g);
      rt.install('/a', new Needs());
      expect(() => rt.remove('/a', g)).to.throw(RoleRequirementError);
      expect(() => rt.install('/a', new Needs(), 'bottom')).to.throw(RoleRequirementError);
      expect(rt.agent('/a')?.stack).to.deep.equal(['Gives', 'Needs']);
    });

    it('should take requirements from the application (deterministic, state)', () => {
      const rt = createRuntime();
      class NeedsDet extends Metaobject {
        override readonly requires = ['deterministic', 'state'];
      }
      rt.spawn('/plain', new Recorder());
      const det: DeterministicBehavior = { deterministic: true, receive() {}, reifyState: () => 1, reflectState() {} };
      rt.spawn('/det', det);
      expect(() => rt.install('/plain', new NeedsDet())).to.throw(RoleRequirementError, /deterministic, state/);
      rt.install('/det', new NeedsDet());
    });

    it('should leave the stack unchanged, and the metaobject uninstalled, when its onInstall throws', () => {
      const { rt } = pair();
      const g = new Gives();
      rt.install('/a', g);
      const refuses = new (class Refuses extends Metaobject {
        protected override onInstall(): void {
          throw new Error('bad state on disk');
        }
      })();
      expect(() => rt.install('/a', refuses, 'bottom')).to.throw(/bad state on disk/);
      expect(refuses.installed).to.equal(false);
      expect(rt.agent('/a')?.stack).to.deep.equal(['Gives']);
      rt.install('/a', new Needs());
      expect(rt.agent('/a')?.stack).to.deep.equal(['Gives', 'Needs']);
    });

    it('should refuse removing a metaobject that is not installed', () => {
      const { rt } = pair();
      expect(() => rt.remove('/a', new Gives())).to.throw(MetaobjectNotInstalledError);
    });
  });

  describe('events', () => {
    class Transaction extends Metaobject {
      open = false;
      override control(event: ProtocolEvent, next: EventContinuation): unknown {
        if (event.type === 'begin') {
          this.open = true;
          return 'begun';
        }
        return next(event);
      }
      ask(): unknown {
        return this.ctx.notify({ type: 'query' });
      }
    }

    it('should carry control events up and notify events down to the application', () => {
      const rt = createRuntime();
      const seen: string[] = [];
      rt.spawn('/a', {
        receive() {},
        onEvent: (e) => {
          seen.push(e.type);
          return true;
        },
      });
      const t = new Transaction();
      rt.install('/a', t);
      expect(rt.control('/a', { type: 'begin' })).to.equal('begun');
      expect(t.open).to.equal(true);
      expect(t.ask()).to.equal(true);
      expect(seen).to.deep.equal(['query']);
      expect(() => rt.control('/a', { type: 'nobody-handles-this' })).to.throw(UnhandledEventError);
    });
  });

  describe('reifyState / reflectState', () => {
    class Checkpoint extends Metaobject {
      saved: StateSnapshot | undefined;
      save(): void {
        this.saved = this.ctx.reifyState();
      }
      restore(): void {
        if (this.saved !== undefined) this.ctx.reflectState(this.saved);
      }
    }

    it('should capture an opaque copy of the state and put it back', () => {
      const rt = createRuntime();
      const app = {
        state: { n: 0 },
        receive() {
          app.state.n++;
        },
        reifyState: () => app.state,
        reflectState: (s: unknown) => {
          app.state = s as { n: number };
        },
      };
      rt.spawn('/b', app);
      rt.spawn('/a', new Recorder());
      const cp = new Checkpoint();
      rt.install('/b', cp);
      rt.send('/a', '/b', 1);
      rt.drain();
      cp.save();
      app.state.n = 100; // mutating live state must not reach the snapshot
      rt.send('/a', '/b', 2);
      rt.drain();
      expect(app.state.n).to.equal(101);
      cp.restore();
      expect(app.state.n).to.equal(1);
      expect(Object.keys(cp.saved as object)).to.deep.equal([]);
    });

    it('should refuse reifyState on an application without it', () => {
      const rt = createRuntime();
      rt.spawn('/b', new Recorder());
      const cp = new Checkpoint();
      rt.install('/b', cp);
      expect(() => cp.save()).to.throw(StateNotReifiableError);
    });
  });

  describe('failures in metaobjects', () => {
    it('should drop and count a message whose deliver hook throws, and keep the agent alive', () => {
      const rt = createRuntime();
      class Faulty extends Metaobject {
        override deliver(msg: Envelope, next: Continuation): void {
          if (msg.payload === 'bad') throw new Error('hook failed');
          next(msg);
        }
      }
      const b = new Recorder();
      rt.spawn('/b', b);
      rt.spawn('/a', new Recorder());
      rt.install('/b', new Faulty());
      rt.send('/a', '/b', 'bad');
      rt.send('/a', '/b', 'good');
      rt.drain();
      expect(b.payloads()).to.deep.equal(['good']);
      expect(rt.counters.byCode.get('ESCHER_METAOBJECT_FAILED')).to.equal(1);
    });

    it('should drop a message whose source a metaobject forged', () => {
      const rt = createRuntime();
      class Forger extends Metaobject {
        override transmit(msg: Envelope, next: Continuation): void {
          msg.src = '/c' as typeof msg.src;
          next(msg);
        }
      }
      const b = new Recorder();
      rt.spawn('/b', b);
      rt.spawn('/a', new Recorder());
      rt.install('/a', new Forger());
      rt.send('/a', '/b', 1);
      rt.drain();
      expect(b.got).to.have.length(0);
      expect(rt.counters.byCode.get('ESCHER_FORGED_SOURCE')).to.equal(1);
    });
  });
});
