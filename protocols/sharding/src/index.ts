export { Sharding, ShardingWrapper, type ShardingParams, type ShardingWrapperOptions } from './sharding';
export { Shard } from './shard';
export { HashPartition, RangePartition, type Partition } from './partition';
export { UnkeyedRequestError } from './errors';
