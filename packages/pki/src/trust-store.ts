/**
 * What a runtime trusts: the system agent's public key(s), and for each
 * refined agent the oldest refinement epoch still accepted. Chains are
 * verified against it, link by link, from the trusted root down.
 */
import { Path } from '@escher/core';
import { bytesEqual, toHex } from './bytes';
import { type Certificate, checkIssuer } from './certificate';
import { CertificateChain, MAX_CHAIN_LENGTH } from './chain';
import { RejectionCounters } from './counters';
import { Domains } from './domain';
import {
  BadSignatureError,
  ChainGapError,
  ChainLoopError,
  OversizedEncodingError,
  PkiError,
  StaleEpochError,
  UntrustedRootError,
} from './errors';
import { checkPublicKey, verifySignature } from './keys';
import { sodium } from './sodium';

/** A chain that verified: who it certifies, and what it certifies about each ancestor. */
export interface VerifiedChain {
  /** The certified agent. */
  readonly path: Path;
  readonly publicKey: Uint8Array;
  /** Epoch of the leaf certificate. */
  readonly epoch: number;
  readonly chain: CertificateChain;
  /**
   * The certified MergeSpec hash of every refined ancestor, by the
   * ancestor's path (the parent's first; `""` maps to {@link NO_MERGE_SPEC}
   * by convention). This is what tag authenticity checks a μ against.
   */
  readonly mergeSpecHashes: ReadonlyMap<Path, Uint8Array>;
  /** Issuer and epoch of every certificate below the root, root side first. */
  readonly links: readonly { readonly issuer: Path; readonly epoch: number }[];
}

/** Settings of a {@link TrustStore}. */
export interface TrustStoreOptions {
  /** Self-signed certificates of trusted system agents (usually one). */
  readonly roots: readonly Certificate[];
  /**
   * Raise an issuer's minimum epoch to the epoch of any valid certificate it
   * issued (default true): once a runtime has seen its manager's new
   * refinement, the older one is refused. Only the issuer's key can make
   * such a certificate, so nobody else can raise the floor.
   */
  readonly ratchet?: boolean;
}

const VERIFIED_MAX = 4096;

/** Trusted roots, epoch floors, and chain verification. */
export class TrustStore {
  private readonly roots: Certificate[] = [];
  private readonly floors = new Map<Path, number>();
  private readonly ratchet: boolean;
  /** Certificate signatures already checked, by hash of (issuer key, certificate bytes). */
  private readonly verified = new Set<string>();
  private generation = 0;
  /** Chains refused, by error code. */
  readonly rejections = new RejectionCounters();

  /** @throws a PkiError if a root is not a valid self-signed system-agent certificate */
  constructor(options: TrustStoreOptions) {
    this.ratchet = options.ratchet ?? true;
    for (const r of options.roots) this.addRoot(r);
  }

  /** Trusts another system agent's key. @throws a PkiError if it is not a valid self-signed root */
  addRoot(root: Certificate): void {
    if (!root.isRoot) throw new UntrustedRootError(`a root certificate must certify "" and be issued by "", not ${root.path}`);
    checkPublicKey(root.publicKey, root.path);
    this.checkSignature(root, root.publicKey, 'the root certificate');
    if (!this.roots.some((r) => bytesEqual(r.publicKey, root.publicKey))) this.roots.push(root);
  }

  /** The trusted root certificates. */
  get trustedRoots(): readonly Certificate[] {
    return this.roots;
  }

  /** Changes whenever an epoch floor rises (callers cache decisions against it). */
  get version(): number {
    return this.generation;
  }

  /** The oldest epoch accepted for certificates issued by `issuer` (0 until raised). */
  minimumEpoch(issuer: Path | string): number {
    return this.floors.get(issuer as Path) ?? 0;
  }

  /**
   * Refuses, from now on, certificates issued by `issuer` in an epoch below
   * `epoch` (a refinement change). Floors only rise.
   */
  advanceEpoch(issuer: Path | string, epoch: number): void {
    const p = Path.parse(issuer);
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`epoch ${epoch} is not a non-negative safe integer`);
    if (epoch > (this.floors.get(p) ?? 0)) {
      this.floors.set(p, epoch);
      this.generation++;
    }
  }

  /** The verified chain is still acceptable: no epoch floor has risen above one of its links. */
  isCurrent(v: VerifiedChain): boolean {
    for (const l of v.links) if (l.epoch < (this.floors.get(l.issuer) ?? 0)) return false;
    return true;
  }

  /**
   * Verifies a chain from a trusted root down to its leaf: each certificate
   * issued by the previous one's subject, for a child of it, with a strict
   * key, a valid signature and an accepted epoch. Counts and rethrows every
   * failure.
   * @throws a PkiError naming the first problem found
   */
  verifyChain(input: CertificateChain | Uint8Array): VerifiedChain {
    try {
      return this.verify(input instanceof CertificateChain ? input : CertificateChain.decode(input));
    } catch (e) {
      if (e instanceof PkiError) this.rejections.count(e);
      throw e;
    }
  }

  private verify(chain: CertificateChain): VerifiedChain {
    const certs = chain.certificates;
    if (certs.length > MAX_CHAIN_LENGTH) throw new OversizedEncodingError('chain', certs.length, MAX_CHAIN_LENGTH);
    const root = chain.root;
    if (!root.isRoot) throw new UntrustedRootError(`the chain starts at ${root.path || '""'} (issued by ${root.issuer || '""'}), not at the system agent`);
    if (!this.roots.some((r) => bytesEqual(r.publicKey, root.publicKey))) {
      throw new UntrustedRootError(`the system agent key ${root.fingerprint} is not trusted`);
    }
    checkPublicKey(root.publicKey, root.path);
    this.checkSignature(root, root.publicKey, 'the root certificate');

    const seen = new Set<Path>([root.path]);
    const hashes = new Map<Path, Uint8Array>();
    const links: { issuer: Path; epoch: number }[] = [];
    for (let i = 1; i < certs.length; i++) {
      const c = certs[i] as Certificate;
      const prev = certs[i - 1] as Certificate;
      if (seen.has(c.path)) throw new ChainLoopError(c.path);
      seen.add(c.path);
      checkIssuer(c.path, c.issuer);
      if (c.issuer !== prev.path) throw new ChainGapError(c.path, c.issuer, prev.path);
      checkPublicKey(c.publicKey, c.path);
      this.checkSignature(c, prev.publicKey, `the certificate of ${c.path}`);
      const floor = this.floors.get(c.issuer) ?? 0;
      if (c.epoch < floor) throw new StaleEpochError(c.path, c.epoch, floor);
      hashes.set(c.issuer, c.parentMergeSpecHash);
      links.push({ issuer: c.issuer, epoch: c.epoch });
    }
    if (this.ratchet) for (const l of links) this.advanceEpoch(l.issuer, l.epoch);
    const leaf = chain.leaf;
    return { path: leaf.path, publicKey: leaf.publicKey, epoch: leaf.epoch, chain, mergeSpecHashes: hashes, links };
  }

  private checkSignature(c: Certificate, issuerKey: Uint8Array, what: string): void {
    const s = sodium();
    const id = toHex(s.crypto_generichash(16, c.bytes, issuerKey));
    if (this.verified.has(id)) return;
    if (!verifySignature(issuerKey, Domains.certificate, c.signedBytes, c.signature)) throw new BadSignatureError(what);
    if (this.verified.size >= VERIFIED_MAX) this.verified.clear();
    this.verified.add(id);
  }
}
