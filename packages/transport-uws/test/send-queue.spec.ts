import { expect } from 'chai';
import { FRAME_OVERHEAD_BYTES, SendQueue } from '../src/send-queue';

const f = (n: number) => new Uint8Array(n);

describe('SendQueue', () => {
  it('should number frames from 1 and count their bytes with a per-frame overhead', () => {
    const q = new SendQueue();
    expect(q.push(f(10))).to.equal(1);
    expect(q.push(f(0))).to.equal(2);
    expect(q.length).to.equal(2);
    expect(q.bytes).to.equal(10 + 2 * FRAME_OVERHEAD_BYTES);
    expect(q.at(1).length).to.equal(10);
    expect(q.at(2).length).to.equal(0);
  });

  it('should release acknowledged frames and keep the rest addressable by sequence number', () => {
    const q = new SendQueue();
    for (let i = 1; i <= 5; i++) q.push(f(i));
    q.markWritten(4);
    q.ack(3);
    expect(q.length).to.equal(2);
    expect(q.outstanding).to.equal(1);
    expect(q.unwritten).to.equal(1);
    expect(q.at(4).length).to.equal(4);
    expect(q.at(5).length).to.equal(5);
    expect(q.bytes).to.equal(9 + 2 * FRAME_OVERHEAD_BYTES);
    q.ack(2); // an old acknowledgement changes nothing
    expect(q.length).to.equal(2);
  });

  it('should rewind to rewrite everything unacknowledged on a new connection', () => {
    const q = new SendQueue();
    for (let i = 1; i <= 5; i++) q.push(f(i));
    q.markWritten(5);
    q.ack(2);
    q.rewind();
    expect(q.written).to.equal(2);
    expect(q.unwritten).to.equal(3);
    expect(q.everWritten).to.equal(5);
  });

  it('should drop what a previous incarnation of the peer may have seen, and keep what was never written', () => {
    const q = new SendQueue();
    for (let i = 1; i <= 6; i++) q.push(f(1));
    q.markWritten(4);
    q.ack(1);
    expect(q.dropWritten()).to.equal(3);
    expect(q.acked).to.equal(4);
    expect(q.length).to.equal(2);
    expect(q.at(5)).to.have.length(1);
  });

  it('should drop everything and go on numbering after it', () => {
    const q = new SendQueue();
    for (let i = 1; i <= 3; i++) q.push(f(8));
    expect(q.dropAll()).to.equal(3);
    expect(q.length).to.equal(0);
    expect(q.bytes).to.equal(0);
    expect(q.push(f(1))).to.equal(4);
    expect(q.at(4)).to.have.length(1);
  });

  it('should stay bounded over a long run of pushes and acknowledgements', () => {
    const q = new SendQueue();
    for (let i = 1; i <= 100_000; i++) {
      q.push(f(1));
      q.markWritten(i);
      q.ack(i);
    }
    expect(q.length).to.equal(0);
    expect(q.bytes).to.equal(0);
    // Compaction keeps the backing array near what is held.
    expect((q as unknown as { frames: unknown[] }).frames.length).to.be.lessThan(4096);
  });
});
