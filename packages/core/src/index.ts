import 'reflect-metadata';

export { Path, MAX_PATH_LENGTH } from './path';
export { Envelope, type RoleTags } from './envelope';
export type { ProtocolEvent } from './protocol-event';
export { StateSnapshot } from './state-snapshot';
export {
  type AgentContext,
  type Behavior,
  type DeterministicBehavior,
  type Handler,
  Capability,
  capabilitiesOf,
  toBehavior,
} from './behavior';
export { Metaobject, type MetaContext, type Continuation, type EventContinuation } from './metaobject';
export { MetaStack, type StackPosition } from './stack';
export { Protocol, Role, type ProtocolHost } from './protocol';
export { Agent, type AgentStatus } from './agent';
export { DoneBox } from './done-box';
export { CompactIdSet } from './id-set';
export { RingQueue } from './ring-queue';
export { Runtime, type AgentInfo, type SpawnOptions } from './runtime';
export { createRuntime, type CreateRuntimeOptions } from './create-runtime';
export { RUNTIME_OPTIONS, DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions } from './runtime-options';
export {
  BusCounters,
  EventLog,
  type BusEvent,
  type TransmittedEvent,
  type DeliveredEvent,
  type DispatchedEvent,
  type DroppedEvent,
  type ErrorEvent,
  type LifecycleEvent,
} from './events';
export * from './errors';
export { CLOCK, SystemClock, type Clock, type TimerHandle } from './services/clock';
export { CODEC, JsonCodec, checkFrame, type Codec } from './services/codec';
export { FRAME_VERSION, type Frame, type WireMessage } from './services/frame';
export { NETWORK, type Network, type NetworkEndpoint, type RuntimeId } from './services/network';
export { MemoryNetwork } from './services/memory-network';
export { DISCOVERY, type Discovery, type DiscoveryChange } from './services/discovery';
export { MemoryDiscovery } from './services/memory-discovery';
export { ErrorCounters } from './error-counters';
