import { Cluster } from '@escher/cluster';
import type { ClientReport } from './messages';
import { KV_SYSTEM } from './system';

/** Settings of {@link runKvCluster}. */
export interface KvClusterOptions {
  /** Requests the client makes (default 2000). */
  readonly requests?: number;
  /** Node whose process is killed with SIGKILL mid-run (default `kv-2`); `undefined` with `kill: false`. */
  readonly victim?: string;
  /** Kill nothing. */
  readonly kill?: boolean;
  /** Kill once this share of the requests is answered (default 0.3). */
  readonly killAt?: number;
  /** Restart the killed node after this long (default 500 ms). */
  readonly downMs?: number;
  /** Longest run (default 90 s). */
  readonly timeoutMs?: number;
  /** Where the story goes (default: nowhere). */
  readonly log?: (line: string) => void;
}

/** What happened. */
export interface KvClusterRun {
  readonly processes: number;
  readonly requests: number;
  readonly answered: number;
  readonly wrong: readonly string[];
  readonly duplicates: number;
  readonly elapsedMs: number;
  readonly killed: string | undefined;
  readonly restarted: boolean;
}

/**
 * Runs `KV_SYSTEM` across four processes, kills one replica's process with
 * SIGKILL once part of the workload is answered, restarts it, and waits
 * for the client's verdict: every request answered exactly once, correctly.
 */
export async function runKvCluster(options: KvClusterOptions = {}): Promise<KvClusterRun> {
  const log = options.log ?? (() => undefined);
  const requests = options.requests ?? 2000;
  const victim = options.kill === false ? undefined : (options.victim ?? 'kv-2');
  const cluster = await Cluster.start({
    description: KV_SYSTEM,
    registryModule: require.resolve('./registry'),
    settings: { requests },
  });
  log(`started ${cluster.nodeNames.length} processes: ${cluster.nodeNames.map((n) => `${n} (pid ${String(cluster.pid(n))})`).join(', ')}; NATS at ${cluster.natsUrl}`);
  let restarted = false;
  let killing = false;
  try {
    const verdict = await new Promise<Extract<ClientReport, { kind: 'done' }>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 90_000;
      const timer = setTimeout(() => reject(new Error(`the client did not finish within ${timeoutMs} ms`)), timeoutMs);
      cluster.events$.subscribe((e) => {
        if (e.message.type !== 'report') return;
        const r = e.message.report as ClientReport;
        if (r.kind === 'progress') {
          log(`client: ${r.answered}/${r.total} answered`);
          if (victim !== undefined && !killing && r.answered >= (options.killAt ?? 0.3) * requests) {
            killing = true;
            void (async () => {
              log(`kill -9 ${victim} (pid ${String(cluster.pid(victim))})`);
              await cluster.kill(victim);
              await new Promise((res) => setTimeout(res, options.downMs ?? 500));
              await cluster.restart(victim);
              restarted = true;
              log(`${victim} restarted (pid ${String(cluster.pid(victim))})`);
            })().catch(reject);
          }
        } else {
          clearTimeout(timer);
          resolve(r);
        }
      });
    });
    return {
      processes: cluster.nodeNames.length,
      requests,
      answered: verdict.answered,
      wrong: verdict.wrong,
      duplicates: verdict.duplicates,
      elapsedMs: verdict.elapsedMs,
      killed: victim,
      restarted,
    };
  } finally {
    await cluster.stop();
  }
}
