export { Cluster, type ClusterOptions, type NodeEvent } from './cluster';
export { startNode, specsOf, type RunningNode } from './node-process';
export type { NodeConfig, NodeEnv, ToNode, FromNode } from './node-config';
export { LocalDeployer } from './local-deployer';
export { placementOf, type Placement } from './placement';
export { provisionKeys, type Provisioned } from './provision';
export * from './errors';
