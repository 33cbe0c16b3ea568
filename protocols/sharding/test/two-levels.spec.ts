import { expect } from 'chai';
import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';
import { Manager } from '@escher/protocol-refinement';
import { ReplicationWrapper } from '@escher/protocol-replication';
import { Delay, Discard, Duplicate, assertSeedsPassed, runSeeds } from '@escher/sim';
import { ShardingWrapper } from '../src';

const REPLAY = 'npx mocha --no-config protocols/sharding/dist/test/two-levels.spec.js';

/** A deterministic key-value store: put returns the value written, get the value held. */
class Kv implements DeterministicBehavior {
  readonly deterministic = true;
  readonly data = new Map<string, number>();
  receive(msg: Envelope, ctx: AgentContext): void {
    const op = msg.payload as { op: 'put' | 'get'; key: string; value?: number; n: number };
    if (op.op === 'put') this.data.set(op.key, op.value as number);
    ctx.reply(msg, { n: op.n, key: op.key, value: this.data.get(op.key) ?? null });
  }
}

/** A deterministic client application: forwards each command from the driver to /kv and each answer back. */
class Forwarder implements DeterministicBehavior {
  readonly deterministic = true;
  receive(msg: Envelope, ctx: AgentContext): void {
    if (msg.src === '/drv') ctx.send('/kv', msg.payload);
    else ctx.send('/drv', msg.payload);
  }
}

class Driver {
  ctx!: AgentContext;
  readonly got: { n: number; key: string; value: number | null }[] = [];
  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
  }
  receive(msg: Envelope): void {
    this.got.push(msg.payload as { n: number; key: string; value: number | null });
  }
}

const keyOf = (p: unknown) => (p as { key?: string }).key;
const faults = () => [new Delay({ kind: 'uniform', min: 0.2, max: 3 }), new Discard(0.05), new Duplicate(0.05)];

describe('two levels of refinement', () => {
  it('should give one reply per request from a sharded store whose shards are each replicated, with a replica crashing', () => {
    const report = runSeeds(
      {
        name: 'sharded store of replicated shards',
        options: { faults: faults() },
        build(sim) {
          const rng = sim.rng.fork('workload');
          const mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 30 } });
          mgr.refine('/kv', { children: ['s1', 's2'], wrap: new ShardingWrapper({ keyOf }) });
          const stores = new Map<string, Kv>();
          for (const s of ['s1', 's2']) {
            mgr.refine(`/kv/${s}`, {
              children: ['1', '2', '3'],
              create: (p) => {
                const kv = new Kv();
                stores.set(p, kv);
                return kv;
              },
              wrap: new ReplicationWrapper({ electionTimeoutMs: 40, heartbeatMs: 10 }),
            });
          }
          const drv = new Driver();
          mgr.spawn('/drv', drv);
          const n = rng.int(4, 20);
          for (let i = 0; i < n; i++) {
            const key = `k${rng.int(0, 6)}`;
            sim.at(100 + i * rng.int(1, 20), () => drv.ctx.send('/kv', { op: i % 3 === 2 ? 'get' : 'put', key, value: i, n: i }));
          }
          const victim = `/kv/s${rng.int(1, 2)}/${rng.int(1, 3)}`;
          sim.at(rng.int(100, 300), () => sim.crash(victim));
          return {
            maxTime: 60_000,
            done: () => drv.got.length === n,
            always: () => {
              if (new Set(drv.got.map((g) => g.n)).size !== drv.got.length) throw new Error('a request was answered twice');
            },
            atEnd: () => {
              expect(drv.got.map((g) => g.n).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
              // The two shards hold disjoint keys (a replica may still be catching up, so compare unions).
              const held = (s: string) => new Set(['1', '2', '3'].flatMap((r) => [...(stores.get(`/kv/${s}/${r}`)?.data.keys() ?? [])]));
              const s1 = held('s1');
              for (const k of held('s2')) expect(s1.has(k), k).to.equal(false);
            },
          };
        },
      },
      { seeds: 200, budgetMs: 20_000 },
    );
    console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 200 })}`);
  });

  it('should let a replicated client talk to a replicated server, one reply per command', () => {
    const report = runSeeds(
      {
        name: 'replicated client and replicated server',
        options: { faults: faults() },
        build(sim) {
          const rng = sim.rng.fork('workload');
          const mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 30 } });
          mgr.refine('/kv', { children: ['1', '2', '3'], create: () => new Kv(), wrap: new ReplicationWrapper({ electionTimeoutMs: 40, heartbeatMs: 10 }) });
          mgr.refine('/app', { children: ['1', '2', '3'], create: () => new Forwarder(), wrap: new ReplicationWrapper({ electionTimeoutMs: 40, heartbeatMs: 10 }) });
          const drv = new Driver();
          mgr.spawn('/drv', drv);
          const n = rng.int(3, 15);
          for (let i = 0; i < n; i++) sim.at(100 + i * rng.int(1, 15), () => drv.ctx.send('/app', { op: 'put', key: `k${i % 4}`, value: i, n: i }));
          sim.at(rng.int(100, 300), () => sim.crash(`/${rng.int(0, 1) === 0 ? 'app' : 'kv'}/${rng.int(1, 3)}`));
          return {
            maxTime: 60_000,
            done: () => drv.got.length === n,
            always: () => {
              if (new Set(drv.got.map((g) => g.n)).size !== drv.got.length) throw new Error('a command was answered twice');
            },
            atEnd: () => {
              expect(drv.got.map((g) => g.n).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: n }, (_, i) => i));
              for (const g of drv.got) expect(g.value).to.equal(g.n);
            },
          };
        },
      },
      { seeds: 200, budgetMs: 20_000 },
    );
    console.log(`      ${assertSeedsPassed(report, { replayCommand: REPLAY, minSeeds: 200 })}`);
  });
});
