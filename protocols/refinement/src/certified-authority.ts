import { type EscherError, Path } from '@escher/core';
import { type CertificateChain, PkiError, RejectionCounters, type TrustStore, type VerifiedChain } from '@escher/pki';
import { RefinedAwayError, StaleEpochError, TagMismatchError, UncertifiedSourceError, UnrefinedAncestorError } from './errors';
import { ForeignSpecs } from './foreign-specs';
import type { MergeAuthority } from './merge-authority';
import { CompiledMergeSpec, type MergeSpec } from './merge-spec';
import type { MuTag } from './mu-tag';

/** Something that announces the chains peers proved (the PKI's `SecureNetwork`). */
export interface AuthenticatedChains {
  onAuthenticated(listener: (peer: string, identities: readonly VerifiedChain[]) => void): () => void;
}

/** What one certificate says about a child: who certified it, in which epoch, for which merge-spec hash. */
interface CertifiedLink {
  readonly issuer: Path;
  readonly epoch: number;
  /** Hex, as tags carry it. */
  readonly hash: string;
}


/**
 * A {@link MergeAuthority} that believes only certificates (Escher §2.4,
 * §3.3): a fragment from `src` tagged with parent `p`'s μ counts only if a
 * chain verified up to the trusted system agent contains a certificate of
 * `src` issued by `p`, in the tag's epoch, whose merge-spec hash is the
 * tag's hash, and the spec the tag carries hashes to it. So a Byzantine
 * child cannot weaken its parent's μ (μ_F), borrow another parent's
 * certificate, or keep using an epoch its parent has retired.
 *
 * Every fact it holds is a certificate whose signature the trust store
 * checked, so it may learn from any chain, whoever presented it: from the
 * runtime's own identities ({@link addLocal}) and from every peer's
 * handshake ({@link follow}). That the sender of a frame may speak for
 * `src` at all is the network's check (`SecureNetwork.mayClaim`); this one
 * is about the tags. The runtime never runs code it received: specs are
 * data, compiled and checked here.
 */
export class CertifiedMergeAuthority implements MergeAuthority {
  /** Per certified path, per epoch: the certificate's link to its issuer. */
  private readonly links = new Map<Path, Map<number, CertifiedLink>>();
  /** μ-lists of the physical agents of this runtime. */
  private readonly local = new Map<Path, readonly MuTag[]>();
  private readonly foreign = new ForeignSpecs();
  private generation = 0;
  private trustVersion: number;
  /** Chains refused by this authority's own trust store, by error code. */
  readonly rejections = new RejectionCounters();

  constructor(private readonly trust: TrustStore) {
    this.trustVersion = trust.version;
  }

  /** Changes when a certificate is learned or an epoch floor rises. */
  get version(): number {
    if (this.trust.version !== this.trustVersion) {
      this.trustVersion = this.trust.version;
      this.generation++;
    }
    return this.generation;
  }

  /**
   * Learns every certificate of a chain, after verifying it against this
   * authority's own trust store (which raises epoch floors as it goes, so a
   * newer refinement retires the older one here too). A chain that does not
   * verify is counted and ignored. @returns whether the chain was accepted
   */
  learn(input: VerifiedChain | CertificateChain): boolean {
    let chain: VerifiedChain;
    try {
      chain = this.trust.verifyChain('chain' in input ? input.chain : input);
    } catch (e) {
      if (!(e instanceof PkiError)) throw e;
      this.rejections.count(e);
      return false;
    }
    let added = false;
    for (const cert of chain.chain.certificates) {
      if (cert.isRoot) continue;
      let byEpoch = this.links.get(cert.path);
      if (byEpoch === undefined) {
        byEpoch = new Map();
        this.links.set(cert.path, byEpoch);
      }
      if (byEpoch.has(cert.epoch)) continue;
      byEpoch.set(cert.epoch, { issuer: cert.issuer, epoch: cert.epoch, hash: Buffer.from(cert.parentMergeSpecHash).toString('hex') });
      added = true;
    }
    if (added) this.generation++;
    return true;
  }

  /** Learns the chains of every session `network` installs from now on. @returns a function that stops following */
  follow(network: AuthenticatedChains): () => void {
    return network.onAuthenticated((_peer, identities) => {
      for (const v of identities) this.learn(v);
    });
  }

  /**
   * A physical agent of this runtime, with its chain and the merge spec of
   * each refined ancestor (its manager hands them over with the
   * certificate). Each spec must hash to what the chain certifies.
   * @throws a PkiError if the chain does not verify; TagMismatchError if a spec is not the certified one; UnrefinedAncestorError if one is missing
   */
  addLocal(chain: CertificateChain, specs: ReadonlyMap<Path, MergeSpec> | Readonly<Record<string, MergeSpec>>): readonly MuTag[] {
    const verified = this.trust.verifyChain(chain);
    this.learn(verified.chain);
    const get = (p: Path): MergeSpec | undefined => (specs instanceof Map ? specs.get(p) : (specs as Record<string, MergeSpec>)[p]);
    const list: MuTag[] = [];
    const certs = chain.certificates;
    // Nearest ancestor first; the system agent's μ₀ is never applied.
    for (let i = certs.length - 1; i >= 1; i--) {
      const cert = certs[i]!;
      if (cert.issuer === '') break;
      const spec = get(cert.issuer);
      if (spec === undefined) throw new UnrefinedAncestorError(verified.path, cert.issuer);
      const compiled = CompiledMergeSpec.from(spec);
      const certified = Buffer.from(cert.parentMergeSpecHash).toString('hex');
      if (compiled.hash !== certified) throw new TagMismatchError(cert.path, cert.issuer, `the merge spec given for ${cert.issuer} is not the one its certificate carries`);
      list.push(Object.freeze({ parent: cert.issuer, epoch: cert.epoch, hash: compiled.hash, spec: compiled.spec }));
    }
    const frozen = Object.freeze(list);
    this.local.set(verified.path, frozen);
    this.generation++;
    return frozen;
  }

  // ---- MergeAuthority --------------------------------------------------------

  muList(path: Path): readonly MuTag[] | EscherError {
    return this.local.get(path) ?? new UncertifiedSourceError(path, 'no certificate for this agent was given to its runtime (addLocal)');
  }

  resolve(tag: unknown, src: Path): CompiledMergeSpec | EscherError {
    const parent = Path.parent(src) as Path;
    if (typeof tag !== 'object' || tag === null) return new TagMismatchError(src, parent, 'a tag must be an object');
    const t = tag as Partial<MuTag>;
    if (t.parent !== parent) return new TagMismatchError(src, parent, `tag names ${String(t.parent)}, the sender's parent is ${parent}`);
    const byEpoch = this.links.get(src);
    if (byEpoch === undefined) return new UncertifiedSourceError(src, `no verified certificate of ${src} issued by ${parent}`);
    const epoch = typeof t.epoch === 'number' ? t.epoch : Number.NaN;
    const floor = this.trust.minimumEpoch(parent);
    const link = byEpoch.get(epoch);
    if (link === undefined || epoch < floor) {
      let newest = floor;
      for (const e of byEpoch.keys()) newest = Math.max(newest, e);
      if (epoch < newest) return new StaleEpochError(parent, epoch, newest);
      return new UncertifiedSourceError(src, `no verified certificate of ${src} for epoch ${String(t.epoch)}`);
    }
    if (link.issuer !== parent) return new TagMismatchError(src, parent, `${src} is certified by ${link.issuer}`);
    if (t.hash !== link.hash) return new TagMismatchError(src, parent, 'the tag hash is not the merge-spec hash in the certificate');
    const compiled = this.foreign.compile(t.spec);
    if (!(compiled instanceof CompiledMergeSpec)) return compiled;
    if (compiled.hash !== link.hash) return new TagMismatchError(src, parent, 'the spec carried in the tag does not hash to the certified hash');
    return compiled;
  }

  refinedAway(path: Path): EscherError | undefined {
    // A certified agent none of whose certificates reaches its issuer's epoch floor was left out of a change.
    for (let p: Path | undefined = path; p !== undefined && p !== ''; p = Path.parent(p)) {
      const byEpoch = this.links.get(p);
      if (byEpoch === undefined) continue;
      const floor = this.trust.minimumEpoch(Path.parent(p) as Path);
      let newest = -1;
      for (const e of byEpoch.keys()) newest = Math.max(newest, e);
      if (newest < floor) return new RefinedAwayError(p, floor);
    }
    return undefined;
  }
}
