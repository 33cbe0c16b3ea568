import type { NodeEnv } from '@escher/cluster';
import type { SystemRegistry } from '@escher/protocol-refinement';
import { ReplicationWrapper } from '@escher/protocol-replication';
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
      raft: () => new ReplicationWrapper({ electionTimeoutMs: 300, heartbeatMs: 50 }),
    },
  };
}
