import { expect } from 'chai';
import { MalformedPacketError, OversizedFrameError } from '../src';
import {
  ACK_BYTES,
  DATA_HEADER_BYTES,
  type Handshake,
  KIND_DATA,
  KIND_HELLO,
  KIND_WELCOME,
  LINK_VERSION,
  checkData,
  decodeAck,
  decodeHandshake,
  encodeAck,
  encodeData,
  encodeHandshake,
} from '../src/wire';

const hello = {
  kind: KIND_HELLO,
  from: 'r1',
  to: 'rüntime-2',
  incarnation: 2 ** 47 + 5,
  peerIncarnation: 7,
  received: 2 ** 53 - 1,
  sendBase: 12,
  written: 40,
} as const;

describe('wire', () => {
  describe('handshake', () => {
    it('should round-trip every field, UTF-8 ids and 53-bit numbers included', () => {
      expect(decodeHandshake(encodeHandshake(hello), 'x')).to.deep.equal(hello);
      const welcome: Handshake = { ...hello, kind: KIND_WELCOME };
      expect(decodeHandshake(encodeHandshake(welcome), 'x')).to.deep.equal(welcome);
    });

    it('should refuse truncation, trailing bytes, an empty id, a zero incarnation and numbers above 2^53 - 1', () => {
      const bytes = encodeHandshake(hello);
      for (let n = 0; n < bytes.length; n++) expect(() => decodeHandshake(bytes.subarray(0, n), 'x'), `cut at ${n}`).to.throw(MalformedPacketError);
      expect(() => decodeHandshake(Uint8Array.from([...bytes, 0]), 'x')).to.throw(MalformedPacketError);
      const empty = Uint8Array.from(bytes);
      empty[2] = 0;
      expect(() => decodeHandshake(empty, 'x')).to.throw(MalformedPacketError);
      expect(() => decodeHandshake(encodeHandshake({ ...hello, incarnation: 0 }), 'x')).to.throw(MalformedPacketError, /zero incarnation/);
      const big = Uint8Array.from(bytes);
      big[bytes.length - 8] = 0x00;
      big[bytes.length - 8 + 1] = 0x20; // high word 0x00200000: 2^53
      expect(() => decodeHandshake(big, 'x')).to.throw(MalformedPacketError, /2\^53/);
    });

    it('should refuse another version, another kind and ids that are not UTF-8', () => {
      const bytes = encodeHandshake(hello);
      const v = Uint8Array.from(bytes);
      v[0] = LINK_VERSION + 1;
      expect(() => decodeHandshake(v, 'x')).to.throw(MalformedPacketError, /version/);
      const k = Uint8Array.from(bytes);
      k[1] = KIND_DATA;
      expect(() => decodeHandshake(k, 'x')).to.throw(MalformedPacketError, /handshake/);
      const u = Uint8Array.from(bytes);
      u[3] = 0xff; // first byte of "r1"
      expect(() => decodeHandshake(u, 'x')).to.throw(MalformedPacketError, /UTF-8/);
    });
  });

  describe('data', () => {
    const frames = [Uint8Array.from([1, 2, 3]), new Uint8Array(0), Uint8Array.from([9])];

    it('should carry the ack, the first sequence number and every frame with its length', () => {
      const p = encodeData(5, 11, frames, 0, 3, 4);
      expect(p.length).to.equal(DATA_HEADER_BYTES + 3 * 4 + 4);
      expect(checkData(p, 100, 'x')).to.deep.equal({ ack: 5, firstSeq: 11, count: 3 });
    });

    it('should refuse a declared frame length above the limit before reading it', () => {
      const p = Buffer.from(encodeData(0, 1, [new Uint8Array(50)], 0, 1, 50));
      expect(() => checkData(p, 49, 'x')).to.throw(OversizedFrameError);
      // A length prefix claiming 4 GiB in a small packet: refused as oversized, nothing allocated.
      p.writeUInt32BE(0xffffffff, DATA_HEADER_BYTES);
      expect(() => checkData(p, 1 << 20, 'x')).to.throw(OversizedFrameError);
    });

    it('should refuse frames running past the end, trailing bytes, and a count the packet cannot hold', () => {
      const p = Buffer.from(encodeData(0, 1, frames, 0, 3, 4));
      expect(() => checkData(p.subarray(0, p.length - 1), 100, 'x')).to.throw(MalformedPacketError, /past the end/);
      expect(() => checkData(Buffer.concat([p, Buffer.from([0])]), 100, 'x')).to.throw(MalformedPacketError, /trailing/);
      const c = Buffer.from(p);
      c.writeUInt32BE(1_000_000, 18);
      expect(() => checkData(c, 100, 'x')).to.throw(MalformedPacketError, /does not fit/);
      expect(() => checkData(p.subarray(0, DATA_HEADER_BYTES - 1), 100, 'x')).to.throw(MalformedPacketError);
      const zero = Buffer.from(encodeData(0, 0, frames, 0, 1, 3));
      expect(() => checkData(zero, 100, 'x')).to.throw(MalformedPacketError, /start at 1/);
    });
  });

  describe('ack', () => {
    it('should round-trip and refuse any other length', () => {
      expect(decodeAck(encodeAck(123_456_789_012), 'x')).to.equal(123_456_789_012);
      expect(encodeAck(1).length).to.equal(ACK_BYTES);
      expect(() => decodeAck(new Uint8Array(ACK_BYTES - 1), 'x')).to.throw(MalformedPacketError);
    });
  });
});
