import { expect } from 'chai';
import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';
import { HierarchyError, Manager } from '@escher/protocol-refinement';
import { Delay, Discard, Duplicate, Shuffle, Simulator, assertSeedsPassed, runSeeds } from '@escher/sim';
import { HashPartition, RangePartition, ShardingWrapper, UnkeyedRequestError } from '../src';

const REPLAY = 'npx mocha --no-config protocols/sharding/dist/test/sharding.spec.js';

type Op = { op: 'put'; key: string; value: number } | { op: 'get'; key: string };

/** A deterministic key-value store. */
class Kv implements DeterministicBehavior {
  readonly deterministic = true;
  readonly data = new Map<string, number>();
  receive(msg: Envelope, ctx: AgentContext): void {
    const op = msg.payload as Op;
    if (op.op === 'put') this.data.set(op.key, op.value);
    ctx.reply(msg, { key: op.key, value: this.data.get(op.key) ?? null });
  }
}

class Client {
  ctx!: AgentContext;
  readonly got: Envelope[] = [];
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }
  receive(msg: Envelope): void {
    this.got.push(msg);
  }
}

const keyOf = (p: unknown) => (p as { key?: unknown }).key as string | undefined;

function sharded(seed: number, shards = 3) {
  const sim = new Simulator({ seed });
  const mgr = new Manager(sim, { now: () => sim.now });
  const stores = new Map<string, Kv>();
  const wrap = new ShardingWrapper({ keyOf });
  mgr.refine('/kv', {
    children: Array.from({ length: shards }, (_, i) => `s${i + 1}`),
    create: (p) => {
      const kv = new Kv();
      stores.set(p, kv);
      return kv;
    },
    wrap,
  });
  const client = new Client();
  mgr.spawn('/c', client);
  return { sim, mgr, stores, client, wrap };
}

describe('Sharding', () => {
  describe('partitions', () => {
    it('should spread keys over every shard with the hash partition, the same way every time', () => {
      const h = new HashPartition();
      const counts = [0, 0, 0, 0];
      for (let i = 0; i < 1000; i++) counts[h.shardOf(`key-${i}`, 4)]++;
      for (const c of counts) expect(c).to.be.within(180, 320);
      expect(h.shardOf('alpha', 4)).to.equal(new HashPartition().shardOf('alpha', 4));
    });

    it('should place keys by range', () => {
      const r = new RangePartition(['g', 'p']);
      expect(['apple', 'g', 'kiwi', 'pear', 'zebra'].map((k) => r.shardOf(k, 3))).to.deep.equal([0, 1, 1, 2, 2]);
      expect(() => r.shardOf('a', 2)).to.throw(/need 3 shards/);
      expect(() => new RangePartition(['b', 'a'])).to.throw(/increasing/);
    });
  });

  describe('Shard', () => {
    it('should run each request on the shard owning its key only, and give the client one reply from /kv', () => {
      const { sim, stores, client, wrap } = sharded(1);
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
      sim.at(1, () => keys.forEach((key, i) => client.ctx.send('/kv', { op: 'put', key, value: i })));
      sim.at(50, () => keys.forEach((key) => client.ctx.send('/kv', { op: 'get', key })));
      sim.run({ maxTime: 1000 });
      expect(client.got).to.have.length(60);
      expect(client.got.every((m) => m.src === '/kv')).to.equal(true);
      const gets = client.got.slice(30).map((m) => m.payload as { key: string; value: number });
      expect(gets.map((g) => g.value)).to.deep.equal(keys.map((_, i) => i));
      const sharding = wrap.sharding;
      for (const [path, kv] of stores) {
        for (const key of kv.data.keys()) expect(sharding?.ownerOf(key), `${key} on ${path}`).to.equal(sharding?.shardAt(path)?.index);
        expect(sharding?.shardAt(path)?.ignored).to.equal(60 - (sharding?.shardAt(path)?.owned ?? 0));
      }
      expect([...stores.values()].reduce((n, kv) => n + kv.data.size, 0)).to.equal(30);
    });

    it('should refuse a request without a key, with a typed error on every shard', () => {
      const { sim, client } = sharded(2);
      const codes: string[] = [];
      for (const rt of sim.runtimes()) rt.events$.subscribe((e) => e.kind === 'dropped' && codes.push(e.reason.code));
      sim.at(1, () => client.ctx.send('/kv', { op: 'get' }));
      sim.run({ maxTime: 200 });
      expect(client.got).to.have.length(0);
      expect(codes.filter((c) => c === new UnkeyedRequestError('', '').code)).to.have.length.at.least(3);
    });

    it('should refuse changing the shards (no state migration yet)', () => {
      const { mgr } = sharded(3);
      expect(() => mgr.change('/kv', { children: ['s1', 's2'] })).to.throw(HierarchyError, /state migration/);
      expect(mgr.hierarchy.refinementOf('/kv')?.epoch).to.equal(1);
    });
  });

  describe('under faults', () => {
    it('should answer every request exactly once with the value last written', () => {
      const report = runSeeds(
        {
          name: 'sharded store over a lossy network',
          options: { faults: [new Delay({ kind: 'uniform', min: 0.1, max: 4 }), new Discard(0.15), new Duplicate(0.1), new Shuffle(0.1)] },
          build(sim) {
            const rng = sim.rng.fork('workload');
            const mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 20 } });
            mgr.refine('/kv', { children: ['a', 'b', 'c'], create: () => new Kv(), wrap: new ShardingWrapper({ keyOf }) });
            const client = new Client();
            mgr.spawn('/c', client);
            const n = rng.int(1, 25);
            // Each key written once, then read: a read may run before or after its write, and must see one of the two.
            const sent = new Map<number, { key: string; value: number }>();
            for (let i = 0; i < n; i++) {
              const key = `key${rng.int(0, 1000)}-${i}`;
              sim.at(rng.int(0, 100), () => {
                sent.set(client.ctx.send('/kv', { op: 'put', key, value: i }).id, { key, value: i });
                sent.set(client.ctx.send('/kv', { op: 'get', key }).id, { key, value: -1 });
              });
            }
            return {
              maxTime: 60_000,
              done: () => client.got.length === 2 * n,
              always: () => {
                if (client.got.length > 2 * n) throw new Error(`${client.got.length} replies for ${2 * n} requests`);
              },
              atEnd: () => {
                expect(client.got).to.have.length(2 * n);
                const ids = new Set(client.got.map((m) => m.id));
                expect(ids.size).to.equal(2 * n);
                for (const m of client.got) {
                  const r = m.payload as { key: string; value: number | null };
                  expect(r.value === null || [...sent.values()].some((s) => s.key === r.key && s.value === r.value), JSON.stringify(r)).to.equal(true);
                }
              },
            };
          },
        },
        { seeds: 500, budgetMs: 15_000 },
      );
      console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 500 })}`);
    });
  });
});
