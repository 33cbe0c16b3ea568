import { InvalidTimeError, ProcessBusyError, ReturnWithoutInvokeError } from './errors';
import type { LinearizabilityErrorOptions } from './errors';
import type { HistoryEvent, Operation, ProcessId } from './operation';
import { UNKNOWN } from './operation';

interface InFlight {
  readonly id: number;
  readonly f: string;
  readonly input: unknown;
  readonly call: number;
}

/**
 * Records what clients did to a shared object: each process invokes one
 * operation at a time, and the operation ends `ok` (with an output), `fail`
 * (it definitely took no effect) or `info` (unknown: it may take effect at
 * any later time, or never).
 *
 * Timestamps are positions in the recorded order unless the caller passes
 * explicit ones. Only their order matters; at equal times an invocation
 * counts as concurrent with a return.
 *
 * A failure that still observed something belongs in `ok`: a cas whose
 * compare did not match is a completed call that returned `false`.
 *
 * Malformed sequences throw typed errors: {@link ReturnWithoutInvokeError},
 * {@link ProcessBusyError}, {@link InvalidTimeError}.
 */
export class History {
  private readonly recorded: HistoryEvent[] = [];
  private readonly inFlight = new Map<ProcessId, InFlight>();
  private readonly done: Operation[] = [];
  private invocations = 0;
  private nextTime = 0;

  /** Build a history by replaying events (their `time` fields are kept). */
  static fromEvents(events: Iterable<HistoryEvent>): History {
    const h = new History();
    for (const e of events) h.record(e);
    return h;
  }

  /** Every event so far, in recorded order. */
  get events(): readonly HistoryEvent[] {
    return this.recorded;
  }

  /** Number of invocations so far. */
  get size(): number {
    return this.invocations;
  }

  /** Processes with an operation in flight. */
  get busy(): readonly ProcessId[] {
    return [...this.inFlight.keys()];
  }

  /** Record an invocation; returns its operation id. */
  invoke(process: ProcessId, f: string, input?: unknown, time?: number, options?: LinearizabilityErrorOptions): number {
    const pending = this.inFlight.get(process);
    if (pending) throw new ProcessBusyError(process, pending.id, options);
    const t = this.stamp(time, options);
    const id = this.invocations++;
    this.inFlight.set(process, { id, f, input, call: t });
    this.recorded.push({ type: 'invoke', process, f, input, time: t });
    return id;
  }

  /** Record that the process's operation completed with `output`. */
  ok(process: ProcessId, output?: unknown, time?: number, options?: LinearizabilityErrorOptions): void {
    const op = this.finish(process, 'ok', time, options);
    this.recorded.push({ type: 'ok', process, output, time: op.ret });
    this.done.push({ ...op, outcome: 'ok', output });
  }

  /** Record that the process's operation definitely took no effect; the checker leaves it out. */
  fail(process: ProcessId, time?: number, options?: LinearizabilityErrorOptions): void {
    const op = this.finish(process, 'fail', time, options);
    this.recorded.push({ type: 'fail', process, time: op.ret });
    this.done.push({ ...op, outcome: 'fail', output: undefined });
  }

  /**
   * Record that the outcome of the process's operation is unknown (a timeout).
   * The process is free to invoke again; the operation stays concurrent with
   * everything after its invocation.
   */
  info(process: ProcessId, time?: number, options?: LinearizabilityErrorOptions): void {
    const op = this.finish(process, 'info', time, options);
    this.recorded.push({ type: 'info', process, time: op.ret });
    this.done.push({ ...op, outcome: 'info', output: UNKNOWN, ret: Infinity });
  }

  /** Record one event (as produced by {@link History.events}). */
  record(event: HistoryEvent, options?: LinearizabilityErrorOptions): void {
    switch (event.type) {
      case 'invoke':
        this.invoke(event.process, event.f, event.input, event.time, options);
        return;
      case 'ok':
        this.ok(event.process, event.output, event.time, options);
        return;
      case 'fail':
        this.fail(event.process, event.time, options);
        return;
      case 'info':
        this.info(event.process, event.time, options);
        return;
      default: {
        const never: never = event;
        throw new Error(`unreachable: ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Every operation, ordered by id. Invocations still in flight count as
   * `info`: they never returned, so they may or may not have taken effect.
   */
  operations(): Operation[] {
    const ops: Operation[] = [...this.done];
    for (const [process, p] of this.inFlight) {
      ops.push({ id: p.id, process, f: p.f, input: p.input, outcome: 'info', output: UNKNOWN, call: p.call, ret: Infinity });
    }
    return ops.sort((a, b) => a.id - b.id);
  }

  private finish(
    process: ProcessId,
    type: 'ok' | 'fail' | 'info',
    time: number | undefined,
    options: LinearizabilityErrorOptions | undefined,
  ): Omit<Operation, 'outcome' | 'output'> {
    const pending = this.inFlight.get(process);
    if (!pending) throw new ReturnWithoutInvokeError(process, type, options);
    const t = this.stamp(time, options);
    if (t < pending.call) throw new InvalidTimeError(t, `return of operation ${pending.id} before its invocation at ${pending.call}`, options);
    this.inFlight.delete(process);
    return { id: pending.id, process, f: pending.f, input: pending.input, call: pending.call, ret: t };
  }

  private stamp(time: number | undefined, options: LinearizabilityErrorOptions | undefined): number {
    if (time === undefined) return this.nextTime++;
    if (typeof time !== 'number' || !Number.isFinite(time)) throw new InvalidTimeError(time, 'not a finite number', options);
    this.nextTime = Math.max(this.nextTime, time + 1);
    return time;
  }
}
