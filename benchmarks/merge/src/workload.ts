import { type AgentContext, type Behavior, createRuntime, type Envelope, type Runtime } from '@escher/core';
import { elapsedNs, now } from '@escher/bench-harness';
import { Manager, type Merger } from '@escher/protocol-refinement';

/** One timed run: how many fragments (or plain messages) went through, and how long it took. */
export interface Measurement {
  /** Messages the sending agents sent: fragments for a refined sender, plain messages for the baseline. */
  readonly sent: number;
  /** Messages that reached the receiver's application. */
  readonly delivered: number;
  /** Wall-clock time from the first send until the runtime was drained, in nanoseconds. */
  readonly ns: number;
}

/** A merge workload: `children` replicas of `/s` each send `messages` replies to `/d`, merged with `waitForMatching`. */
export interface MergeCase {
  readonly children: number;
  readonly waitForMatching: number;
  /** Messages of the virtual sender `/s`, so `children × messages` fragments. */
  readonly messages: number;
}

/** A run counted something other than what its workload implies: its figure would be meaningless. */
export class MiscountError extends Error {
  constructor(
    readonly workload: string,
    readonly counter: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${workload}: ${counter} is ${actual}, expected ${expected}`);
    this.name = 'MiscountError';
  }
}

function expectCount(workload: string, counter: string, expected: number, actual: number | undefined): void {
  if (actual !== expected) throw new MiscountError(workload, counter, expected, actual ?? Number.NaN);
}

/** Messages sent between two drains: bounds the arrival queue without draining after every send. */
const BATCH = 1000;

const KEYS = Array.from({ length: 64 }, (_, i) => `key-${i}`);

/**
 * The reply a replica sends for request `seq`: a small object, as a
 * key-value store would answer (about 70 bytes of canonical JSON). Each
 * replica builds its own copy, as each would after decoding from the wire,
 * so Byzantine matching compares equal values, never the same object.
 */
export function replyPayload(seq: number): { seq: number; status: string; result: { key: string; version: number; value: number } } {
  return { seq, status: 'ok', result: { key: KEYS[seq & 63] as string, version: seq, value: seq * 2 } };
}

/** An agent that only sends: the benchmark drives it through the context it keeps. */
class Sender implements Behavior {
  ctx: AgentContext | undefined;
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }
  receive(): void {
    // Nothing is sent to the senders.
  }
  get context(): AgentContext {
    if (this.ctx === undefined) throw new Error('the sender has not started');
    return this.ctx;
  }
}

/** The receiver's application: counts what arrives and checks it comes in order, from the expected source. */
class Sink implements Behavior {
  received = 0;
  outOfOrder = 0;
  constructor(private readonly from: string) {}
  receive(msg: Envelope): void {
    this.received++;
    const p = msg.payload as { seq: number };
    if (msg.src !== this.from || p.seq !== this.received) this.outOfOrder++;
  }
}

/** A runtime driven synchronously (`drain()`), with the refinement roles but no outbox: only tagging and merging. */
function world(): { rt: Runtime; mgr: Manager } {
  const rt = createRuntime({ id: 'merge-bench', autoRun: false });
  const mgr = new Manager(rt, { refinement: { reliable: false } });
  return { rt, mgr };
}

/**
 * A refined sender `/s` with `children` children, each sending the same
 * `messages` replies to the physical receiver `/d`, which merges them with
 * `{ waitForMatching, from: children }`. Replicas send in lockstep (message
 * i from every child, then message i + 1), and the runtime is drained
 * every {@link BATCH} messages. The clock covers sending, tagging, the bus,
 * merging, and running the merged message at `/d`.
 * @throws MiscountError if the receiver did not get each message exactly once, in order
 */
export function mergeRun(c: MergeCase): Measurement {
  const { rt, mgr } = world();
  const names = Array.from({ length: c.children }, (_, i) => String(i + 1));
  const senders = names.map(() => new Sender());
  mgr.refine('/s', {
    children: names,
    merge: { waitForMatching: c.waitForMatching },
    create: (child) => senders[Number(child.slice(child.lastIndexOf('/') + 1)) - 1] as Sender,
  });
  const sink = new Sink('/s');
  mgr.spawn('/d', sink);
  const ctxs = senders.map((s) => s.context);
  const n = ctxs.length;
  try {
    const start = now();
    for (let from = 1; from <= c.messages; from += BATCH) {
      const to = Math.min(c.messages, from + BATCH - 1);
      for (let seq = from; seq <= to; seq++) {
        for (let i = 0; i < n; i++) (ctxs[i] as AgentContext).send('/d', replyPayload(seq));
      }
      rt.drain();
    }
    const ns = elapsedNs(start);
    const label = `merge n=${c.children} k=${c.waitForMatching}`;
    const merger = mgr.refinement.rolesAt('/d').merger as Merger;
    expectCount(label, 'messages delivered', c.messages, sink.received);
    expectCount(label, 'messages out of order or from the wrong source', 0, sink.outOfOrder);
    expectCount(label, 'merged', c.messages, merger.merged);
    expectCount(label, 'late fragments', c.messages * (c.children - c.waitForMatching), merger.late);
    expectCount(label, 'rejected fragments', 0, merger.rejected);
    expectCount(label, 'open merge groups', 0, merger.openGroups);
    return { sent: c.messages * c.children, delivered: sink.received, ns };
  } finally {
    rt.close();
  }
}

/**
 * The baseline: a physical agent `/u` sends `messages` plain messages to
 * `/d` through the same stacks (Tagger and Merger on both ends, both
 * passing an untagged message through), driven the same way.
 * @throws MiscountError
 */
export function untaggedRun(messages: number): Measurement {
  const { rt, mgr } = world();
  const sender = new Sender();
  mgr.spawn('/u', sender);
  const sink = new Sink('/u');
  mgr.spawn('/d', sink);
  const ctx = sender.context;
  try {
    const start = now();
    for (let from = 1; from <= messages; from += BATCH) {
      const to = Math.min(messages, from + BATCH - 1);
      for (let seq = from; seq <= to; seq++) ctx.send('/d', replyPayload(seq));
      rt.drain();
    }
    const ns = elapsedNs(start);
    const merger = mgr.refinement.rolesAt('/d').merger as Merger;
    expectCount('untagged', 'messages delivered', messages, sink.received);
    expectCount('untagged', 'messages out of order or from the wrong source', 0, sink.outOfOrder);
    expectCount('untagged', 'merged', 0, merger.merged);
    return { sent: messages, delivered: sink.received, ns };
  } finally {
    rt.close();
  }
}
