export * from './network-contract';
export * from './discovery-contract';
