import { type AgentContext, type Envelope, type Path, createRuntime, type Runtime } from '@escher/core';
import { Manager } from '@escher/protocol-refinement';
import { ReplicationWrapper } from '@escher/protocol-replication';
import { ShardingWrapper } from '@escher/protocol-sharding';
import { CORPUS, type Doc } from './corpus';
import { Frontend } from './frontend';
import { IndexStore } from './index-store';
import type { SearchMessage } from './messages';
import { RankingShard } from './ranking-shard';

/** The client and the crawler: they send what they are told and keep what comes back. */
export class Outside {
  ctx!: AgentContext;
  readonly got: SearchMessage[] = [];
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }
  receive(msg: Envelope): void {
    this.got.push(msg.payload as SearchMessage);
  }
}

/** The running system and handles on its parts. */
export interface SearchSystem {
  readonly rt: Runtime;
  readonly mgr: Manager;
  readonly client: Outside;
  readonly crawler: Outside;
  readonly indexes: Map<Path, IndexStore>;
  readonly shards: Map<Path, RankingShard>;
  readonly replication: ReplicationWrapper;
}

/**
 * The search engine of the Escher paper's introduction, in one process:
 * `/client` → `/frontend` (query processor) → `/ranking` (sharded in two by
 * query) → `/index` (replicated three times with Raft). Each tier is
 * written as if the others were single agents; the refinements are one
 * call each.
 */
export function buildSearchEngine(options: { electionTimeoutMs?: number } = {}): SearchSystem {
  const rt = createRuntime();
  const mgr = new Manager(rt);
  const indexes = new Map<Path, IndexStore>();
  const shards = new Map<Path, RankingShard>();
  const replication = new ReplicationWrapper({ electionTimeoutMs: options.electionTimeoutMs ?? 50, heartbeatMs: 10 });
  mgr.refine('/index', {
    children: ['1', '2', '3'],
    merge: { waitForMatching: 1 },
    create: (p) => {
      const s = new IndexStore();
      indexes.set(p, s);
      return s;
    },
    wrap: replication,
  });
  mgr.refine('/ranking', {
    children: ['a', 'b'],
    create: (p) => {
      const s = new RankingShard();
      shards.set(p, s);
      return s;
    },
    wrap: new ShardingWrapper({ keyOf: (m) => (m as { key?: string }).key }),
  });
  mgr.spawn('/frontend', new Frontend());
  const client = new Outside();
  const crawler = new Outside();
  mgr.spawn('/client', client);
  mgr.spawn('/crawler', crawler);
  return { rt, mgr, client, crawler, indexes, shards, replication };
}

/** Crawls `docs` into the index. */
export function crawl(s: SearchSystem, docs: readonly Doc[] = CORPUS): void {
  for (const doc of docs) s.crawler.ctx.send<SearchMessage>('/index', { type: 'add', doc });
}

/** Sends a query. */
export function search(s: SearchSystem, text: string): void {
  s.client.ctx.send<SearchMessage>('/frontend', { type: 'search', text });
}

/** Waits until `done` holds, letting timers (elections, retransmissions) run; gives up after `timeoutMs`. */
export async function until(s: SearchSystem, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the search engine did not finish in time');
    await s.rt.idle();
    await new Promise((r) => setTimeout(r, 5));
  }
}
