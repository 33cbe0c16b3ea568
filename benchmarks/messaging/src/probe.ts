import { type Continuation, type Envelope, type Path, Protocol, type ProtocolHost, Role } from '@escher/core';

/**
 * A protocol whose only purpose is to put three small pass-through roles on
 * every participant, so the benchmark measures what a realistic stack costs
 * per message. Each role does a little real work on every message in scope
 * and keeps its own tag slot; none ever holds or drops a message.
 */
export class Probe extends Protocol {
  constructor(host: ProtocolHost, id?: string) {
    super(host, 'probe', {}, id);
  }

  /**
   * Operation: `path` joins the probe, assuming {@link Sequencer},
   * {@link LamportClock} and {@link DispatchAudit}, bottom to top.
   */
  join(path: Path | string): ProbeRoles {
    return {
      sequencer: this.assume(path, new Sequencer(this)),
      clock: this.assume(path, new LamportClock(this)),
      audit: this.assume(path, new DispatchAudit(this)),
    };
  }
}

/** The roles one participant assumed. */
export interface ProbeRoles {
  readonly sequencer: Sequencer;
  readonly clock: LamportClock;
  readonly audit: DispatchAudit;
}

/**
 * A role of the probe. Three roles of one protocol instance would share the
 * instance's tag slot; each of these keeps its own, keyed by the instance id
 * and its role name, so none overwrites another's tag.
 */
abstract class ProbeRole extends Role<Probe> {
  private readonly ownSlot: string;

  constructor(protocol: Probe) {
    super(protocol);
    this.ownSlot = `${protocol.id}/${new.target.name}`;
  }

  override get slot(): string {
    return this.ownSlot;
  }
}

/** Stamps every outgoing message with this agent's send count; counts incoming messages with and without a stamp. */
export class Sequencer extends ProbeRole {
  sent = 0;
  stamped = 0;
  unstamped = 0;

  protected override onTransmit(msg: Envelope, next: Continuation): void {
    this.tag(msg, ++this.sent);
    next(msg);
  }

  protected override onDeliver(msg: Envelope, next: Continuation): void {
    if (this.tagOf<number>(msg) === undefined) this.unstamped++;
    else this.stamped++;
    next(msg);
  }
}

/** A Lamport clock: ticks and stamps on transmit, advances past the stamp on deliver. */
export class LamportClock extends ProbeRole {
  time = 0;

  protected override onTransmit(msg: Envelope, next: Continuation): void {
    this.tag(msg, ++this.time);
    next(msg);
  }

  protected override onDeliver(msg: Envelope, next: Continuation): void {
    const stamp = this.tagOf<number>(msg) ?? 0;
    this.time = (stamp > this.time ? stamp : this.time) + 1;
    next(msg);
  }
}

/**
 * Numbers incoming messages as they are accepted and checks, when each is
 * dispatched, that the agent runs them in that order (its inbox is FIFO).
 */
export class DispatchAudit extends ProbeRole {
  delivered = 0;
  dispatched = 0;
  outOfOrder = 0;

  protected override onDeliver(msg: Envelope, next: Continuation): void {
    this.tag(msg, ++this.delivered);
    next(msg);
  }

  protected override onDispatch(msg: Envelope, next: Continuation): void {
    if (this.tagOf<number>(msg) !== ++this.dispatched) this.outOfOrder++;
    next(msg);
  }
}
