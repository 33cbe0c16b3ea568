import { expect } from 'chai';
import { Path } from '@escher/core';
import {
  BadSignatureError,
  ContextMismatchError,
  MessageSigner,
  MessageVerifier,
  StaleEpochError,
  TruncatedEncodingError,
  UnknownSignerError,
  decodeSignedBatch,
  encodeSignedBatch,
} from '../src';
import { TestSystem, usePki } from './helpers';

const body = (s: string) => new TextEncoder().encode(s);
const P = (s: string) => Path.parse(s);

describe('MessageSigner / MessageVerifier', () => {
  usePki();

  function setup() {
    const sys = new TestSystem();
    const kv = sys.path('/kv');
    const r1 = sys.certify(kv, '1', { epoch: 3 });
    const r2 = sys.certify(kv, '2', { epoch: 3 });
    const signer = new MessageSigner(r1);
    const verifier = new MessageVerifier(sys.trust);
    verifier.addChain(r1.chain.encode());
    return { sys, kv, r1, r2, signer, verifier };
  }

  describe('per message', () => {
    it('should verify a message signed by its source, whoever relays it', () => {
      const { signer, verifier } = setup();
      const sig = signer.sign(P('/app'), 42, body('put x 1'));
      expect(() => verifier.verify(signer.context(P('/app'), 42), body('put x 1'), sig)).to.not.throw();
      expect(signer.context(P('/app'), 42)).to.deep.equal({ src: '/kv/1', dst: '/app', epoch: 3, seq: 42 });
    });

    it('should refuse the signature in any other context: body, source, destination, epoch, sequence number', () => {
      const { signer, verifier } = setup();
      const ctx = signer.context(P('/app'), 42);
      const sig = signer.sign(ctx.dst, ctx.seq, body('put x 1'));
      expect(() => verifier.verify(ctx, body('put x 2'), sig)).to.throw(BadSignatureError);
      expect(() => verifier.verify({ ...ctx, dst: P('/other') }, body('put x 1'), sig)).to.throw(BadSignatureError);
      expect(() => verifier.verify({ ...ctx, seq: 43 }, body('put x 1'), sig)).to.throw(BadSignatureError);
      expect(() => verifier.verify({ ...ctx, epoch: 4 }, body('put x 1'), sig)).to.throw(ContextMismatchError);
      expect(() => verifier.verify({ ...ctx, src: P('/kv/2') }, body('put x 1'), sig)).to.throw(UnknownSignerError);
      expect(verifier.rejections.total).to.equal(5);
    });

    it('should refuse a signature by a sibling in the source name', () => {
      const { r2, verifier, signer } = setup();
      verifier.addChain(r2.chain);
      const forged = new MessageSigner(r2).sign(P('/app'), 1, body('x'));
      expect(() => verifier.verify(signer.context(P('/app'), 1), body('x'), forged)).to.throw(BadSignatureError);
    });

    it('should refuse signatures of a retired epoch', () => {
      const { sys, kv, signer, verifier } = setup();
      const sig = signer.sign(P('/app'), 1, body('x'));
      verifier.addChain(sys.certify(kv, '4', { epoch: 4 }).chain); // the refinement of /kv changed
      expect(() => verifier.verify(signer.context(P('/app'), 1), body('x'), sig)).to.throw(StaleEpochError);
      expect(verifier.rejections.get('ESCHER_PKI_STALE_EPOCH')).to.equal(1);
    });
  });

  describe('per batch', () => {
    it('should verify a whole batch with one signature, and each item alone after relaying', () => {
      const { signer, verifier } = setup();
      const items = [0, 1, 2].map((i) => ({ dst: P('/app'), seq: i + 1, body: body(`m${i}`) }));
      const batch = signer.signBatch(items, 9);
      verifier.verifyBatch(batch, items.map((it) => ({ ctx: signer.context(it.dst, it.seq), body: it.body })));
      const relayed = decodeSignedBatch(encodeSignedBatch(batch));
      expect(relayed).to.deep.equal(batch);
      verifier.verifyBatchItem(relayed, 1, signer.context(P('/app'), 2), body('m1'));
    });

    it('should refuse an item that is not the one at its index, or from another source', () => {
      const { signer, verifier } = setup();
      const items = [0, 1].map((i) => ({ dst: P('/app'), seq: i + 1, body: body(`m${i}`) }));
      const batch = signer.signBatch(items, 1);
      expect(() => verifier.verifyBatchItem(batch, 0, signer.context(P('/app'), 2), body('m1'))).to.throw(BadSignatureError);
      expect(() => verifier.verifyBatchItem(batch, 5, signer.context(P('/app'), 1), body('m0'))).to.throw(ContextMismatchError);
      expect(() => verifier.verifyBatchItem(batch, 0, { ...signer.context(P('/app'), 1), src: P('/kv/2') }, body('m0'))).to.throw(ContextMismatchError);
    });

    it('should not let a cached batch verdict cover altered digests', () => {
      const { signer, verifier } = setup();
      const items = [{ dst: P('/app'), seq: 1, body: body('genuine') }];
      const batch = signer.signBatch(items, 1);
      verifier.verifyBatchItem(batch, 0, signer.context(P('/app'), 1), body('genuine'));
      // Same signature, digests swapped for those of a forged message.
      const forgedItems = [{ dst: P('/app'), seq: 1, body: body('forged') }];
      const other = signer.signBatch(forgedItems, 1);
      const spliced = { ...batch, digests: other.digests };
      expect(() => verifier.verifyBatchItem(spliced, 0, signer.context(P('/app'), 1), body('forged'))).to.throw(BadSignatureError);
    });

    it('should refuse truncated batch encodings', () => {
      const { signer } = setup();
      const bytes = encodeSignedBatch(signer.signBatch([{ dst: P('/app'), seq: 1, body: body('x') }], 1));
      for (let n = 0; n < bytes.length; n++) expect(() => decodeSignedBatch(bytes.subarray(0, n))).to.throw(TruncatedEncodingError);
    });
  });
});
