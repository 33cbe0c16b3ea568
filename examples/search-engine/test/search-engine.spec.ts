import { expect } from 'chai';
import { CORPUS, type SearchMessage, buildSearchEngine, crawl, search, until } from '../src';

type Results = Extract<SearchMessage, { type: 'results' }>;

describe('search-engine example', () => {
  it('should answer each query once, ranked, with the tiers refined and the index leader crashed midway', async () => {
    const s = buildSearchEngine({ electionTimeoutMs: 30 });
    try {
      crawl(s, CORPUS.slice(0, 10));
      await until(s, () => s.crawler.got.length === 10);
      expect(s.crawler.got.map((m) => (m as { id: number }).id).sort((a, b) => a - b)).to.deep.equal(CORPUS.slice(0, 10).map((d) => d.id));
      for (const idx of s.indexes.values()) expect(idx.documents).to.equal(10);

      const queries = ['replicated log leader', 'key value shard', 'two phase commit vote', 'inverted index term'];
      queries.forEach((q) => search(s, q));
      await until(s, () => s.client.got.length === queries.length);
      const results = s.client.got as Results[];
      expect(results.map((r) => r.text).sort()).to.deep.equal([...queries].sort());
      const top = (q: string) => results.find((r) => r.text === q)?.hits[0]?.doc;
      expect(top('replicated log leader')).to.equal(2);
      expect(top('key value shard')).to.equal(3);
      expect(top('two phase commit vote')).to.equal(6);
      expect(top('inverted index term')).to.equal(10);
      // Each query ranked by exactly one shard, and both shards used.
      const ranked = [...s.shards.values()].flatMap((sh) => sh.ranked);
      expect(ranked).to.have.length(queries.length);
      expect([...s.shards.values()].every((sh) => sh.ranked.length > 0)).to.equal(true);

      const leader = s.replication.leader();
      expect(leader).to.be.a('string');
      s.rt.crash(leader as string);
      crawl(s, CORPUS.slice(10));
      await until(s, () => s.crawler.got.length === CORPUS.length);
      expect(s.replication.leader()).to.be.a('string').and.not.equal(leader);
      search(s, 'leader crash election');
      await until(s, () => s.client.got.length === queries.length + 1);
      expect((s.client.got.at(-1) as Results).hits[0]?.doc).to.equal(11);
      expect(s.client.got).to.have.length(queries.length + 1);
      expect(s.crawler.got).to.have.length(CORPUS.length);
    } finally {
      s.rt.close();
    }
  });
});
