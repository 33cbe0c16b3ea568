/**
 * Signatures that survive relaying: a message signed by its source agent's
 * key stays verifiable by anyone holding the source's certificate chain,
 * whichever runtime handed it over (Byzantine replication needs this; link
 * MACs do not give it). Two forms:
 *
 * - per message: one Ed25519 signature over
 *   `escher/pki/v1/message\0 ‖ src ‖ dst ‖ epoch ‖ seq ‖ body`;
 * - per batch: one signature over the digests of many messages, each digest
 *   `BLAKE2b-256(escher/pki/v1/batch/item\0 ‖ src ‖ dst ‖ epoch ‖ seq ‖ body)`.
 *   A relayed message carries the batch (its digests and signature) and its
 *   index in it; a receiver verifies the batch signature once and caches it.
 *
 * `epoch` is the epoch of the signer's certificate, `seq` the message id
 * (unique per (src, dst) for a correct source). The receiver refuses a
 * signature whose context (source, destination, epoch, sequence number)
 * is not the one it checks against, or whose epoch is no longer accepted.
 */
import { MAX_PATH_LENGTH, Path as PathOps, type Path } from '@escher/core';
import { ByteReader, ByteWriter, bytesEqual, concatBytes, toHex, utf8 } from './bytes';
import type { CertificateChain } from './chain';
import { RejectionCounters } from './counters';
import { Domains } from './domain';
import {
  BadSignatureError,
  ContextMismatchError,
  MalformedEncodingError,
  OversizedEncodingError,
  PkiError,
  StaleEpochError,
  UnknownSignerError,
  UnsupportedVersionError,
} from './errors';
import type { Identity } from './identity';
import { SIGNATURE_BYTES, verifySignature } from './keys';
import { sodium } from './sodium';
import type { TrustStore, VerifiedChain } from './trust-store';

/** What a signature binds besides the body. */
export interface SignedContext {
  readonly src: Path;
  readonly dst: Path;
  /** Epoch of the source's certificate. */
  readonly epoch: number;
  /** Sequence number (the message id). */
  readonly seq: number;
}

/** A message to sign as part of a batch (the source and epoch are the signer's). */
export interface BatchItem {
  readonly dst: Path;
  readonly seq: number;
  readonly body: Uint8Array;
}

/** One signature over the digests of several messages of one source. */
export interface SignedBatch {
  readonly src: Path;
  readonly epoch: number;
  /** Distinguishes the signer's batches (a counter). */
  readonly batchSeq: number;
  /** 32 bytes per item, in item order. */
  readonly digests: Uint8Array;
  readonly signature: Uint8Array;
}

/** Version of the {@link SignedBatch} encoding. */
export const BATCH_VERSION = 1;
/** Most messages in one signed batch. */
export const MAX_BATCH_ITEMS = 4096;
const DIGEST_BYTES = 32;

/** UTF-8 of recently seen paths (the same few sources and destinations recur). */
const pathBytes = new Map<string, Uint8Array>();
const PATH_BYTES_MAX = 4096;
/** Reused for every context encoding: libsodium copies its inputs, and nothing here is reentrant. */
let scratch = new Uint8Array(1024);

function utf8Path(p: string): Uint8Array {
  let b = pathBytes.get(p);
  if (b === undefined) {
    b = utf8(p);
    if (pathBytes.size >= PATH_BYTES_MAX) pathBytes.clear();
    pathBytes.set(p, b);
  }
  return b;
}

/**
 * `prefix ‖ src ‖ dst ‖ epoch ‖ seq ‖ body` (paths and body length-prefixed,
 * integers big-endian), written into the shared scratch buffer: the view is
 * valid until the next call.
 */
function writeContext(prefix: Uint8Array, ctx: SignedContext, body: Uint8Array): Uint8Array {
  const src = utf8Path(ctx.src);
  const dst = utf8Path(ctx.dst);
  const n = prefix.length + 2 + src.length + 2 + dst.length + 8 + 8 + 4 + body.length;
  if (scratch.length < n) scratch = new Uint8Array(Math.max(n, scratch.length * 2));
  const b = scratch;
  const v = new DataView(b.buffer);
  let o = 0;
  b.set(prefix, o);
  o += prefix.length;
  v.setUint16(o, src.length);
  b.set(src, o + 2);
  o += 2 + src.length;
  v.setUint16(o, dst.length);
  b.set(dst, o + 2);
  o += 2 + dst.length;
  for (const x of [ctx.epoch, ctx.seq]) {
    if (!Number.isSafeInteger(x) || x < 0) throw new RangeError(`${x} is not a non-negative safe integer`);
    v.setUint32(o, Math.floor(x / 2 ** 32));
    v.setUint32(o + 4, x >>> 0);
    o += 8;
  }
  v.setUint32(o, body.length);
  b.set(body, o + 4);
  return b.subarray(0, n);
}

const NO_PREFIX = new Uint8Array(0);

/** The context and body as signed (after the domain prefix), as a fresh array. */
function contextBytes(ctx: SignedContext, body: Uint8Array): Uint8Array {
  return writeContext(NO_PREFIX, ctx, body).slice();
}

/** The digest of one message in a batch. */
export function batchItemDigest(ctx: SignedContext, body: Uint8Array): Uint8Array {
  return sodium().crypto_generichash(DIGEST_BYTES, writeContext(Domains.batchItem.prefix, ctx, body), null);
}

function batchBytes(src: Path, epoch: number, batchSeq: number, digests: Uint8Array): Uint8Array {
  return new ByteWriter(32 + src.length + digests.length)
    .string16(src)
    .u64(epoch)
    .u64(batchSeq)
    .u32(digests.length / DIGEST_BYTES)
    .raw(digests)
    .finish();
}

/** Signs messages and batches as one agent (its manager's runtime holds the identity). */
export class MessageSigner {
  constructor(private readonly identity: Identity) {}

  /** The source every signature names. */
  get src(): Path {
    return this.identity.path;
  }

  /** The epoch every signature names (the identity's certificate's). */
  get epoch(): number {
    return this.identity.epoch;
  }

  /** The context a message to `dst` with id `seq` is signed in. */
  context(dst: Path, seq: number): SignedContext {
    return { src: this.identity.path, dst, epoch: this.identity.epoch, seq };
  }

  /** Signs one message: 64 bytes. */
  sign(dst: Path, seq: number, body: Uint8Array): Uint8Array {
    return this.identity.key.sign(Domains.message, contextBytes(this.context(dst, seq), body));
  }

  /** Signs many messages at once. @throws RangeError for an empty or too large batch */
  signBatch(items: readonly BatchItem[], batchSeq: number): SignedBatch {
    if (items.length === 0 || items.length > MAX_BATCH_ITEMS) throw new RangeError(`a batch has 1..${MAX_BATCH_ITEMS} items`);
    const digests = new Uint8Array(items.length * DIGEST_BYTES);
    items.forEach((it, i) => digests.set(batchItemDigest(this.context(it.dst, it.seq), it.body), i * DIGEST_BYTES));
    const src = this.identity.path;
    const epoch = this.identity.epoch;
    const signature = this.identity.key.sign(Domains.batch, batchBytes(src, epoch, batchSeq, digests));
    return { src, epoch, batchSeq, digests, signature };
  }
}

/** Encodes a signed batch for relaying with one of its messages. */
export function encodeSignedBatch(b: SignedBatch): Uint8Array {
  return new ByteWriter(96 + b.src.length + b.digests.length)
    .u8(BATCH_VERSION)
    .string16(b.src)
    .u64(b.epoch)
    .u64(b.batchSeq)
    .bytes32(b.digests)
    .raw(b.signature)
    .finish();
}

/** @throws a typed PkiError for every bad input */
export function decodeSignedBatch(bytes: Uint8Array): SignedBatch {
  const limit = 1 + 2 + MAX_PATH_LENGTH + 8 + 8 + 4 + MAX_BATCH_ITEMS * DIGEST_BYTES + SIGNATURE_BYTES;
  if (bytes.length > limit) throw new OversizedEncodingError('batch', bytes.length, limit);
  const r = new ByteReader(bytes, 'batch');
  const v = r.u8();
  if (v !== BATCH_VERSION) throw new UnsupportedVersionError('batch', v);
  const srcText = r.string16(MAX_PATH_LENGTH);
  if (!PathOps.isValid(srcText)) throw new MalformedEncodingError('batch', 'invalid source path');
  const epoch = r.u64();
  const batchSeq = r.u64();
  const digests = r.bytes32(MAX_BATCH_ITEMS * DIGEST_BYTES).slice();
  if (digests.length === 0 || digests.length % DIGEST_BYTES !== 0) throw new MalformedEncodingError('batch', 'digests are not a positive multiple of 32 bytes');
  const signature = r.raw(SIGNATURE_BYTES).slice();
  r.end();
  return { src: srcText as Path, epoch, batchSeq, digests, signature };
}

/** Settings of a {@link MessageVerifier}. */
export interface MessageVerifierOptions {
  /** Batch signatures remembered as verified (default 1024). */
  readonly batchCache?: number;
}

/**
 * Verifies per-message and per-batch signatures against the certificate
 * chains of their sources. Counts every refusal by code.
 */
export class MessageVerifier {
  private readonly signers = new Map<Path, VerifiedChain>();
  private readonly verifiedBatches = new Set<string>();
  private readonly batchCache: number;
  /** Signatures refused, by error code. */
  readonly rejections = new RejectionCounters();

  constructor(private readonly trust: TrustStore, options: MessageVerifierOptions = {}) {
    this.batchCache = options.batchCache ?? 1024;
  }

  /** Verifies a source's chain and remembers it (replacing an older one for the same path). @throws a PkiError */
  addChain(chain: CertificateChain | Uint8Array): VerifiedChain {
    const v = this.guard(() => this.trust.verifyChain(chain));
    this.signers.set(v.path, v);
    return v;
  }

  /** A chain is known for `src`. */
  knows(src: Path | string): boolean {
    return this.signers.has(src as Path);
  }

  /** @throws UnknownSignerError, StaleEpochError, ContextMismatchError or BadSignatureError */
  verify(ctx: SignedContext, body: Uint8Array, signature: Uint8Array): void {
    this.guard(() => {
      const signer = this.signerFor(ctx);
      if (!verifySignature(signer.publicKey, Domains.message, contextBytes(ctx, body), signature)) {
        throw new BadSignatureError(`message ${ctx.seq} from ${ctx.src} to ${ctx.dst}`);
      }
    });
  }

  /**
   * Verifies that the message (`ctx`, `body`) is item `index` of `batch` and
   * that the batch is signed by its source.
   * @throws UnknownSignerError, StaleEpochError, ContextMismatchError or BadSignatureError
   */
  verifyBatchItem(batch: SignedBatch, index: number, ctx: SignedContext, body: Uint8Array): void {
    this.guard(() => {
      if (ctx.src !== batch.src || ctx.epoch !== batch.epoch) {
        throw new ContextMismatchError(`message from ${ctx.src} (epoch ${ctx.epoch}) in a batch of ${batch.src} (epoch ${batch.epoch})`);
      }
      const n = batch.digests.length / DIGEST_BYTES;
      if (!Number.isInteger(index) || index < 0 || index >= n) throw new ContextMismatchError(`index ${index} outside a batch of ${n}`);
      const expected = batch.digests.subarray(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES);
      if (!bytesEqual(batchItemDigest(ctx, body), expected)) throw new BadSignatureError(`message ${ctx.seq} from ${ctx.src}: not the batch's item ${index}`);
      this.checkBatch(batch);
    });
  }

  /**
   * Verifies a whole batch against its items (what a direct receiver does:
   * one signature check, one digest per item).
   * @throws as {@link verifyBatchItem}
   */
  verifyBatch(batch: SignedBatch, items: readonly { readonly ctx: SignedContext; readonly body: Uint8Array }[]): void {
    this.guard(() => {
      if (items.length * DIGEST_BYTES !== batch.digests.length) throw new ContextMismatchError(`${items.length} items for a batch of ${batch.digests.length / DIGEST_BYTES}`);
      items.forEach((it, i) => {
        if (it.ctx.src !== batch.src || it.ctx.epoch !== batch.epoch) throw new ContextMismatchError(`item ${i} is not from ${batch.src} in epoch ${batch.epoch}`);
        const expected = batch.digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES);
        if (!bytesEqual(batchItemDigest(it.ctx, it.body), expected)) throw new BadSignatureError(`batch item ${i} of ${batch.src}`);
      });
      this.checkBatch(batch);
    });
  }

  private checkBatch(batch: SignedBatch): void {
    const signer = this.signerFor({ src: batch.src, epoch: batch.epoch });
    const signed = batchBytes(batch.src, batch.epoch, batch.batchSeq, batch.digests);
    // Keyed by what was signed and the signature, so a cached verdict never covers other digests.
    const id = toHex(sodium().crypto_generichash(16, concatBytes(signed, batch.signature), signer.publicKey));
    if (this.verifiedBatches.has(id)) return;
    if (!verifySignature(signer.publicKey, Domains.batch, signed, batch.signature)) {
      throw new BadSignatureError(`batch ${batch.batchSeq} of ${batch.src}`);
    }
    if (this.verifiedBatches.size >= this.batchCache) this.verifiedBatches.clear();
    this.verifiedBatches.add(id);
  }

  private signerFor(ctx: { readonly src: Path; readonly epoch: number }): VerifiedChain {
    const signer = this.signers.get(ctx.src);
    if (signer === undefined) throw new UnknownSignerError(ctx.src);
    const parent = PathOps.parent(ctx.src) ?? PathOps.root;
    const floor = this.trust.minimumEpoch(parent);
    if (ctx.epoch < floor) throw new StaleEpochError(ctx.src, ctx.epoch, floor);
    if (!this.trust.isCurrent(signer)) throw new StaleEpochError(ctx.src, signer.epoch, floor);
    if (ctx.epoch !== signer.epoch) throw new ContextMismatchError(`signed in epoch ${ctx.epoch}, but ${ctx.src} is certified for epoch ${signer.epoch}`);
    return signer;
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof PkiError) this.rejections.count(e);
      throw e;
    }
  }
}
