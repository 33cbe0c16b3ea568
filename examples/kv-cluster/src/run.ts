import { Cluster } from '@escher/cluster';
import type { ClientReport } from './messages';
import { KV_SYSTEM } from './system';

/** One failure injected during a run: once `at` of the requests are answered, `kill -9` of `node`, restarted after `restartAfterMs` if given. */
export interface FaultStep {
  readonly at: number;
  readonly node: string;
  readonly restartAfterMs?: number;
}

/**
 * The default failures: `kv-2` is killed and restarted; later `kv-1` is
 * killed for good, so the last part of the run needs the restarted replica
 * in every majority — it must have rejoined and caught up for real.
 */
export const DEFAULT_FAULTS: readonly FaultStep[] = [
  { at: 0.3, node: 'kv-2', restartAfterMs: 500 },
  { at: 0.75, node: 'kv-1' },
];

/** Settings of {@link runKvCluster}. */
export interface KvClusterOptions {
  /** Requests the client makes (default 2000). */
  readonly requests?: number;
  /** Failures, in order; each waits for the previous one to finish (default {@link DEFAULT_FAULTS}). */
  readonly faults?: readonly FaultStep[];
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
  /** What was done, in order (`kill kv-2`, `restart kv-2`, …). */
  readonly steps: readonly string[];
}

/**
 * Runs `KV_SYSTEM` across four processes, injects `faults` (SIGKILL of
 * node processes, restarts) as the workload progresses, and waits for the
 * client's verdict: every request answered exactly once, correctly.
 */
export async function runKvCluster(options: KvClusterOptions = {}): Promise<KvClusterRun> {
  const log = options.log ?? (() => undefined);
  const requests = options.requests ?? 2000;
  const faults = options.faults ?? DEFAULT_FAULTS;
  const cluster = await Cluster.start({
    description: KV_SYSTEM,
    registryModule: require.resolve('./registry'),
    settings: { requests },
  });
  log(`started ${cluster.nodeNames.length} processes: ${cluster.nodeNames.map((n) => `${n} (pid ${String(cluster.pid(n))})`).join(', ')}; NATS at ${cluster.natsUrl}`);
  const steps: string[] = [];
  let next = 0;
  let busy = false;
  try {
    const verdict = await new Promise<Extract<ClientReport, { kind: 'done' }>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 90_000;
      const timer = setTimeout(() => reject(new Error(`the client did not finish within ${timeoutMs} ms`)), timeoutMs);
      cluster.events$.subscribe((e) => {
        if (e.message.type !== 'report') return;
        const r = e.message.report as ClientReport;
        if (r.kind === 'progress') {
          log(`client: ${r.answered}/${r.total} answered`);
          const step = faults[next];
          if (step !== undefined && !busy && r.answered >= step.at * requests) {
            busy = true;
            next++;
            void (async () => {
              log(`kill -9 ${step.node} (pid ${String(cluster.pid(step.node))})`);
              await cluster.kill(step.node);
              steps.push(`kill ${step.node}`);
              if (step.restartAfterMs !== undefined) {
                await new Promise((res) => setTimeout(res, step.restartAfterMs));
                await cluster.restart(step.node);
                steps.push(`restart ${step.node}`);
                log(`${step.node} restarted (pid ${String(cluster.pid(step.node))})`);
              }
              busy = false;
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
      steps,
    };
  } finally {
    await cluster.stop();
  }
}
