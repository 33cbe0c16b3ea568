export { CORPUS, type Doc } from './corpus';
export { terms } from './text';
export type { Hit, Postings, SearchMessage } from './messages';
export { IndexStore } from './index-store';
export { RankingShard } from './ranking-shard';
export { Frontend } from './frontend';
export { Outside, buildSearchEngine, crawl, search, until, type SearchSystem } from './system';
