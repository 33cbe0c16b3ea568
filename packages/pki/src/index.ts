export { initPki, isPkiReady, libsodiumVersion } from './sodium';
export * from './errors';
export { SignatureDomain, Domains, defineSignatureDomain } from './domain';
export {
  SigningKey,
  ED25519,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  SEED_BYTES,
  checkPublicKey,
  fingerprint,
  publicKeyProblem,
  verifySignature,
} from './keys';
export {
  MERGE_SPEC_HASH_BYTES,
  NO_MERGE_SPEC,
  type MergeSpecHasher,
  canonicalJson,
  mergeSpecHashFromHex,
  sha256CanonicalJson,
} from './merge-spec-hash';
export {
  Certificate,
  CERTIFICATE_VERSION,
  MAX_CERTIFICATE_BYTES,
  type CertificateFields,
  type ChildCertificateRequest,
  type Issuer,
  checkIssuer,
  issueCertificate,
  selfSignRoot,
} from './certificate';
export { CertificateChain, CHAIN_VERSION, MAX_CHAIN_LENGTH, MAX_CHAIN_BYTES } from './chain';
export { TrustStore, type TrustStoreOptions, type VerifiedChain } from './trust-store';
export { Identity } from './identity';
export { RejectionCounters } from './counters';
export {
  MessageSigner,
  MessageVerifier,
  type MessageVerifierOptions,
  type SignedContext,
  type SignedBatch,
  type BatchItem,
  BATCH_VERSION,
  MAX_BATCH_ITEMS,
  batchItemDigest,
  decodeSignedBatch,
  encodeSignedBatch,
} from './signer';
export { SecureNetwork, type AuthenticatedListener, type SecureNetworkOptions, type SecureNetworkStats } from './link/secure-network';
export { type Protection, LINK_VERSION, MAX_IDENTITIES } from './link/wire';
export { ReplayWindow } from './link/replay-window';
export { KeyStore, KEY_FILE_VERSION, type RefinementRecord, folderName } from './key-store';
export {
  createRoot,
  certifyChildren,
  initRootInStore,
  refineInStore,
  type CertifyChildrenRequest,
  type RefineRequest,
  type RefineResult,
} from './refine';
