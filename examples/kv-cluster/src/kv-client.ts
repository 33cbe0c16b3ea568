import type { AgentContext, Envelope } from '@escher/core';
import type { ClientReport, KvReply, KvRequest } from './messages';

/** Settings of a {@link KvClient}. */
export interface KvClientOptions {
  /** Requests in all: puts and gets alternate on `keys` keys. */
  readonly requests: number;
  /** Requests outstanding at once. */
  readonly window: number;
  readonly keys: number;
  /** Called with progress every `reportEvery` replies, and once at the end. */
  readonly report: (r: ClientReport) => void;
  readonly reportEvery?: number;
  /** Wall-clock source for the elapsed time it reports. */
  readonly now?: () => number;
}

/**
 * A closed-loop client of the key-value store that checks every reply: each
 * request must be answered exactly once, a put with its own value, and a get
 * with the value of the last put to that key that was answered before the
 * get was sent (this client is the only writer, and it reads a key only
 * when no put to it is outstanding, so the expected value is known).
 */
export class KvClient {
  private ctx!: AgentContext;
  private sent = 0;
  private answered = 0;
  private duplicates = 0;
  private readonly wrong: string[] = [];
  private readonly expected = new Map<number, KvRequest & { expect: string | null }>();
  private readonly done = new Set<number>();
  /** Last acknowledged value per key. */
  private readonly values = new Map<string, string>();
  /** Keys with a put in flight. */
  private readonly writing = new Set<string>();
  private started = 0;

  constructor(private readonly options: KvClientOptions) {}

  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
    this.started = this.now();
    // Give the replicas a moment to elect a leader; requests sent earlier wait in the outbox anyway.
    ctx.setTimer(50, () => this.fill());
  }

  receive(msg: Envelope): void {
    const r = msg.payload as KvReply;
    if (this.done.has(r.req)) {
      this.duplicates++;
      return;
    }
    const q = this.expected.get(r.req);
    if (q === undefined) {
      this.wrong.push(`reply to unknown request ${String(r.req)}`);
      return;
    }
    this.expected.delete(r.req);
    this.done.add(r.req);
    this.answered++;
    if (q.op === 'put') {
      this.writing.delete(q.key);
      this.values.set(q.key, q.value);
      if (r.value !== q.value) this.wrong.push(`put #${q.req} ${q.key}: got ${String(r.value)}`);
    } else if (r.value !== q.expect) {
      this.wrong.push(`get #${q.req} ${q.key}: expected ${String(q.expect)}, got ${String(r.value)}`);
    }
    const every = this.options.reportEvery ?? 100;
    if (this.answered % every === 0) this.options.report({ kind: 'progress', answered: this.answered, total: this.options.requests });
    if (this.answered === this.options.requests) {
      this.options.report({ kind: 'done', answered: this.answered, wrong: this.wrong, duplicates: this.duplicates, elapsedMs: this.now() - this.started });
      return;
    }
    this.fill();
  }

  private fill(): void {
    while (this.sent < this.options.requests && this.expected.size < this.options.window) {
      const req = ++this.sent;
      const key = `k${req % this.options.keys}`;
      let q: KvRequest & { expect: string | null };
      if (req % 2 === 1 && !this.writing.has(key)) {
        q = { op: 'put', req, key, value: `v${req}`, expect: `v${req}` };
        this.writing.add(key);
      } else if (!this.writing.has(key)) {
        q = { op: 'get', req, key, expect: this.values.get(key) ?? null };
      } else {
        // A put to this key is in flight: read another key's last value instead.
        const other = `k${(req + 1) % this.options.keys}`;
        if (this.writing.has(other)) {
          this.sent--;
          return;
        }
        q = { op: 'get', req, key: other, expect: this.values.get(other) ?? null };
      }
      this.expected.set(req, q);
      const { expect: _, ...wire } = q;
      this.ctx.send<KvRequest>('/kv', wire);
    }
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }
}
