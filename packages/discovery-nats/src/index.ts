export { NatsDiscovery, type NatsDiscoveryState, type NatsDiscoveryStats } from './nats-discovery';
export { type NatsDiscoveryOptions, type ResolvedNatsDiscoveryOptions, type LearningStrategy, resolveOptions } from './options';
export { type RuntimeDirectory, type AddressChange, RUNTIME_DIRECTORY } from './runtime-directory';
export {
  DiscoveryError,
  DiscoveryConfigError,
  MalformedAnnouncementError,
  OversizedAnnouncementError,
  UnsignedAnnouncementError,
  UntrustedAnnouncementError,
  UncertifiedPathError,
  AnnouncementSignatureError,
  DiscoveryTableFullError,
  NoIdentityForPathError,
  NatsUnavailableError,
  NatsDisconnectedError,
  NatsClientError,
} from './errors';
export {
  SUBJECT_ROOT,
  escapeToken,
  unescapeToken,
  pathSubject,
  addressSubject,
  syncSubject,
  allPathsPattern,
  allAddressesPattern,
  reachablePatterns,
  subjectMatches,
} from './subjects';
export {
  RECORD_VERSION,
  RECORD_DOMAIN,
  MAX_RUNTIME_ID_LENGTH,
  MAX_ADDRESS_LENGTH,
  MAX_RECORD_TTL_MS,
  type PathRecord,
  type AddressRecord,
  type DiscoveryRecord,
  type UnsignedRecord,
  encodeRecord,
  parseRecord,
  validateRecord,
  recordSubject,
  signedBytes,
} from './record';
export { type RecordAuthority, SecureRecords, InsecureRecords } from './record-auth';
export { LearnedTable, type LearnedTableLimits, type ApplyOutcome } from './learned-table';
export { NatsServer, type NatsServerOptions, NatsServerNotInstalledError, NatsServerStartError, findNatsServer } from './nats-server';
