import type { NodeEnv } from '@escher/cluster';
import type { SystemRegistry } from '@escher/protocol-refinement';
import { FileStorage, ReplicationWrapper } from '@escher/protocol-replication';
import { KvClient } from './kv-client';
import { KvStore } from './kv-store';

/** Workload settings the launcher passes to every node. */
export interface KvSettings {
  readonly requests?: number;
  readonly window?: number;
  readonly keys?: number;
}

/** The code `KV_SYSTEM` names, as each node process builds it. */
export function createRegistry(env: NodeEnv): SystemRegistry {
  const s = env.settings as KvSettings;
  return {
    behaviors: {
      kv: () => new KvStore(),
      client: () => new KvClient({ requests: s.requests ?? 2000, window: s.window ?? 8, keys: s.keys ?? 16, report: env.report, reportEvery: 100 }),
    },
    wrappers: {
      // Timeouts for real processes on one machine: a leader is suspected after 300–600 ms of silence.
      // Each replica keeps term, vote and log in the node's data folder, which outlives the process:
      // after kill -9 the restarted replica finds what it had synced (and the node runs under a new incarnation).
      raft: () => new ReplicationWrapper({ electionTimeoutMs: 300, heartbeatMs: 50, storage: (p) => FileStorage.inDirectory(env.dataDir, p) }),
    },
  };
}
