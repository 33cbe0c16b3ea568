export { canonicalJson } from './canonical-json';
export { CompiledMergeSpec, MERGE_SPEC_KEYS, MAX_FROM, hashCanonical, parseMergeSpec, type MergeSpec } from './merge-spec';
export type { MuTag } from './mu-tag';
export type { MergeAuthority } from './merge-authority';
export { CertifiedMergeAuthority, type AuthenticatedChains } from './certified-authority';
export {
  Hierarchy,
  type HierarchyChange,
  type HierarchyEntry,
  type HierarchyOptions,
  type RefineInput,
  type RefinementRecord,
} from './hierarchy';
export { Refinement, type RefinementParams, type RefinementRoles } from './refinement';
export { Tagger } from './tagger';
export { Merger } from './merger';
export { MergeGroup } from './merge-group';
export { Outbox } from './outbox';
export { Mark } from './marks';
export type { Deployer } from './deployer';
export type { Wrapper } from './wrapper';
export { Manager, type ManagerOptions, type PlaceOptions, type RefineOptions, type RestartOptions } from './manager';
export { deploySystem, type SystemDescription, type SystemEntry, type SystemRegistry } from './system-description';
export * from './errors';
