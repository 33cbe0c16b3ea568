import { expect } from 'chai';
import {
  type Continuation,
  type Envelope,
  type EventContinuation,
  Path,
  Protocol,
  type ProtocolEvent,
  type ProtocolHost,
  ProtocolError,
  Role,
  RoleRequirementError,
  createRuntime,
} from '../src';
import { Recorder } from './helpers';

/** A toy protocol: stampers number the messages they send; checkers record the numbers they receive. */
class Stamping extends Protocol<{ start: number }> {
  constructor(host: ProtocolHost, start = 1, id?: string) {
    super(host, 'stamping', { start }, id);
  }
  addStamper(path: string): Stamper {
    return this.assume(path, new Stamper(this));
  }
  addChecker(path: string): Checker {
    return this.assume(path, new Checker(this));
  }
  stampEvent(): ProtocolEvent {
    return { type: 'skip', instance: this.id };
  }
}

class Stamper extends Role<Stamping> {
  private next = this.protocol.params.start;
  protected override onTransmit(msg: Envelope, next: Continuation): void {
    this.tag(msg, this.next++);
    next(msg);
  }
  protected override onControl(event: ProtocolEvent, next: EventContinuation): unknown {
    if (event.type === 'skip') return (this.next += 100);
    return next(event);
  }
}

class Checker extends Role<Stamping> {
  readonly stamps: unknown[] = [];
  protected override onDeliver(msg: Envelope, next: Continuation): void {
    this.stamps.push(this.tagOf(msg));
    next(msg);
  }
}

describe('Protocol', () => {
  function world() {
    const rt = createRuntime();
    const b = new Recorder();
    rt.spawn('/a', new Recorder());
    rt.spawn('/b', b);
    rt.spawn('/outsider', new Recorder());
    return { rt, b };
  }

  describe('roles and participants', () => {
    it('should tag only messages between participants', () => {
      const { rt, b } = world();
      const p = new Stamping(rt);
      p.addStamper('/a');
      const checker = p.addChecker('/b');
      rt.send('/a', '/b', 'in');
      rt.send('/a', '/outsider', 'out');
      rt.send('/outsider', '/b', 'from outside');
      rt.drain();
      // The checker's hook never sees the outsider's message: it is not between participants.
      expect(checker.stamps).to.deep.equal([1]);
      expect(rt.application<Recorder>('/outsider').got[0]?.roleTags).to.equal(undefined);
      expect(b.payloads()).to.deep.equal(['in', 'from outside']);
      expect(p.participants()).to.deep.equal(['/a', '/b']);
    });

    it('should count descendants of a participant as participants', () => {
      const { rt } = world();
      const p = new Stamping(rt);
      p.addStamper('/a');
      expect(p.isParticipant(Path.parse('/a/1'))).to.equal(true);
      expect(p.isParticipant(Path.parse('/ab'))).to.equal(false);
    });

    it('should keep independent instances on one agent apart, each in its own tag slot', () => {
      const { rt } = world();
      const p1 = new Stamping(rt, 1);
      const p2 = new Stamping(rt, 500);
      p1.addStamper('/a');
      p2.addStamper('/a');
      const c1 = p1.addChecker('/b');
      const c2 = p2.addChecker('/b');
      rt.send('/a', '/b', 'x');
      rt.drain();
      expect(c1.stamps).to.deep.equal([1]);
      expect(c2.stamps).to.deep.equal([500]);
      expect(rt.agent('/a')?.stack).to.deep.equal([`Stamper(${p1.id})`, `Stamper(${p2.id})`]);
    });

    it('should route an event to the instance it names', () => {
      const { rt } = world();
      const p1 = new Stamping(rt, 1);
      const p2 = new Stamping(rt, 1);
      p1.addStamper('/a');
      p2.addStamper('/a');
      rt.control('/a', p2.stampEvent());
      const c1 = p1.addChecker('/b');
      const c2 = p2.addChecker('/b');
      rt.send('/a', '/b', 'x');
      rt.drain();
      expect(c1.stamps).to.deep.equal([1]);
      expect(c2.stamps).to.deep.equal([101]);
    });

    it('should refuse assuming the same role twice on one agent', () => {
      const { rt } = world();
      const p = new Stamping(rt);
      p.addStamper('/a');
      expect(() => p.addStamper('/a')).to.throw(RoleRequirementError, /already installed/);
    });

    it('should refuse installing a role of another instance through an operation', () => {
      const { rt } = world();
      const p2 = new Stamping(rt);
      class Sneaky extends Stamping {
        smuggle(): void {
          this.assume('/a', new Stamper(p2));
        }
      }
      expect(() => new Sneaky(rt).smuggle()).to.throw(ProtocolError);
    });

    it('should remove every role on dispose', () => {
      const { rt } = world();
      const p = new Stamping(rt);
      p.addStamper('/a');
      p.addChecker('/b');
      p.dispose();
      expect(rt.agent('/a')?.stack).to.deep.equal([]);
      expect(rt.agent('/b')?.stack).to.deep.equal([]);
    });
  });
});
