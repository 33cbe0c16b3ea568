import { type Frame, JsonCodec, MalformedFrameError } from '@escher/core';
import { expect } from 'chai';
import { MSGPACK_CODEC_VERSION, MsgpackCodec } from '../src';

const frame: Frame = {
  v: 1,
  from: 'r1',
  messages: [
    { id: 1, src: '/app', dst: '/kv', payload: { op: 'put', key: 'k', value: [1, 2.5, 'three', null, true] } },
    { id: 2, src: '/app', dst: '/kv', payload: 'plain', roleTags: { 'outbox#1': { seq: 4 } } },
    { id: 3, src: '/kv/1', dst: '/app', payload: { nested: { deep: { deeper: [{ a: 1 }, { b: 2 }] } } }, tags: [{ waitForMatching: 1, from: ['/kv/1'] }] },
    { id: 4, src: '/a', dst: '/b', payload: null, roleTags: { r: 1 }, tags: [] },
    { id: 2 ** 53 - 1, src: '/a', dst: '/b', payload: { ünïcode: '✓ 漢字', empty: '', big: -1.5e300 } },
    { id: 5, src: '/kv/2', dst: '/app', payload: 1, inc: 3 },
    { id: 6, src: '/kv/2', dst: '/app', payload: 2, roleTags: { r: 2 }, tags: [1], inc: 3 },
  ],
};

/** Deterministic pseudo-random bytes (xorshift32). */
function noise(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('MsgpackCodec', () => {
  describe('encode / decode', () => {
    it('should round-trip frames with every message shape the runtime produces', () => {
      const c = new MsgpackCodec();
      expect(c.decode(c.encode(frame))).to.deep.equal(frame);
    });

    it('should decode with another instance (another process): shapes outside the shared list travel inside the frame', () => {
      const bytes = new MsgpackCodec().encode(frame);
      expect(new MsgpackCodec().decode(bytes)).to.deep.equal(frame);
      // Frames decode on their own, in any order.
      const other: Frame = { v: 1, from: 'r2', messages: [{ id: 9, src: '/x', dst: '/y', payload: { other: 'shape' } }] };
      const enc = new MsgpackCodec();
      const a = enc.encode(frame);
      const b = enc.encode(other);
      const dec = new MsgpackCodec();
      expect(dec.decode(b)).to.deep.equal(other);
      expect(dec.decode(a)).to.deep.equal(frame);
    });

    it('should hand out bytes that later encodes never overwrite (they are sent and held unacknowledged)', () => {
      const c = new MsgpackCodec();
      const kept = c.encode(frame);
      const copy = Uint8Array.from(kept);
      for (let i = 0; i < 2000; i++) c.encode({ v: 1, from: 'r9', messages: [{ id: i + 1, src: '/x', dst: '/y', payload: 'z'.repeat(i % 300) }] });
      expect(Buffer.compare(Buffer.from(kept), Buffer.from(copy))).to.equal(0);
      expect(c.decode(kept)).to.deep.equal(frame);
    });

    it('should start with its version byte and be smaller than JSON', () => {
      const bytes = new MsgpackCodec().encode(frame);
      expect(bytes[0]).to.equal(MSGPACK_CODEC_VERSION);
      expect(bytes.length).to.be.lessThan(new JsonCodec().encode(frame).length);
    });
  });

  describe('decode of untrusted bytes', () => {
    it('should refuse another version, an empty input, trailing bytes and a value that is not a frame', () => {
      const c = new MsgpackCodec();
      const good = c.encode(frame);
      const v = Uint8Array.from(good);
      v[0] = 2;
      expect(() => c.decode(v)).to.throw(MalformedFrameError, /version/);
      expect(() => c.decode(new Uint8Array(0))).to.throw(MalformedFrameError);
      expect(() => c.decode(Uint8Array.from([MSGPACK_CODEC_VERSION]))).to.throw(MalformedFrameError);
      expect(() => c.decode(Uint8Array.from([...good, 0xc0]))).to.throw(MalformedFrameError);
      const notFrame = c.encode({ v: 2, from: 'x', messages: [] });
      expect(() => c.decode(notFrame)).to.throw(MalformedFrameError, /version 2/);
      // msgpack for the number 7, and for an array claiming 2^32 - 1 elements in five bytes.
      expect(() => c.decode(Uint8Array.from([MSGPACK_CODEC_VERSION, 0x07]))).to.throw(MalformedFrameError);
      expect(() => c.decode(Uint8Array.from([MSGPACK_CODEC_VERSION, 0xdd, 0xff, 0xff, 0xff, 0xff]))).to.throw(MalformedFrameError);
    });

    it('should throw nothing but MalformedFrameError on every truncation, bit flip and random input', () => {
      const c = new MsgpackCodec();
      const good = c.encode(frame);
      const attempts: Uint8Array[] = [];
      for (let n = 0; n < good.length; n++) attempts.push(good.subarray(0, n));
      for (let i = 1; i < good.length; i++) {
        const flipped = Uint8Array.from(good);
        flipped[i] = (flipped[i] as number) ^ (1 << i % 8);
        attempts.push(flipped);
      }
      for (let seed = 1; seed <= 500; seed++) attempts.push(Uint8Array.from([MSGPACK_CODEC_VERSION, ...noise(seed, 1 + (seed % 64))]));
      let refused = 0;
      for (const bytes of attempts) {
        try {
          c.decode(bytes);
        } catch (e) {
          expect(e, `input ${Buffer.from(bytes).toString('hex')}`).to.be.instanceOf(MalformedFrameError);
          refused++;
        }
      }
      expect(refused).to.be.greaterThan(attempts.length / 2);
      // And the codec still works after all that.
      expect(c.decode(good)).to.deep.equal(frame);
    });

    it('should not let one frame change how later frames decode (structures defined inside a frame stay inside it)', () => {
      const c = new MsgpackCodec();
      const good = c.encode(frame);
      // A record definition (ext 0x72) for the first shared structure id, with other keys, followed by a value using it.
      const hostile = Uint8Array.from([MSGPACK_CODEC_VERSION, 0xd4, 0x72, 0x40, 0x91, 0xa1, 0x7a, 0x05]);
      try {
        c.decode(hostile);
      } catch (e) {
        expect(e).to.be.instanceOf(MalformedFrameError);
      }
      expect(c.decode(good)).to.deep.equal(frame);
    });

    it('should not let a __proto__ key reach an object prototype', () => {
      const c = new MsgpackCodec();
      // {"v":1,"from":"x","messages":[],"__proto__":{"polluted":true}} as a plain msgpack map.
      const map = Buffer.concat([
        Buffer.from([MSGPACK_CODEC_VERSION, 0x84, 0xa1, 0x76, 0x01, 0xa4]),
        Buffer.from('from'),
        Buffer.from([0xa1, 0x78, 0xa8]),
        Buffer.from('messages'),
        Buffer.from([0x90, 0xa9]),
        Buffer.from('__proto__'),
        Buffer.from([0x81, 0xa8]),
        Buffer.from('polluted'),
        Buffer.from([0xc3]),
      ]);
      const decoded = c.decode(map) as unknown as Record<string, unknown>;
      expect(Object.getPrototypeOf(decoded)).to.equal(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(decoded.polluted).to.equal(undefined);
      expect(decoded.__proto_).to.deep.equal({ polluted: true });
    });
  });
});
