import type { AgentContext, Envelope } from '@escher/core';
import type { Hit, SearchMessage } from './messages';

/**
 * A shard of the ranking tier: it owns the queries whose normalised text
 * hashes to it. For each, it asks the index for the postings of the query's
 * terms and scores documents by tf·idf. It does not know that the ranking
 * tier is sharded, nor that the index is replicated: it sends to `/index`
 * and answers `/frontend`.
 */
export class RankingShard {
  private readonly waiting = new Map<number, Extract<SearchMessage, { type: 'rank' }>>();
  /** Queries this shard ranked. */
  readonly ranked: string[] = [];

  receive(msg: Envelope, ctx: AgentContext): void {
    const m = msg.payload as SearchMessage;
    if (m.type === 'rank') {
      this.waiting.set(m.qid, m);
      ctx.send<SearchMessage>('/index', { type: 'lookup', qid: m.qid, key: m.key, terms: m.terms });
    } else if (m.type === 'postings') {
      const q = this.waiting.get(m.qid);
      if (q === undefined) return;
      this.waiting.delete(m.qid);
      this.ranked.push(q.key);
      ctx.send<SearchMessage>('/frontend', { type: 'ranked', qid: m.qid, hits: score(m) });
    }
  }
}

/** tf·idf summed over the query's terms, best three. */
function score(m: Extract<SearchMessage, { type: 'postings' }>): Hit[] {
  const scores = new Map<number, number>();
  for (const docs of Object.values(m.postings)) {
    if (docs.length === 0) continue;
    const idf = Math.log(1 + m.docs / docs.length);
    for (const [doc, tf] of docs) scores.set(doc, (scores.get(doc) ?? 0) + tf * idf);
  }
  return [...scores]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 3)
    .map(([doc, s]) => ({ doc, title: m.titles[doc] ?? '', score: Math.round(s * 1000) / 1000 }));
}
