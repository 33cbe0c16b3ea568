/**
 * One authenticated session between two runtimes: per-direction keys, a
 * send counter and a replay window, and what the peer proved about itself.
 *
 * Every DATA frame is `header ‖ body`, header = version, kind, session tag,
 * sequence number. The associated data of its MAC or AEAD tag is
 * `escher/pki/v1/frame\0 ‖ from runtime ‖ to runtime ‖ header`, so a frame is
 * bound to its direction, its session and its position; it cannot be
 * replayed, redirected, moved to another session or truncated.
 *
 * - `aead`: XChaCha20-Poly1305 (libsodium's
 *   crypto_aead_xchacha20poly1305_ietf), nonce = session tag ‖ sequence
 *   number ‖ 0⁸; a key is never used with a repeated nonce because the
 *   sequence number never repeats within a session and every session has
 *   fresh keys.
 * - `mac`: keyed BLAKE2b-256 (crypto_generichash with a key) over the
 *   associated data and the plaintext.
 */
import type { RuntimeId } from '@escher/core';
import { ByteWriter } from '../bytes';
import { Domains } from '../domain';
import { FrameAuthenticationError, FrameOutOfWindowError, ReplayedFrameError, TruncatedEncodingError } from '../errors';
import { sodium } from '../sodium';
import type { VerifiedChain } from '../trust-store';
import { ReplayWindow } from './replay-window';
import { DATA_HEADER_BYTES, KIND_DATA, LINK_VERSION, type Protection, SESSION_TAG_BYTES } from './wire';

const MAC_BYTES = 32;
const AEAD_TAG_BYTES = 16;
const NONCE_BYTES = 24;

/** What a completed handshake hands to its session. */
export interface SessionParams {
  readonly self: RuntimeId;
  readonly peer: RuntimeId;
  readonly protection: Protection;
  readonly transcript: Uint8Array;
  readonly tag: Uint8Array;
  readonly txKey: Uint8Array;
  readonly rxKey: Uint8Array;
  /** The identities the peer proved it holds. */
  readonly peerIdentities: readonly VerifiedChain[];
  /** The peer's HELLO of this session, to recognise a retransmission of it. */
  readonly theirHello: Uint8Array;
  /** This side's PROOF of this session, to send again when the peer retransmits its HELLO. */
  readonly myProof: Uint8Array;
  readonly windowSize: number;
}

function adPrefix(from: RuntimeId, to: RuntimeId): Uint8Array {
  return new ByteWriter(64).raw(Domains.frame.prefix).string16(from).string16(to).finish();
}

/** Sealing and opening of DATA frames for one session. */
export class Session {
  readonly protection: Protection;
  readonly tag: Uint8Array;
  readonly transcript: Uint8Array;
  readonly peerIdentities: readonly VerifiedChain[];
  readonly theirHello: Uint8Array;
  readonly myProof: Uint8Array;
  private readonly peer: RuntimeId;
  private readonly txKey: Uint8Array;
  private readonly rxKey: Uint8Array;
  private readonly window: ReplayWindow;
  private sendSeq = 0;
  /** Associated data per direction: the fixed prefix, then room for the header. */
  private readonly txAd: Uint8Array;
  private readonly rxAd: Uint8Array;
  private readonly txPrefix: number;
  private readonly rxPrefix: number;
  private readonly txNonce = new Uint8Array(NONCE_BYTES);
  private readonly rxNonce = new Uint8Array(NONCE_BYTES);
  /** MAC input buffer (associated data ‖ plaintext), reused across frames. */
  private scratch = new Uint8Array(4096);
  /** Per-peer answers of `mayClaim`, valid for one trust-store version. */
  claimCache = new Map<string, boolean>();
  claimCacheVersion = -1;

  constructor(p: SessionParams) {
    this.protection = p.protection;
    this.tag = p.tag;
    this.transcript = p.transcript;
    this.peerIdentities = p.peerIdentities;
    this.theirHello = p.theirHello;
    this.myProof = p.myProof;
    this.peer = p.peer;
    this.txKey = p.txKey;
    this.rxKey = p.rxKey;
    this.window = new ReplayWindow(p.windowSize);
    const tx = adPrefix(p.self, p.peer);
    const rx = adPrefix(p.peer, p.self);
    this.txPrefix = tx.length;
    this.rxPrefix = rx.length;
    this.txAd = new Uint8Array(tx.length + DATA_HEADER_BYTES);
    this.txAd.set(tx);
    this.rxAd = new Uint8Array(rx.length + DATA_HEADER_BYTES);
    this.rxAd.set(rx);
    this.txNonce.set(p.tag);
    this.rxNonce.set(p.tag);
  }

  /** This frame's header carries this session's tag. */
  owns(frame: Uint8Array): boolean {
    for (let i = 0; i < SESSION_TAG_BYTES; i++) if (frame[2 + i] !== this.tag[i]) return false;
    return true;
  }

  /** Frames sealed so far. */
  get sent(): number {
    return this.sendSeq;
  }

  /** Protects one frame for the peer. */
  seal(payload: Uint8Array): Uint8Array {
    const s = sodium();
    const seq = ++this.sendSeq;
    const header = this.txAd.subarray(this.txPrefix);
    writeHeader(header, this.tag, seq);
    if (this.protection === 'aead') {
      writeSeq(this.txNonce, SESSION_TAG_BYTES, seq);
      const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(payload, this.txAd, null, this.txNonce, this.txKey);
      const out = new Uint8Array(DATA_HEADER_BYTES + ct.length);
      out.set(header);
      out.set(ct, DATA_HEADER_BYTES);
      return out;
    }
    const mac = s.crypto_generichash(MAC_BYTES, this.macInput(this.txAd, payload), this.txKey);
    const out = new Uint8Array(DATA_HEADER_BYTES + payload.length + MAC_BYTES);
    out.set(header);
    out.set(payload, DATA_HEADER_BYTES);
    out.set(mac, DATA_HEADER_BYTES + payload.length);
    return out;
  }

  /**
   * Checks and unwraps a frame of this session (see {@link owns}).
   * @throws TruncatedEncodingError, ReplayedFrameError, FrameOutOfWindowError, FrameAuthenticationError
   */
  open(frame: Uint8Array): Uint8Array {
    const s = sodium();
    const overhead = this.protection === 'aead' ? AEAD_TAG_BYTES : MAC_BYTES;
    if (frame.length < DATA_HEADER_BYTES + overhead) throw new TruncatedEncodingError('frame', DATA_HEADER_BYTES + overhead, frame.length);
    const seq = readSeq(frame, 2 + SESSION_TAG_BYTES);
    const verdict = this.window.check(seq);
    if (verdict === 'replay') throw new ReplayedFrameError(this.peer, seq);
    if (verdict === 'old') throw new FrameOutOfWindowError(this.peer, seq, this.window.top);
    this.rxAd.set(frame.subarray(0, DATA_HEADER_BYTES), this.rxPrefix);
    let plain: Uint8Array;
    if (this.protection === 'aead') {
      writeSeq(this.rxNonce, SESSION_TAG_BYTES, seq);
      try {
        plain = s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, frame.subarray(DATA_HEADER_BYTES), this.rxAd, this.rxNonce, this.rxKey);
      } catch {
        throw new FrameAuthenticationError(this.peer, seq);
      }
    } else {
      plain = frame.subarray(DATA_HEADER_BYTES, frame.length - MAC_BYTES);
      const expected = s.crypto_generichash(MAC_BYTES, this.macInput(this.rxAd, plain), this.rxKey);
      if (!s.memcmp(expected, frame.subarray(frame.length - MAC_BYTES))) throw new FrameAuthenticationError(this.peer, seq);
    }
    this.window.commit(seq);
    return plain;
  }

  /** Overwrites the keys. */
  destroy(): void {
    const s = sodium();
    s.memzero(this.txKey);
    s.memzero(this.rxKey);
  }

  private macInput(ad: Uint8Array, payload: Uint8Array): Uint8Array {
    const n = ad.length + payload.length;
    if (this.scratch.length < n) this.scratch = new Uint8Array(Math.max(n, this.scratch.length * 2));
    this.scratch.set(ad);
    this.scratch.set(payload, ad.length);
    return this.scratch.subarray(0, n);
  }
}

function writeHeader(h: Uint8Array, tag: Uint8Array, seq: number): void {
  h[0] = LINK_VERSION;
  h[1] = KIND_DATA;
  h.set(tag, 2);
  writeSeq(h, 2 + SESSION_TAG_BYTES, seq);
}

function writeSeq(b: Uint8Array, at: number, seq: number): void {
  const hi = Math.floor(seq / 2 ** 32);
  const lo = seq >>> 0;
  b[at] = hi >>> 24;
  b[at + 1] = hi >>> 16;
  b[at + 2] = hi >>> 8;
  b[at + 3] = hi;
  b[at + 4] = lo >>> 24;
  b[at + 5] = lo >>> 16;
  b[at + 6] = lo >>> 8;
  b[at + 7] = lo;
}

function readSeq(b: Uint8Array, at: number): number {
  const hi = (((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number)) >>> 0;
  const lo = (((b[at + 4] as number) << 24) | ((b[at + 5] as number) << 16) | ((b[at + 6] as number) << 8) | (b[at + 7] as number)) >>> 0;
  return hi * 2 ** 32 + lo;
}
