import { type AgentContext, type DeterministicBehavior, type Envelope, createRuntime } from '@escher/core';
import { Manager } from '@escher/protocol-refinement';
import { ReplicationWrapper } from '@escher/protocol-replication';

/** The replicated application: a deterministic key-value store. */
class Kv implements DeterministicBehavior {
  readonly deterministic = true;
  private readonly data = new Map<number, number>();
  receive(msg: Envelope, ctx: AgentContext): void {
    const { k, v } = msg.payload as { k: number; v: number };
    this.data.set(k, v);
    ctx.reply(msg, v);
  }
}

/** One run's outcome. */
export interface ReplicationRun {
  readonly replicas: number;
  readonly ops: number;
  readonly wallNs: number;
  /** Every operation was answered exactly once. */
  readonly repliesOk: boolean;
}

/**
 * `ops` puts through a client keeping `window` requests outstanding, to a
 * store refined into `replicas` children under the Raft wrapper, all in one
 * runtime. Timed from the first request (after a leader is elected) to the
 * last reply. `reliable` adds the outbox (ACKs) to every agent; in one
 * process delivery is already reliable, so it is off by default.
 */
export async function replicatedKv(replicas: number, ops: number, window: number, reliable = false): Promise<ReplicationRun> {
  const rt = createRuntime({ id: `bench-${replicas}` });
  const mgr = new Manager(rt, { refinement: { reliable } });
  const wrap = new ReplicationWrapper({ electionTimeoutMs: 20, heartbeatMs: 5, window: 4 });
  mgr.refine('/kv', { children: Array.from({ length: replicas }, (_, i) => String(i + 1)), create: () => new Kv(), wrap });
  const deadline = Date.now() + 5000;
  while (wrap.leader() === undefined) {
    if (Date.now() > deadline) throw new Error('no leader elected');
    await new Promise((r) => setTimeout(r, 2));
  }
  const seen = new Uint8Array(ops + 1);
  let duplicates = 0;
  let answered = 0;
  let sent = 0;
  let start = 0n;
  const finished = new Promise<bigint>((resolve) => {
    mgr.spawn('/client', {
      onStart(ctx) {
        start = process.hrtime.bigint();
        for (; sent < Math.min(window, ops); sent++) ctx.send('/kv', { k: sent % 1024, v: sent + 1 });
      },
      receive(msg, ctx) {
        const v = msg.payload as number;
        if (seen[v] === 1) duplicates++;
        seen[v] = 1;
        answered++;
        if (sent < ops) {
          ctx.send('/kv', { k: sent % 1024, v: sent + 1 });
          sent++;
        }
        if (answered === ops) resolve(process.hrtime.bigint());
      },
    });
  });
  const end = await finished;
  rt.close();
  return { replicas, ops, wallNs: Number(end - start), repliesOk: duplicates === 0 && answered === ops };
}
