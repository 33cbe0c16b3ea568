import { Subject, type Observable } from 'rxjs';
import type { Envelope } from './envelope';
import type { EscherError } from './errors';
import type { Path } from './path';

/** A message left an agent's stack and entered the bus. */
export interface TransmittedEvent {
  readonly kind: 'transmitted';
  readonly runtime: string;
  readonly msg: Envelope;
}
/** A message was accepted into an agent's inbox. */
export interface DeliveredEvent {
  readonly kind: 'delivered';
  readonly runtime: string;
  readonly agent: Path;
  readonly msg: Envelope;
}
/** A message was handed to an agent's handler. */
export interface DispatchedEvent {
  readonly kind: 'dispatched';
  readonly runtime: string;
  readonly agent: Path;
  readonly msg: Envelope;
}
/** A message was refused or discarded; `reason` says why. */
export interface DroppedEvent {
  readonly kind: 'dropped';
  readonly runtime: string;
  readonly agent: Path | undefined;
  readonly msg: Envelope | undefined;
  readonly reason: EscherError;
}
/** Something failed at an agent boundary without a message being refused. */
export interface ErrorEvent {
  readonly kind: 'error';
  readonly runtime: string;
  readonly agent: Path | undefined;
  readonly msg: Envelope | undefined;
  readonly error: EscherError;
}
/** An agent's lifecycle changed. */
export interface LifecycleEvent {
  readonly kind: 'lifecycle';
  readonly runtime: string;
  readonly agent: Path;
  readonly status: 'spawned' | 'crashed' | 'stopped' | 'stack-changed';
}

/** Every step of the bus, as published on a runtime's event stream. */
export type BusEvent = TransmittedEvent | DeliveredEvent | DispatchedEvent | DroppedEvent | ErrorEvent | LifecycleEvent;

/** Running totals of bus steps; always maintained, whether or not anyone observes the stream. */
export class BusCounters {
  transmitted = 0;
  delivered = 0;
  dispatched = 0;
  dropped = 0;
  errors = 0;
  /** Dropped messages and errors by error code. */
  readonly byCode = new Map<string, number>();

  count(code: string): void {
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
  }

  /** A plain-object copy, for printing and JSON. */
  snapshot(): {
    transmitted: number;
    delivered: number;
    dispatched: number;
    dropped: number;
    errors: number;
    byCode: Record<string, number>;
  } {
    return {
      transmitted: this.transmitted,
      delivered: this.delivered,
      dispatched: this.dispatched,
      dropped: this.dropped,
      errors: this.errors,
      byCode: Object.fromEntries(this.byCode),
    };
  }
}

/**
 * The runtime's observable record of bus steps plus its counters. Events are
 * built only while someone subscribes, so an unobserved runtime pays for a
 * counter increment per step and nothing more.
 */
export class EventLog {
  readonly counters = new BusCounters();
  private readonly subject = new Subject<BusEvent>();
  /** Every bus step while subscribed. */
  readonly events$: Observable<BusEvent> = this.subject.asObservable();

  constructor(private readonly runtime: string) {}

  get observed(): boolean {
    return this.subject.observed;
  }

  transmitted(msg: Envelope): void {
    this.counters.transmitted++;
    if (this.subject.observed) this.subject.next({ kind: 'transmitted', runtime: this.runtime, msg });
  }

  delivered(agent: Path, msg: Envelope): void {
    this.counters.delivered++;
    if (this.subject.observed) this.subject.next({ kind: 'delivered', runtime: this.runtime, agent, msg });
  }

  dispatched(agent: Path, msg: Envelope): void {
    this.counters.dispatched++;
    if (this.subject.observed) this.subject.next({ kind: 'dispatched', runtime: this.runtime, agent, msg });
  }

  dropped(agent: Path | undefined, msg: Envelope | undefined, reason: EscherError): void {
    this.counters.dropped++;
    this.counters.count(reason.code);
    if (this.subject.observed) this.subject.next({ kind: 'dropped', runtime: this.runtime, agent, msg, reason });
  }

  error(agent: Path | undefined, msg: Envelope | undefined, error: EscherError): void {
    this.counters.errors++;
    this.counters.count(error.code);
    if (this.subject.observed) this.subject.next({ kind: 'error', runtime: this.runtime, agent, msg, error });
  }

  lifecycle(agent: Path, status: LifecycleEvent['status']): void {
    if (this.subject.observed) this.subject.next({ kind: 'lifecycle', runtime: this.runtime, agent, status });
  }

  complete(): void {
    this.subject.complete();
  }
}
