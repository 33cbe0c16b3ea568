import { CORPUS } from './corpus';
import type { SearchMessage } from './messages';
import { buildSearchEngine, crawl, search, until } from './system';

/** `npm run demo:search`: the search engine of the Escher paper's introduction, in one process. */
async function main(): Promise<void> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const s = buildSearchEngine();
  out('Escher search engine: /client -> /frontend -> /ranking (sharded) -> /index (replicated with Raft)\n');
  out(s.mgr.describe());

  out(`\n== The crawler adds ${CORPUS.length - 2} documents to /index`);
  crawl(s, CORPUS.slice(0, -2));
  await until(s, () => s.crawler.got.length === CORPUS.length - 2);
  out(`  /index acknowledged each once (${s.crawler.got.length} replies); every replica holds ${[...s.indexes.values()].map((i) => i.documents).join(', ')} documents`);

  const queries = ['replicated log leader', 'merging replies from replicas', 'key value shard', 'inverted index term', 'primary backup crash'];
  out('\n== Queries');
  const show = async (texts: string[]) => {
    const before = s.client.got.length;
    texts.forEach((t) => search(s, t));
    await until(s, () => s.client.got.length === before + texts.length);
    for (const r of s.client.got.slice(before) as Extract<SearchMessage, { type: 'results' }>[]) {
      out(`  "${r.text}"`);
      for (const h of r.hits) out(`      ${h.score.toFixed(3)}  #${h.doc} ${h.title}`);
    }
  };
  await show(queries);
  for (const [path, shard] of s.shards) out(`  ${path} ranked ${JSON.stringify(shard.ranked)}`);

  const leader = s.replication.leader();
  out(`\n== The index leader ${leader ?? '?'} crashes; the crawler adds two more documents`);
  if (leader !== undefined) s.rt.crash(leader);
  crawl(s, CORPUS.slice(-2));
  await until(s, () => s.crawler.got.length === CORPUS.length);
  out(`  new leader: ${s.replication.leader() ?? '?'}; the crawler saw one reply per document (${s.crawler.got.length})`);
  await show(['publish subscribe topics', 'leader crash election']);

  const crawler = s.mgr.refinement.rolesAt('/crawler').merger;
  out('\n== What the bus did');
  out(`  /crawler merged ${crawler?.merged ?? 0} messages from /index (replies and ACKs); ${crawler?.late ?? 0} late fragments from the other replicas dropped`);
  out(`  bus counters: ${JSON.stringify(s.rt.counters.snapshot())}`);
  s.rt.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
