import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';
import type { KvReply, KvRequest } from './messages';

/**
 * The replicated service: a map of strings. Deterministic (no clock, no
 * randomness, replies depend only on the order of requests), so the Raft
 * wrapper can run one copy per replica and every copy answers the same.
 */
export class KvStore implements DeterministicBehavior {
  readonly deterministic = true;
  private readonly data = new Map<string, string>();
  private puts = 0;

  receive(msg: Envelope, ctx: AgentContext): void {
    const r = msg.payload as Partial<KvRequest> | null;
    if (r === null || typeof r !== 'object' || typeof r.key !== 'string' || typeof r.req !== 'number') return;
    if (r.op === 'put' && typeof r.value === 'string') {
      this.data.set(r.key, r.value);
      this.puts++;
      ctx.reply<KvReply>(msg, { req: r.req, op: 'put', key: r.key, value: r.value, applied: this.puts });
    } else if (r.op === 'get') {
      ctx.reply<KvReply>(msg, { req: r.req, op: 'get', key: r.key, value: this.data.get(r.key) ?? null, applied: this.puts });
    }
  }

  /** Keys held (for tests). */
  get size(): number {
    return this.data.size;
  }
}
