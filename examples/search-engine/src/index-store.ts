import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';
import type { Postings, SearchMessage } from './messages';
import { terms } from './text';

/**
 * The index tier's state machine: an inverted index. Deterministic, so the
 * replication wrapper can run one copy per replica; each copy answers, and
 * the asker's runtime merges the answers into one.
 */
export class IndexStore implements DeterministicBehavior {
  readonly deterministic = true;
  private readonly postings = new Map<string, Map<number, number>>();
  private readonly titles = new Map<number, string>();

  get documents(): number {
    return this.titles.size;
  }

  receive(msg: Envelope, ctx: AgentContext): void {
    const m = msg.payload as SearchMessage;
    switch (m.type) {
      case 'add': {
        if (!this.titles.has(m.doc.id)) {
          this.titles.set(m.doc.id, m.doc.title);
          for (const t of terms(`${m.doc.title} ${m.doc.text}`)) {
            let docs = this.postings.get(t);
            if (docs === undefined) this.postings.set(t, (docs = new Map()));
            docs.set(m.doc.id, (docs.get(m.doc.id) ?? 0) + 1);
          }
        }
        ctx.reply<SearchMessage>(msg, { type: 'added', id: m.doc.id, docs: this.titles.size });
        return;
      }
      case 'lookup': {
        const postings: Record<string, Postings> = {};
        const titles: Record<number, string> = {};
        for (const t of m.terms) {
          const docs = [...(this.postings.get(t) ?? new Map<number, number>())].sort((a, b) => a[0] - b[0]);
          postings[t] = docs;
          for (const [d] of docs) titles[d] = this.titles.get(d) ?? '';
        }
        ctx.reply<SearchMessage>(msg, { type: 'postings', qid: m.qid, key: m.key, postings, titles, docs: this.titles.size });
        return;
      }
      default:
        // Anything else is not for the index: ignore it (a real service would answer with an error message).
        return;
    }
  }
}
