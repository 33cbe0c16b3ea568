import { type Frame, type NetworkEndpoint } from '@escher/core';
import { elapsedNs, now } from '@escher/bench-harness';
import { Identity, NO_MERGE_SPEC, SecureNetwork, SigningKey, TrustStore, certifyChildren, createRoot, initPki } from '@escher/pki';
import { MsgpackCodec, UwsNetwork } from '@escher/transport-uws';
import { CLIENT_PATH, FRAMES_PER_TICK, FRAME_MESSAGES, frameOf } from './messages';
import type { PeerProcess } from './peer';

/** Frames (of 256 messages, about 8 KB each) held unacknowledged on the link before the sender waits a tick: about 2 MB in flight, well under the link's 16 MiB cap. */
const MAX_IN_FLIGHT_FRAMES = 256;

/** One timed run: how many messages, in how long. */
export interface Measurement {
  readonly messages: number;
  readonly ns: number;
}

/**
 * Our link, end to end: this process is runtime `clientName`, the peer
 * process runtime `serverName`; each has a UwsNetwork (uWS listening, ws
 * dialling) under a SecureNetwork in `mac` mode, and frames are msgpack.
 * The sending side builds kernel `WireMessage`s, puts them in frames,
 * encodes and sends them; the sink decodes every frame and counts its
 * messages; the echo answers each message.
 */
export class EscherLink {
  private readonly codec = new MsgpackCodec();
  private nextId = 1;
  private onReply: ((frame: Frame) => void) | undefined;

  private constructor(
    private readonly peer: PeerProcess,
    private readonly uws: UwsNetwork,
    private readonly secure: SecureNetwork,
    private readonly endpoint: NetworkEndpoint,
    private readonly serverName: string,
  ) {}

  /** Sets both sides up and runs the handshake (before any clock starts). */
  static async open(peer: PeerProcess, mode: 'sink' | 'echo', clientName: string, serverName: string): Promise<EscherLink> {
    await initPki();
    let serverUrl: string | undefined;
    const uws = new UwsNetwork({ resolve: (id) => (id === serverName ? serverUrl : undefined) });
    const clientUrl = (await uws.start()).url;
    const reply = await peer.request({ cmd: 'escher-listen', name: serverName, mode, clientName, clientUrl });
    serverUrl = reply.url as string;
    // One system agent certifies both sides; the peer's key never leaves its process.
    const root = createRoot();
    const certify = (path: string, publicKey: Uint8Array) => {
      const [cert] = certifyChildren(root, { children: [{ path, publicKey }], parentMergeSpecHash: NO_MERGE_SPEC, epoch: 1 });
      return root.chain.extend(cert as NonNullable<typeof cert>);
    };
    const serverChain = certify(`/${serverName}`, Buffer.from(reply.publicKey as string, 'hex'));
    await peer.request({
      cmd: 'escher-certify',
      name: serverName,
      chain: Buffer.from(serverChain.encode()).toString('hex'),
      root: Buffer.from(root.chain.encode()).toString('hex'),
    });
    const key = SigningKey.generate();
    const secure = new SecureNetwork(uws, {
      identities: [new Identity(key, certify(CLIENT_PATH, key.publicKey))],
      trust: new TrustStore({ roots: [root.chain.leaf] }),
      protection: 'mac',
    });
    let link: EscherLink | undefined;
    const codec = new MsgpackCodec();
    const endpoint = secure.attach(clientName, (_from, bytes) => link?.onReply?.(codec.decode(bytes)));
    link = new EscherLink(peer, uws, secure, endpoint, serverName);
    endpoint.send(serverName, link.codec.encode({ v: 1, from: clientName, messages: [] }));
    const deadline = Date.now() + 10_000;
    while (!secure.isEstablished(serverName)) {
      if (Date.now() > deadline) throw new Error(`no session with ${serverName} after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return link;
  }

  /** Sends `total` messages to the sink and waits until it counted them all. */
  async throughput(total: number): Promise<Measurement> {
    const { done } = await this.peer.expect(total);
    const start = now();
    await this.sendAll(total);
    const counted = await done;
    const ns = elapsedNs(start);
    if (counted !== total) throw new Error(`sink counted ${counted} messages, expected ${total}`);
    if (this.uws.errors.total > 0) throw new Error(`link errors: ${JSON.stringify(this.uws.errors.snapshot())}`);
    return { messages: total, ns };
  }

  /** `n` sequential request/response round trips of one message each; returns their times in µs. */
  async roundTrips(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = this.nextId++;
      const start = now();
      const reply = new Promise<Frame>((resolve) => {
        this.onReply = resolve;
      });
      this.endpoint.send(this.serverName, this.codec.encode(frameOf(id, 1)));
      const frame = await reply;
      out.push(elapsedNs(start) / 1000);
      if (frame.messages[0]?.id !== id) throw new Error(`reply to ${String(frame.messages[0]?.id)}, expected ${id}`);
    }
    return out;
  }

  async close(): Promise<void> {
    this.endpoint.close();
    await this.uws.stop();
  }

  /** Per tick, up to FRAMES_PER_TICK frames of FRAME_MESSAGES messages, while the link holds few unacknowledged frames. */
  private sendAll(total: number): Promise<void> {
    let sent = 0;
    return new Promise((resolve) => {
      const tick = (): void => {
        for (let f = 0; f < FRAMES_PER_TICK && sent < total && this.uws.pendingFrames < MAX_IN_FLIGHT_FRAMES; f++) {
          const n = Math.min(FRAME_MESSAGES, total - sent);
          this.endpoint.send(this.serverName, this.codec.encode(frameOf(this.nextId, n)));
          this.nextId += n;
          sent += n;
        }
        if (sent < total) setImmediate(tick);
        else resolve();
      };
      tick();
    });
  }

  /** For tests: the session is authenticated with MAC protection. */
  get protection(): string | undefined {
    return this.secure.protectionWith(this.serverName);
  }
}
