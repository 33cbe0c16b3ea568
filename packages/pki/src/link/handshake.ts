/**
 * One handshake between two runtimes, symmetric (either side may start it,
 * both may start at once):
 *
 * 1. each side sends a HELLO: its ephemeral crypto_kx key and the chains of
 *    the identities it holds;
 * 2. with both HELLOs, each side computes the transcript hash
 *    `BLAKE2b-256(escher/pki/v1/handshake/transcript\0 ‖ HELLO_low ‖ HELLO_high)`
 *    (low/high: the runtime ids in code-unit order) and sends a PROOF: one
 *    signature per identity over the transcript, its runtime id and the
 *    identity's path;
 * 3. a side that has verified the other's chains and PROOF derives the
 *    session keys: crypto_kx (the low runtime is the client), then one key
 *    per direction as keyed BLAKE2b of the transcript, so the keys are bound
 *    to both HELLOs (identities, ephemeral keys, protection, runtime ids).
 */
import type { RuntimeId } from '@escher/core';
import { ByteWriter, concatBytes, utf8 } from '../bytes';
import { Domains } from '../domain';
import { BadSignatureError, HandshakeError } from '../errors';
import type { Identity } from '../identity';
import { verifySignature } from '../keys';
import { sodium } from '../sodium';
import type { VerifiedChain } from '../trust-store';
import { type SessionParams } from './session';
import {
  type Hello,
  type Proof,
  type Protection,
  SESSION_TAG_BYTES,
  TRANSCRIPT_BYTES,
  encodeHello,
  encodeProof,
  strongerProtection,
} from './wire';

/** What a side of a handshake knows about itself. */
export interface LocalSide {
  readonly self: RuntimeId;
  readonly identities: readonly Identity[];
  /** The encoded chains of `identities`, in order. */
  readonly chains: readonly Uint8Array[];
  readonly protection: Protection;
  readonly randomBytes?: ((n: number) => Uint8Array) | undefined;
  readonly windowSize: number;
}

/** The state of a handshake in progress with one peer. */
export class Handshake {
  readonly myHello: Uint8Array;
  /** Identities announced in `myHello`, in order (what `myProof` signs for). */
  private readonly identities: readonly Identity[];
  private readonly ephemeralPublic: Uint8Array;
  private readonly ephemeralSecret: Uint8Array;
  theirHello: Uint8Array | undefined;
  private theirIdentities: readonly VerifiedChain[] = [];
  transcript: Uint8Array | undefined;
  myProof: Uint8Array | undefined;
  private params: Omit<SessionParams, 'peerIdentities' | 'theirHello' | 'myProof'> | undefined;
  /** A PROOF that arrived before the peer's HELLO (on a reordering network). */
  earlyProof: Uint8Array | undefined;
  /** HELLOs sent so far (the first and the retries). */
  attempts = 1;

  constructor(private readonly local: LocalSide, readonly peer: RuntimeId) {
    const s = sodium();
    const kp = local.randomBytes === undefined ? s.crypto_kx_keypair() : s.crypto_kx_seed_keypair(local.randomBytes(32));
    this.ephemeralPublic = kp.publicKey;
    this.ephemeralSecret = kp.privateKey;
    this.identities = local.identities;
    this.myHello = encodeHello({
      from: local.self,
      to: peer,
      ephemeral: kp.publicKey,
      protection: local.protection,
      chains: local.chains,
    });
  }

  /** The session tag the handshake will produce, once the peer's HELLO is known. */
  get tag(): Uint8Array | undefined {
    return this.params?.tag;
  }

  /**
   * Takes the peer's HELLO (already decoded, its chains verified), computes
   * the transcript, the session keys and this side's PROOF. A later,
   * different HELLO from the same peer (it restarted) replaces the earlier.
   */
  accept(theirHello: Uint8Array, hello: Hello, verified: readonly VerifiedChain[]): void {
    const s = sodium();
    const self = this.local.self;
    if (self === this.peer) throw new HandshakeError(this.peer, 'a runtime does not handshake with itself');
    const low = self < this.peer;
    const transcriptInput = new ByteWriter(theirHello.length + this.myHello.length + 64)
      .raw(Domains.transcript.prefix)
      .bytes32(low ? this.myHello : theirHello)
      .bytes32(low ? theirHello : this.myHello)
      .finish();
    const transcript = s.crypto_generichash(TRANSCRIPT_BYTES, transcriptInput, null);
    // crypto_kx: the low runtime is the client; client tx = server rx.
    const kx = low
      ? s.crypto_kx_client_session_keys(this.ephemeralPublic, this.ephemeralSecret, hello.ephemeral)
      : s.crypto_kx_server_session_keys(this.ephemeralPublic, this.ephemeralSecret, hello.ephemeral);
    const lowTx = low ? kx.sharedTx : kx.sharedRx;
    const highTx = low ? kx.sharedRx : kx.sharedTx;
    const protection = strongerProtection(this.local.protection, hello.protection);
    const derive = (direction: string, key: Uint8Array): Uint8Array =>
      s.crypto_generichash(32, concatBytes(Domains.sessionKey.prefix, transcript, utf8(`${direction}/${protection}`)), key);
    const lowToHigh = derive('low->high', lowTx);
    const highToLow = derive('high->low', highTx);
    s.memzero(kx.sharedRx);
    s.memzero(kx.sharedTx);
    const tag = s.crypto_generichash(SESSION_TAG_BYTES, concatBytes(Domains.sessionTag.prefix, transcript), null);

    const signatures = this.identities.map((id) => id.key.sign(Domains.handshakeProof, proofBytes(transcript, self, id.path)));
    this.theirHello = theirHello;
    this.theirIdentities = verified;
    this.transcript = transcript;
    this.myProof = encodeProof({ transcript, signatures });
    this.params = {
      self,
      peer: this.peer,
      protection,
      transcript,
      tag,
      txKey: low ? lowToHigh : highToLow,
      rxKey: low ? highToLow : lowToHigh,
      windowSize: this.local.windowSize,
    };
  }

  /**
   * Checks the peer's PROOF: one valid signature per identity of its HELLO.
   * @throws HandshakeError, BadSignatureError
   */
  complete(proof: Proof): SessionParams {
    const params = this.params;
    if (params === undefined || this.theirHello === undefined || this.myProof === undefined) {
      throw new HandshakeError(this.peer, 'proof before hello');
    }
    if (proof.signatures.length !== this.theirIdentities.length) {
      throw new HandshakeError(this.peer, `${proof.signatures.length} signature(s) for ${this.theirIdentities.length} identit(ies)`);
    }
    this.theirIdentities.forEach((id, i) => {
      if (!verifySignature(id.publicKey, Domains.handshakeProof, proofBytes(params.transcript, this.peer, id.path), proof.signatures[i] as Uint8Array)) {
        throw new BadSignatureError(`the handshake proof of ${this.peer} for ${id.path || '""'}`);
      }
    });
    sodium().memzero(this.ephemeralSecret);
    return { ...params, peerIdentities: this.theirIdentities, theirHello: this.theirHello, myProof: this.myProof };
  }
}

function proofBytes(transcript: Uint8Array, runtime: RuntimeId, path: string): Uint8Array {
  return new ByteWriter(64 + runtime.length + path.length).raw(transcript).string16(runtime).string16(path).finish();
}
