/**
 * Domain separation. Every byte string this package signs, MACs or hashes
 * for a purpose starts with `escher/pki/v1/<label>\0`, so that bytes
 * accepted in one context (a certificate, a handshake proof, a message, a
 * batch, a frame) can never be accepted in another, whatever the rest of
 * their content. Built-in labels are fixed here; other packages define
 * their own with {@link defineSignatureDomain}, which puts them under `x/`
 * so they can never collide with a built-in one.
 */
import { utf8 } from './bytes';

const PREFIX = 'escher/pki/v1/';
const LABEL = /^[a-z0-9][a-z0-9./-]{0,63}$/;

/** A context in which signatures (or MACs, or hashes) are made; see the module comment. */
export class SignatureDomain {
  /** The bytes every signed message of this domain starts with. */
  readonly prefix: Uint8Array;

  private constructor(readonly label: string) {
    this.prefix = utf8(`${PREFIX}${label}\0`);
  }

  /** @internal Built-in domains of this package. */
  static builtIn(label: string): SignatureDomain {
    return new SignatureDomain(label);
  }

  /** @internal */
  static extension(label: string): SignatureDomain {
    if (!LABEL.test(label)) throw new RangeError(`domain label ${JSON.stringify(label)} must match ${LABEL.source}`);
    return new SignatureDomain(`x/${label}`);
  }

  toString(): string {
    return `${PREFIX}${this.label}`;
  }
}

/**
 * A domain for another package's signatures (such as tags of the
 * refinement protocol): `defineSignatureDomain('refinement/tag')` signs under
 * `escher/pki/v1/x/refinement/tag`. @throws RangeError for a bad label
 */
export function defineSignatureDomain(label: string): SignatureDomain {
  return SignatureDomain.extension(label);
}

/** The built-in domains. */
export const Domains = {
  /** A certificate's to-be-signed bytes. */
  certificate: SignatureDomain.builtIn('certificate'),
  /** A runtime's proof that it holds an identity, over a handshake transcript. */
  handshakeProof: SignatureDomain.builtIn('handshake/proof'),
  /** The hash of a handshake transcript. */
  transcript: SignatureDomain.builtIn('handshake/transcript'),
  /** Session key derivation and session tags. */
  sessionKey: SignatureDomain.builtIn('session/key'),
  sessionTag: SignatureDomain.builtIn('session/tag'),
  /** A frame's associated data (MAC or AEAD). */
  frame: SignatureDomain.builtIn('frame'),
  /** One message signed on its own. */
  message: SignatureDomain.builtIn('message'),
  /** A batch of message digests signed once. */
  batch: SignatureDomain.builtIn('batch'),
  /** The digest of one message inside a batch. */
  batchItem: SignatureDomain.builtIn('batch/item'),
  /** Certificate fingerprints. */
  fingerprint: SignatureDomain.builtIn('fingerprint'),
} as const;
