import type { Rng } from '@escher/sim';
import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';

/** One key-value operation. A missing key reads as "". */
export type KvOp =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string }
  | { readonly f: 'cas'; readonly key: string; readonly from: string; readonly to: string };

/** A client's request: operation `n` of client `c` (retries repeat `c` and `n` in a new message). */
export interface KvRequest {
  readonly c: string;
  readonly n: number;
  readonly op: KvOp;
}

/** The answer: a get's value, a cas's outcome, nothing for put and append; `c` and `n` name the request. */
export interface KvReply {
  readonly c?: string;
  readonly n: number;
  readonly value: string | boolean | null;
}

/**
 * Compares the sequences of inputs that replicas apply, as they apply them:
 * each must be a prefix of the longest (Raft's state-machine safety). O(1)
 * per applied input, so it can run on every event of every seed.
 */
export class PrefixChecker {
  private readonly canonical: string[] = [];
  violation: string | undefined;
  record(replica: string, position: number, input: string): void {
    if (position < this.canonical.length) {
      const expected = this.canonical[position];
      if (expected !== input && this.violation === undefined) {
        this.violation = `${replica} applied ${input} at position ${position}, another replica applied ${String(expected)} there`;
      }
    } else this.canonical.push(input);
  }
  /** Inputs applied by the most advanced replica. */
  get length(): number {
    return this.canonical.length;
  }
}

/**
 * A deterministic key-value store with a client table (Raft paper §8): a
 * retried operation (same client and number, new message) is answered from
 * the table, not executed twice. `stale` makes gets return the value before
 * the last write: a negative control for the linearizability check.
 */
export class KvStore implements DeterministicBehavior {
  readonly deterministic = true;
  readonly data = new Map<string, string>();
  /** (client, n) of operations executed, in order. */
  readonly executed: string[] = [];
  /** Inputs (source#id) presented to this copy, in order. */
  readonly inputs: string[] = [];
  private readonly sessions = new Map<string, { n: number; reply: KvReply }>();
  private readonly previous = new Map<string, string>();

  constructor(
    readonly name: string,
    private readonly checker?: PrefixChecker,
    private readonly stale = false,
  ) {}

  receive(msg: Envelope, ctx: AgentContext): void {
    const input = `${msg.src}#${msg.id}`;
    this.checker?.record(this.name, this.inputs.length, input);
    this.inputs.push(input);
    const req = msg.payload as KvRequest;
    const session = this.sessions.get(req.c);
    if (session !== undefined && session.n >= req.n) {
      if (session.n === req.n) ctx.reply(msg, session.reply);
      return;
    }
    const reply: KvReply = { c: req.c, n: req.n, value: this.execute(req.op) };
    this.sessions.set(req.c, { n: req.n, reply });
    this.executed.push(`${req.c}:${req.n}`);
    ctx.reply(msg, reply);
  }

  private execute(op: KvOp): string | boolean | null {
    const before = this.data.get(op.key) ?? '';
    switch (op.f) {
      case 'get':
        return this.stale ? (this.previous.get(op.key) ?? '') : before;
      case 'put':
        this.write(op.key, before, op.value);
        return null;
      case 'append':
        this.write(op.key, before, before + op.value);
        return null;
      case 'cas':
        if (before !== op.from) return false;
        this.write(op.key, before, op.to);
        return true;
      default: {
        const never: never = op;
        throw new Error(`unknown operation ${JSON.stringify(never)}`);
      }
    }
  }

  private write(key: string, before: string, value: string): void {
    this.previous.set(key, before);
    this.data.set(key, value);
  }
}

/**
 * A random operation of the workload on keys x and y: a get, put, append, or
 * a cas from the value this client last read (so some succeed). `value` is
 * unique to the client and operation, which the checkers rely on.
 */
export function randomKvOp(rng: Rng, value: string, lastRead: ReadonlyMap<string, string>): KvOp {
  const key = rng.pick(['x', 'y']);
  const f = rng.pick(['get', 'put', 'append', 'cas'] as const);
  switch (f) {
    case 'get':
      return { f, key };
    case 'put':
    case 'append':
      return { f, key, value };
    case 'cas':
      return { f, key, from: lastRead.get(key) ?? '', to: value };
    default: {
      const never: never = f;
      throw new Error(`unknown operation ${String(never)}`);
    }
  }
}
