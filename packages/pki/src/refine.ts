/**
 * The manager's operations (§2.4): create the system agent's key and
 * self-signed certificate, and refine an agent by certifying its children
 * with the agent's key, the hash of its MergeSpec and a new epoch. After
 * certifying, the manager may go offline: verifying needs certificates only.
 */
import { Path } from '@escher/core';
import { toHex } from './bytes';
import { type Certificate, type Issuer, issueCertificate, selfSignRoot } from './certificate';
import { CertificateChain } from './chain';
import { StoreExistsError } from './errors';
import { Identity } from './identity';
import type { KeyStore } from './key-store';
import { SigningKey } from './keys';
import { type MergeSpecHasher, canonicalJson, sha256CanonicalJson } from './merge-spec-hash';

/** A new system agent: its key and its self-signed certificate. */
export function createRoot(options: { epoch?: number } = {}): Identity {
  const key = SigningKey.generate();
  return new Identity(key, new CertificateChain([selfSignRoot(key, options)]));
}

/** What {@link certifyChildren} certifies. */
export interface CertifyChildrenRequest {
  /** Each child's path (a child of the issuer's) and public key. */
  readonly children: readonly { readonly path: Path | string; readonly publicKey: Uint8Array }[];
  /** Hash of the issuer's MergeSpec for this refinement. */
  readonly parentMergeSpecHash: Uint8Array;
  /** Epoch of this refinement (above every earlier one of the same issuer). */
  readonly epoch: number;
}

/** Certificates for the children of `issuer`, in order. @throws as {@link issueCertificate} */
export function certifyChildren(issuer: Issuer, request: CertifyChildrenRequest): Certificate[] {
  return request.children.map((c) =>
    issueCertificate(issuer, { path: c.path, publicKey: c.publicKey, parentMergeSpecHash: request.parentMergeSpecHash, epoch: request.epoch }),
  );
}

/** Creates the store's system agent. @throws StoreExistsError if the store already has one */
export function initRootInStore(store: KeyStore, options: { epoch?: number } = {}): Identity {
  if (store.hasCertificate(Path.root)) throw new StoreExistsError(store.dir);
  const root = createRoot(options);
  store.savePrivateKey(Path.root, root.key);
  store.saveCertificate(root.chain.leaf);
  return root;
}

/** What {@link refineInStore} does. */
export interface RefineRequest {
  /** Names of the children (path segments), such as `['1', '2', '3']`. */
  readonly children: readonly string[];
  /** The MergeSpec, as data. */
  readonly mergeSpec: unknown;
  /** Epoch of the new refinement; default: one above the last recorded (1 for the first). */
  readonly epoch?: number;
  /** Default: SHA-256 of canonical JSON. The refinement protocol passes its own. */
  readonly hasher?: MergeSpecHasher;
  /** Give children new keys even if the store holds keys for them (default: keep existing keys). */
  readonly freshKeys?: boolean;
}

/** What {@link refineInStore} wrote. */
export interface RefineResult {
  readonly parent: Path;
  readonly epoch: number;
  readonly mergeSpecHash: Uint8Array;
  readonly certificates: readonly Certificate[];
}

/**
 * Refines `parent`: certifies each child with `parent`'s key (which the store
 * must hold), generating a key for each child that has none, and records the
 * refinement. Older epochs of `parent` are then refused by
 * {@link KeyStore.trustStore}.
 * @throws NotInStoreError without the parent's key or chain; RangeError for
 * an epoch not above the last, duplicate or invalid child names
 */
export function refineInStore(store: KeyStore, parentPath: Path | string, request: RefineRequest): RefineResult {
  const parent = Path.parse(parentPath);
  const identity = store.identity(parent);
  const previous = store.refinement(parent);
  const epoch = request.epoch ?? (previous === undefined ? 1 : previous.epoch + 1);
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`epoch ${epoch} is not a non-negative safe integer`);
  if (previous !== undefined && epoch <= previous.epoch) {
    throw new RangeError(`epoch ${epoch} is not above ${previous.epoch}, the epoch of the last refinement of ${parent || '""'}`);
  }
  if (request.children.length === 0) throw new RangeError('a refinement has at least one child');
  const paths = request.children.map((name) => Path.child(parent, name));
  if (new Set(paths).size !== paths.length) throw new RangeError('duplicate child names');
  const canonical = canonicalJson(request.mergeSpec);
  const mergeSpecHash = (request.hasher ?? sha256CanonicalJson)(request.mergeSpec);

  const keys = paths.map((p) => (!request.freshKeys && store.hasPrivateKey(p) ? store.signingKey(p) : SigningKey.generate()));
  const certificates = certifyChildren(
    { path: parent, key: identity.key },
    { children: paths.map((p, i) => ({ path: p, publicKey: (keys[i] as SigningKey).publicKey })), parentMergeSpecHash: mergeSpecHash, epoch },
  );
  paths.forEach((p, i) => {
    store.savePrivateKey(p, keys[i] as SigningKey);
    store.saveCertificate(certificates[i] as Certificate);
  });
  store.saveRefinement(parent, { version: 1, epoch, children: paths, mergeSpecHash: toHex(mergeSpecHash) }, canonical);
  for (const k of keys) k.destroy();
  identity.key.destroy();
  return { parent, epoch, mergeSpecHash, certificates };
}
