/**
 * Authentication of discovery records. In secure mode a record is signed
 * with the key of an identity whose certified path is the announced path or
 * an ancestor of it, and carries that identity's chain; a receiver accepts
 * it only if the chain verifies against its trust store (in a current
 * epoch), covers the path, and the signature verifies. In insecure mode
 * (tests, one trusted host) nothing is signed or checked.
 */
import { Path } from '@escher/core';
import { type Identity, PkiError, type TrustStore, type VerifiedChain, verifySignature } from '@escher/pki';
import {
  AnnouncementSignatureError,
  NoIdentityForPathError,
  UncertifiedPathError,
  UnsignedAnnouncementError,
  UntrustedAnnouncementError,
} from './errors';
import { type DiscoveryRecord, RECORD_DOMAIN, type UnsignedRecord, isPathRecord, recordSubject, signedBytes } from './record';

/** Signs this runtime's records and checks everyone else's. */
export interface RecordAuthority {
  /** Whether records are signed and checked. */
  readonly secure: boolean;
  /** The record ready to publish. @throws NoIdentityForPathError if no identity may sign it */
  sign(r: UnsignedRecord): DiscoveryRecord;
  /**
   * Checks a received record; returns the chain it was verified with (`undefined` in insecure mode).
   * @throws UnsignedAnnouncementError, UntrustedAnnouncementError, UncertifiedPathError, AnnouncementSignatureError
   */
  verify(r: DiscoveryRecord): VerifiedChain | undefined;
  /** Whether a chain verified earlier is still in an accepted epoch. */
  isCurrent(v: VerifiedChain): boolean;
  /** Changes whenever chains verified earlier may have stopped being current. */
  readonly version: number;
}

/** No signatures, no checks: for tests and single-host set-ups that trust everything on the NATS server. */
export class InsecureRecords implements RecordAuthority {
  readonly secure = false;
  readonly version = 0;

  sign(r: UnsignedRecord): DiscoveryRecord {
    return r as DiscoveryRecord;
  }

  verify(): undefined {
    return undefined;
  }

  isCurrent(): boolean {
    return true;
  }
}

const CHAIN_CACHE_MAX = 1024;

/** Records signed with the runtime's identities and checked against a trust store. */
export class SecureRecords implements RecordAuthority {
  readonly secure = true;
  private identities: { identity: Identity; chain: string }[] = [];
  /** Chains already verified, by their base64 encoding; re-checked for currency on every use. */
  private readonly verified = new Map<string, VerifiedChain>();

  constructor(identities: readonly Identity[], private readonly trust: TrustStore) {
    for (const id of identities) this.add(id);
  }

  get version(): number {
    return this.trust.version;
  }

  /** Holds another identity (a refinement gave this runtime a new agent). */
  add(identity: Identity): void {
    this.remove(identity.path);
    this.identities.push({ identity, chain: Buffer.from(identity.chain.encode()).toString('base64') });
    // Deepest first: a record is signed by the most specific identity that covers it.
    this.identities.sort((a, b) => Path.depth(b.identity.path) - Path.depth(a.identity.path));
  }

  /** Stops using the identity of `path`. */
  remove(path: Path | string): void {
    this.identities = this.identities.filter((i) => i.identity.path !== path);
  }

  /** Paths of the identities held. */
  paths(): Path[] {
    return this.identities.map((i) => i.identity.path);
  }

  sign(r: UnsignedRecord): DiscoveryRecord {
    // Addresses are not path claims: any identity of this runtime vouches for them.
    const held = isPathRecord(r)
      ? this.identities.find((i) => Path.isAncestorOrSelf(i.identity.path, r.path))
      : this.identities[this.identities.length - 1];
    if (held === undefined) throw new NoIdentityForPathError(isPathRecord(r) ? r.path : `runtime ${r.runtime}`);
    const sig = Buffer.from(held.identity.key.sign(RECORD_DOMAIN, signedBytes(r))).toString('base64');
    return { ...r, chain: held.chain, sig } as DiscoveryRecord;
  }

  verify(r: DiscoveryRecord): VerifiedChain {
    if (r.chain === undefined || r.sig === undefined) throw new UnsignedAnnouncementError(r.runtime, recordSubject(r));
    const v = this.chain(r);
    if (isPathRecord(r) && !Path.isAncestorOrSelf(v.path, r.path)) throw new UncertifiedPathError(r.runtime, r.path, v.path);
    if (!verifySignature(v.publicKey, RECORD_DOMAIN, signedBytes(r), Buffer.from(r.sig, 'base64'))) {
      throw new AnnouncementSignatureError(r.runtime, recordSubject(r));
    }
    return v;
  }

  isCurrent(v: VerifiedChain): boolean {
    return this.trust.isCurrent(v);
  }

  private chain(r: DiscoveryRecord): VerifiedChain {
    const text = r.chain as string;
    const cached = this.verified.get(text);
    if (cached !== undefined && this.trust.isCurrent(cached)) return cached;
    this.verified.delete(text);
    let v: VerifiedChain;
    try {
      v = this.trust.verifyChain(Buffer.from(text, 'base64'));
    } catch (e) {
      if (e instanceof PkiError) throw new UntrustedAnnouncementError(r.runtime, recordSubject(r), { cause: e });
      throw e;
    }
    if (this.verified.size >= CHAIN_CACHE_MAX) this.verified.clear();
    this.verified.set(text, v);
    return v;
  }
}
