import { type BusEvent, type Envelope, type Runtime, createRuntime, type CreateRuntimeOptions } from '../src';

/** A behaviour that records what it receives and can be told how to react. */
export class Recorder {
  readonly got: Envelope[] = [];
  constructor(private readonly react?: (msg: Envelope, ctx: import('../src').AgentContext) => void) {}
  receive(msg: Envelope, ctx: import('../src').AgentContext): void {
    this.got.push(msg);
    this.react?.(msg, ctx);
  }
  payloads(): unknown[] {
    return this.got.map((m) => m.payload);
  }
}

/** A runtime plus a list of every event it publishes. */
export function observedRuntime(options: CreateRuntimeOptions = {}): { rt: Runtime; events: BusEvent[] } {
  const rt = createRuntime(options);
  const events: BusEvent[] = [];
  rt.events$.subscribe((e) => events.push(e));
  return { rt, events };
}

/** Codes of the dropped-message events. */
export function droppedCodes(events: BusEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'dropped' ? [e.reason.code] : []));
}
