export { Rng } from './rng';
export { EventQueue, type SimEvent } from './event-queue';
export { SimClock, type TimeSource } from './sim-clock';
export { SimNetwork } from './sim-network';
export { HandleCodec } from './handle-codec';
export { TraceHash } from './trace-hash';
export { Simulator, type SimulatorOptions, type SimSpawnOptions, type RunResult } from './simulator';
export {
  runSeed,
  runSeeds,
  describeFailure,
  assertSeedsPassed,
  type Scenario,
  type ScenarioRun,
  type SeedFailure,
  type SeedsReport,
  type RunSeedsOptions,
} from './harness';
export { FaultyNetwork } from './faulty-network';
export { Adversary, TagForger, type Attack, type AdversaryOptions } from './adversary';
export { type FaultLayer, type FaultContext, type InFlight, type LinkFilter, applyLayers } from './faults/fault-layer';
export { Discard } from './faults/discard';
export { Delay, type DelayDistribution } from './faults/delay';
export { Duplicate } from './faults/duplicate';
export { Shuffle } from './faults/shuffle';
export { Partition } from './faults/partition';
