import type { Doc } from './corpus';

/** One scored document. */
export interface Hit {
  readonly doc: number;
  readonly title: string;
  readonly score: number;
}

/** Postings of one term: [document id, occurrences]. */
export type Postings = readonly (readonly [number, number])[];

/**
 * Messages between the tiers. `key` is the ranking tier's shard key (the
 * normalised query): the index puts it back on its answer so that the
 * answer reaches the shard that asked.
 */
export type SearchMessage =
  | { readonly type: 'search'; readonly text: string }
  | { readonly type: 'results'; readonly text: string; readonly hits: readonly Hit[] }
  | { readonly type: 'rank'; readonly qid: number; readonly key: string; readonly terms: readonly string[] }
  | { readonly type: 'ranked'; readonly qid: number; readonly hits: readonly Hit[] }
  | { readonly type: 'lookup'; readonly qid: number; readonly key: string; readonly terms: readonly string[] }
  | {
      readonly type: 'postings';
      readonly qid: number;
      readonly key: string;
      readonly postings: Readonly<Record<string, Postings>>;
      readonly titles: Readonly<Record<number, string>>;
      readonly docs: number;
    }
  | { readonly type: 'add'; readonly doc: Doc }
  | { readonly type: 'added'; readonly id: number; readonly docs: number };
