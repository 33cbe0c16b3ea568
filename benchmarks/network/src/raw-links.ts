import { type Socket, connect } from 'node:net';
import { elapsedNs, now } from '@escher/bench-harness';
import WebSocket from 'ws';
import type { Measurement } from './escher-link';
import { MESSAGES_PER_TICK, recordBatch } from './messages';
import type { PeerProcess } from './peer';

/** Socket buffer above which a raw sender waits (the same 1 MiB our link uses as its high-water mark). */
const HIGH_WATER_BYTES = 1024 * 1024;

/**
 * The reference links: the same number of messages of the same size per
 * tick, as length-prefixed records in one write, with nothing else — no
 * sequence numbers, acknowledgements, authentication or codec. The sink
 * reads every prefix to count the records.
 */
export class RawWsLink {
  private constructor(
    private readonly peer: PeerProcess,
    private readonly ws: WebSocket,
    private readonly batch: Buffer,
  ) {}

  /** Connects a `ws` client to a `ws` server in the peer process (masking off, as on our link). */
  static async open(peer: PeerProcess, mode: 'sink' | 'echo', recordBytes: number): Promise<RawWsLink> {
    const { url } = await peer.request({ cmd: 'ws-listen', mode });
    const ws = new WebSocket(url as string, { perMessageDeflate: false, generateMask: () => undefined, maxPayload: 64 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawWsLink(peer, ws, recordBatch(MESSAGES_PER_TICK, recordBytes));
  }

  async throughput(total: number): Promise<Measurement> {
    const { done } = await this.peer.expect(total);
    const start = now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        if (this.ws.bufferedAmount < HIGH_WATER_BYTES && sent < total) {
          const n = Math.min(MESSAGES_PER_TICK, total - sent);
          this.ws.send(n === MESSAGES_PER_TICK ? this.batch : this.batch.subarray(0, (n * this.batch.length) / MESSAGES_PER_TICK));
          sent += n;
        }
        if (sent < total) setImmediate(tick);
        else resolve();
      };
      tick();
    });
    const counted = await done;
    if (counted !== total) throw new Error(`raw ws sink counted ${counted}, expected ${total}`);
    return { messages: total, ns: elapsedNs(start) };
  }

  /** `n` round trips of one record through the echo; µs each. */
  async roundTrips(n: number): Promise<number[]> {
    const one = this.batch.subarray(0, this.batch.length / MESSAGES_PER_TICK);
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = now();
      await new Promise<void>((resolve) => {
        this.ws.once('message', () => resolve());
        this.ws.send(one);
      });
      out.push(elapsedNs(start) / 1000);
    }
    return out;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A TCP socket to the peer process; each tick writes one buffer of length-prefixed records. */
export class RawTcpLink {
  private constructor(
    private readonly peer: PeerProcess,
    private readonly socket: Socket,
    private readonly batch: Buffer,
  ) {}

  static async open(peer: PeerProcess, recordBytes: number): Promise<RawTcpLink> {
    const { port } = await peer.request({ cmd: 'tcp-listen' });
    const socket = connect(port as number, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawTcpLink(peer, socket, recordBatch(MESSAGES_PER_TICK, recordBytes));
  }

  async throughput(total: number): Promise<Measurement> {
    const { done } = await this.peer.expect(total);
    const start = now();
    let sent = 0;
    await new Promise<void>((resolve) => {
      const tick = (): void => {
        let writable = true;
        if (sent < total) {
          const n = Math.min(MESSAGES_PER_TICK, total - sent);
          writable = this.socket.write(n === MESSAGES_PER_TICK ? this.batch : this.batch.subarray(0, (n * this.batch.length) / MESSAGES_PER_TICK));
          sent += n;
        }
        if (sent >= total) resolve();
        else if (writable) setImmediate(tick);
        else this.socket.once('drain', tick);
      };
      tick();
    });
    const counted = await done;
    if (counted !== total) throw new Error(`raw TCP sink counted ${counted}, expected ${total}`);
    return { messages: total, ns: elapsedNs(start) };
  }

  close(): void {
    this.socket.destroy();
  }
}
