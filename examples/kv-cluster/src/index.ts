export { KvStore } from './kv-store';
export { KvClient, type KvClientOptions } from './kv-client';
export type { KvRequest, KvReply, ClientReport } from './messages';
export { KV_SYSTEM } from './system';
export { createRegistry, type KvSettings } from './registry';
export { runKvCluster, DEFAULT_FAULTS, type FaultStep, type KvClusterRun, type KvClusterOptions } from './run';
