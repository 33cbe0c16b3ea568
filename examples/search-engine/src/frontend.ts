import type { AgentContext, Envelope, Path } from '@escher/core';
import type { SearchMessage } from './messages';
import { terms } from './text';

/**
 * The query processor: parses and normalises a query, hands it to the
 * ranking tier, and answers the client when the ranking comes back.
 */
export class Frontend {
  private nextQid = 1;
  private readonly pending = new Map<number, { client: Path; text: string }>();

  receive(msg: Envelope, ctx: AgentContext): void {
    const m = msg.payload as SearchMessage;
    if (m.type === 'search') {
      const t = [...new Set(terms(m.text))].sort();
      const qid = this.nextQid++;
      this.pending.set(qid, { client: msg.src, text: m.text });
      ctx.send<SearchMessage>('/ranking', { type: 'rank', qid, key: t.join(' '), terms: t });
    } else if (m.type === 'ranked') {
      const p = this.pending.get(m.qid);
      if (p === undefined) return;
      this.pending.delete(m.qid);
      ctx.send<SearchMessage>(p.client, { type: 'results', text: p.text, hits: m.hits });
    }
  }
}
