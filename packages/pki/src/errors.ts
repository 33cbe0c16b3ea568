/**
 * Typed errors of the PKI. One class per condition, told apart by `name` and
 * by a stable `code` (`ESCHER_PKI_…`). Everything caused by remote input
 * (a certificate, a chain, a handshake message, a frame) is one of these, is
 * counted by code, and is never accepted.
 */
import { EscherError, type EscherErrorOptions } from '@escher/core';

/** Base class of every PKI error. */
export abstract class PkiError extends EscherError {}

/** A PKI function was called before `initPki()` resolved. */
export class PkiNotReadyError extends PkiError {
  readonly code = 'ESCHER_PKI_NOT_READY';
  constructor() {
    super('the PKI is not initialised: await initPki() once before using it');
  }
}

/** What kind of encoded object an encoding error is about. */
export type EncodedKind =
  | 'certificate'
  | 'chain'
  | 'public key'
  | 'signature'
  | 'private key'
  | 'handshake'
  | 'frame'
  | 'batch'
  | 'refinement record';

/** The bytes end before a field is complete. */
export class TruncatedEncodingError extends PkiError {
  readonly code = 'ESCHER_PKI_TRUNCATED';
  constructor(readonly what: EncodedKind, readonly needed: number, readonly available: number) {
    super(`truncated ${what}: needed ${needed} more byte(s), ${available} left`);
  }
}

/** An encoding, or a length declared inside one, exceeds its limit. Checked before anything is allocated. */
export class OversizedEncodingError extends PkiError {
  readonly code = 'ESCHER_PKI_OVERSIZED';
  constructor(readonly what: EncodedKind, readonly size: number, readonly limit: number) {
    super(`${what} too large: ${size} > ${limit}`);
  }
}

/** Bytes that decode but are not the one canonical encoding (trailing bytes, non-minimal forms). */
export class NonCanonicalEncodingError extends PkiError {
  readonly code = 'ESCHER_PKI_NON_CANONICAL';
  constructor(readonly what: EncodedKind, reason: string) {
    super(`non-canonical ${what}: ${reason}`);
  }
}

/** An encoding version this implementation does not know. */
export class UnsupportedVersionError extends PkiError {
  readonly code = 'ESCHER_PKI_UNSUPPORTED_VERSION';
  constructor(readonly what: EncodedKind, readonly version: number) {
    super(`unsupported ${what} version ${version}`);
  }
}

/** An algorithm identifier this implementation does not know (only Ed25519 = 1 exists). */
export class UnknownAlgorithmError extends PkiError {
  readonly code = 'ESCHER_PKI_UNKNOWN_ALGORITHM';
  constructor(readonly algorithm: number) {
    super(`unknown signature algorithm ${algorithm}`);
  }
}

/** A field that is structurally wrong: an invalid path, an empty chain, an out-of-range number. */
export class MalformedEncodingError extends PkiError {
  readonly code = 'ESCHER_PKI_MALFORMED';
  constructor(readonly what: EncodedKind, reason: string, options?: EscherErrorOptions) {
    super(`malformed ${what}: ${reason}`, options);
  }
}

/** A public key that is not a canonical encoding of a point of the prime-order subgroup (small-order, mixed-order or off-curve). */
export class WeakPublicKeyError extends PkiError {
  readonly code = 'ESCHER_PKI_WEAK_KEY';
  constructor(readonly path: string, reason: string) {
    super(`public key of ${path || '""'} refused: ${reason}`);
  }
}

/** A signature that does not verify (forged, altered, malleated, or from another context). */
export class BadSignatureError extends PkiError {
  readonly code = 'ESCHER_PKI_BAD_SIGNATURE';
  constructor(readonly what: string) {
    super(`signature of ${what} does not verify`);
  }
}

/** A chain in which the same path appears twice. */
export class ChainLoopError extends PkiError {
  readonly code = 'ESCHER_PKI_CHAIN_LOOP';
  constructor(readonly path: string) {
    super(`certificate chain loops: ${path || '""'} appears twice`);
  }
}

/** A chain that skips a level or whose links do not follow one another (issuer ≠ previous subject). */
export class ChainGapError extends PkiError {
  readonly code = 'ESCHER_PKI_CHAIN_GAP';
  constructor(readonly path: string, readonly issuer: string, readonly expected: string) {
    super(
      `certificate chain has a gap at ${path || '""'}: issued by ${issuer || '""'}, ` +
        `but the chain's previous link is ${expected || '""'}`,
    );
  }
}

/** A certificate whose issuer is a sibling of its subject: only the parent may certify a child. */
export class SiblingIssuerError extends PkiError {
  readonly code = 'ESCHER_PKI_SIBLING_ISSUER';
  constructor(readonly path: string, readonly issuer: string) {
    super(`${path} is certified by its sibling ${issuer}; only its parent may certify it`);
  }
}

/** A certificate for a path outside its issuer's subtree. */
export class PathOutsideSubtreeError extends PkiError {
  readonly code = 'ESCHER_PKI_OUTSIDE_SUBTREE';
  constructor(readonly path: string, readonly issuer: string) {
    super(`${path || '""'} is outside the subtree of its issuer ${issuer || '""'}`);
  }
}

/** A chain whose first certificate is not a trusted, self-signed system-agent certificate. */
export class UntrustedRootError extends PkiError {
  readonly code = 'ESCHER_PKI_UNTRUSTED_ROOT';
  constructor(reason: string) {
    super(`untrusted root: ${reason}`);
  }
}

/** A certificate (or signed context) from an epoch older than the one now accepted for its issuer. */
export class StaleEpochError extends PkiError {
  readonly code = 'ESCHER_PKI_STALE_EPOCH';
  constructor(readonly path: string, readonly epoch: number, readonly minimum: number) {
    super(`${path || '""'} is certified for epoch ${epoch}; epochs below ${minimum} are no longer accepted`);
  }
}

/** A signature from a source whose certificate chain the verifier does not hold. */
export class UnknownSignerError extends PkiError {
  readonly code = 'ESCHER_PKI_UNKNOWN_SIGNER';
  constructor(readonly path: string) {
    super(`no verified certificate chain for signer ${path || '""'}`);
  }
}

/** A signed item whose context does not match the signature's (a batch item from another source, another epoch). */
export class ContextMismatchError extends PkiError {
  readonly code = 'ESCHER_PKI_CONTEXT_MISMATCH';
  constructor(reason: string) {
    super(`signed context mismatch: ${reason}`);
  }
}

/** A merge spec that has no canonical JSON form. */
export class InvalidMergeSpecError extends PkiError {
  readonly code = 'ESCHER_PKI_INVALID_MERGE_SPEC';
  constructor(reason: string) {
    super(`merge spec has no canonical JSON form: ${reason}`);
  }
}

// ---- links -----------------------------------------------------------------

/** A handshake message that cannot be accepted (misdirected, wrong peer, no identities, bad proof count). */
export class HandshakeError extends PkiError {
  readonly code = 'ESCHER_PKI_HANDSHAKE';
  constructor(readonly peer: string, reason: string, options?: EscherErrorOptions) {
    super(`handshake with ${peer}: ${reason}`, options);
  }
}

/** A handshake that did not complete after every retry; the frames queued for it are dropped. */
export class HandshakeTimeoutError extends PkiError {
  readonly code = 'ESCHER_PKI_HANDSHAKE_TIMEOUT';
  constructor(readonly peer: string, readonly attempts: number) {
    super(`handshake with ${peer} did not complete after ${attempts} attempt(s)`);
  }
}

/**
 * A peer sent new HELLOs faster than the handshake budget allows (each one
 * costs Ed25519 verifications of its chains): dropped before any
 * verification, so a flood cannot buy CPU. An honest peer retries later.
 */
export class HandshakeRateLimitedError extends PkiError {
  readonly code = 'ESCHER_PKI_HANDSHAKE_RATE_LIMITED';
  constructor(readonly peer: string, readonly perSecond: number) {
    super(`handshake from ${peer} refused: more than ${perSecond} new handshake(s) per second`);
  }
}

/** A frame whose MAC or AEAD tag does not verify: tampered, truncated inside, misdirected, or under another key. */
export class FrameAuthenticationError extends PkiError {
  readonly code = 'ESCHER_PKI_FRAME_AUTH';
  constructor(readonly peer: string, readonly seq: number) {
    super(`frame ${seq} from ${peer} fails authentication`);
  }
}

/** A frame whose sequence number was already accepted. */
export class ReplayedFrameError extends PkiError {
  readonly code = 'ESCHER_PKI_REPLAY';
  constructor(readonly peer: string, readonly seq: number) {
    super(`frame ${seq} from ${peer} was already received`);
  }
}

/** A frame older than the replay window: it can no longer be told from a replay. */
export class FrameOutOfWindowError extends PkiError {
  readonly code = 'ESCHER_PKI_OUT_OF_WINDOW';
  constructor(readonly peer: string, readonly seq: number, readonly highest: number) {
    super(`frame ${seq} from ${peer} is behind the replay window (highest ${highest})`);
  }
}

/** A data frame for no session this side knows (never established, or long replaced). */
export class UnknownSessionError extends PkiError {
  readonly code = 'ESCHER_PKI_UNKNOWN_SESSION';
  constructor(readonly peer: string) {
    super(`frame from ${peer} for an unknown session`);
  }
}

/** A frame dropped because the queue of frames waiting for a handshake is full. */
export class QueueFullError extends PkiError {
  readonly code = 'ESCHER_PKI_QUEUE_FULL';
  constructor(readonly peer: string, readonly limit: number) {
    super(`${limit} frames already wait for the handshake with ${peer}; frame dropped`);
  }
}

/** A second runtime attached to a SecureNetwork, which serves exactly one. */
export class AlreadyAttachedError extends PkiError {
  readonly code = 'ESCHER_PKI_ALREADY_ATTACHED';
  constructor(readonly runtime: string, readonly attached: string) {
    super(`this SecureNetwork already serves runtime ${attached}; create one per runtime (not ${runtime})`);
  }
}

// ---- key store ---------------------------------------------------------------

/** A certificate or private key the key store does not hold. */
export class NotInStoreError extends PkiError {
  readonly code = 'ESCHER_PKI_NOT_IN_STORE';
  constructor(readonly what: 'certificate' | 'private key' | 'root', readonly path: string) {
    super(`the key store holds no ${what} for ${path || '""'}`);
  }
}

/** The key store already has a root, or a folder to create exists. */
export class StoreExistsError extends PkiError {
  readonly code = 'ESCHER_PKI_STORE_EXISTS';
  constructor(readonly dir: string) {
    super(`${dir} already holds a key store with a root`);
  }
}

/** A private key file that others than its owner may read or write. */
export class InsecureKeyFileError extends PkiError {
  readonly code = 'ESCHER_PKI_INSECURE_KEY_FILE';
  constructor(readonly file: string, readonly mode: number) {
    super(`private key file ${file} has mode ${mode.toString(8).padStart(3, '0')}; it must be readable by its owner only (600)`);
  }
}
