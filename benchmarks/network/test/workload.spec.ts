import { recordingContext } from '@escher/bench-harness';
import { expect } from 'chai';
import { EscherLink, PeerProcess, RawTcpLink, RawWsLink, RecordCounter, benchmark, frameOf, messageBytes, recordBatch } from '../src';

describe('network benchmark', () => {
  describe('RecordCounter', () => {
    it('should count every record however the stream is cut', () => {
      const batch = Buffer.concat([recordBatch(5, 31), recordBatch(3, 0), recordBatch(4, 300)]);
      for (let cut = 0; cut <= batch.length; cut++) {
        const c = new RecordCounter();
        c.feed(batch.subarray(0, cut));
        c.feed(batch.subarray(cut));
        expect(c.count, `cut at ${cut}`).to.equal(12);
      }
      const bytewise = new RecordCounter();
      for (let i = 0; i < batch.length; i++) bytewise.feed(batch.subarray(i, i + 1));
      expect(bytewise.count).to.equal(12);
    });

    it('should not count a record before its last byte arrived', () => {
      const c = new RecordCounter();
      const batch = recordBatch(1, 10);
      expect(c.feed(batch.subarray(0, batch.length - 1))).to.equal(0);
      expect(c.feed(batch.subarray(batch.length - 1))).to.equal(1);
    });
  });

  describe('messages', () => {
    it('should build frames of kernel wire messages, about 31 bytes each in msgpack', () => {
      const f = frameOf(7, 3);
      expect(f.messages.map((m) => m.id)).to.deep.equal([7, 8, 9]);
      expect(f.messages[0]).to.include({ src: '/client', dst: '/server' });
      expect(messageBytes()).to.be.within(20, 40);
    });
  });

  describe('links', () => {
    let peer: PeerProcess;

    before(() => {
      peer = PeerProcess.start();
    });

    after(async () => {
      await peer.stop();
    });

    it('should move and count every message over our link, authenticated with a MAC', async () => {
      const link = await EscherLink.open(peer, 'sink', 'client', 'server');
      try {
        expect(link.protection).to.equal('mac');
        for (const n of [1, 255, 3000]) expect((await link.throughput(n)).messages).to.equal(n);
      } finally {
        await link.close();
      }
    });

    it('should answer each round trip with the reply to that request', async () => {
      const link = await EscherLink.open(peer, 'echo', 'rtt-client', 'rtt-server');
      try {
        const rtts = await link.roundTrips(20);
        expect(rtts).to.have.length(20);
        for (const t of rtts) expect(t).to.be.greaterThan(0);
      } finally {
        await link.close();
      }
    });

    it('should move and count every record over the raw ws and raw TCP links', async () => {
      const ws = await RawWsLink.open(peer, 'sink', 31);
      const tcp = await RawTcpLink.open(peer, 31);
      try {
        for (const n of [1, 1500, 20_000]) {
          expect((await ws.throughput(n)).messages).to.equal(n);
          expect((await tcp.throughput(n)).messages).to.equal(n);
        }
      } finally {
        ws.close();
        tcp.close();
      }
    });
  });

  describe('benchmark', () => {
    it('should run end to end at its quick size and report every summary figure', async function () {
      this.timeout(120_000);
      const ctx = recordingContext('network');
      await benchmark.run(ctx);
      expect(ctx.rows).to.have.length(5);
      for (const f of ['msgsPerSec', 'rawWsMsgsPerSec', 'rawTcpMsgsPerSec', 'rttP50us', 'rttP99us', 'rawWsRttP50us', 'rawWsRttP99us']) {
        expect(ctx.summary[f], f).to.be.a('number').and.greaterThan(0);
      }
      expect(ctx.summary.rttP99us as number).to.be.at.least(ctx.summary.rttP50us as number);
    });
  });
});
