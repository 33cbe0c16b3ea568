/**
 * One sender and one receiver over an in-memory link (core's MemoryNetwork),
 * moving N messages in frames of B messages, each frame encoded with the
 * JSON codec, as runtimes do. The receiver decodes every frame, checks
 * whatever the configuration requires, and counts messages; a run ends when
 * the last message is counted. What differs between configurations:
 *
 * - `none`: the bare link;
 * - `mac`, `aead`: a SecureNetwork on each side (handshake done before the
 *   clock starts), every frame sealed with keyed BLAKE2b or XChaCha20-Poly1305;
 * - `signPerMessage`: the bare link, each message signed by its source
 *   (Ed25519 over its context and body) and verified on arrival;
 * - `signPerBatch`: the bare link, one signature per frame over the digests
 *   of its messages, verified once per frame, one digest per message.
 */
import {
  type Frame,
  FRAME_VERSION,
  JsonCodec,
  MemoryNetwork,
  type Network,
  type NetworkEndpoint,
  Path,
  type WireMessage,
} from '@escher/core';
import {
  type Identity,
  MessageSigner,
  MessageVerifier,
  SecureNetwork,
  SigningKey,
  TrustStore,
  certifyChildren,
  createRoot,
  decodeSignedBatch,
  encodeSignedBatch,
  initPki,
  Identity as IdentityClass,
  NO_MERGE_SPEC,
} from '@escher/pki';

/** The configurations measured, in table order. */
export const MODES = ['none', 'mac', 'aead', 'signPerMessage', 'signPerBatch'] as const;
export type Mode = (typeof MODES)[number];

/** One timed run. */
export interface Measurement {
  readonly messages: number;
  readonly frames: number;
  readonly ns: number;
}

/** The run did not deliver exactly what was sent: its figure would be meaningless. */
export class MiscountError extends Error {
  constructor(mode: Mode, expected: number, got: number) {
    super(`${mode}: ${got} messages verified and counted, expected ${expected}`);
    this.name = 'MiscountError';
  }
}

const SRC = Path.parse('/app');
const DST = Path.parse('/kv');
const enc = new TextEncoder();

function message(i: number): WireMessage {
  return { id: i + 1, src: SRC, dst: DST, payload: { op: 'put', key: `k${i % 100}`, value: i } };
}

/** What a message's signature covers besides its context: its payload as JSON. */
function bodyOf(m: WireMessage): Uint8Array {
  return enc.encode(JSON.stringify(m.payload));
}

function certify(root: Identity, name: string): Identity {
  const key = SigningKey.generate();
  const [cert] = certifyChildren(root, {
    children: [{ path: Path.child(root.path, name), publicKey: key.publicKey }],
    parentMergeSpecHash: NO_MERGE_SPEC,
    epoch: 1,
  });
  if (cert === undefined) throw new Error('no certificate issued');
  return new IdentityClass(key, root.chain.extend(cert));
}

/**
 * A sender/receiver pair for one mode, with its link ready (for `mac` and
 * `aead`, the handshake has run). `run(n, b)` sends n messages in frames of
 * b and resolves with the time until the receiver counted the last one.
 */
export class LinkBench {
  private readonly codec = new JsonCodec();
  private sender!: NetworkEndpoint;
  private receiver!: NetworkEndpoint;
  private signer: MessageSigner | undefined;
  private verifier: MessageVerifier | undefined;
  private counted = 0;
  private expected = 0;
  private done: (() => void) | undefined;
  private fail: ((e: unknown) => void) | undefined;
  private batchSeq = 0;

  private constructor(readonly mode: Mode) {}

  /** Builds the link (and keys) for `mode`. */
  static async create(mode: Mode): Promise<LinkBench> {
    await initPki();
    const b = new LinkBench(mode);
    await b.setup();
    return b;
  }

  private async setup(): Promise<void> {
    const memory = new MemoryNetwork();
    const root = createRoot();
    const app = certify(root, 'app');
    const kv = certify(root, 'kv');
    let out: Network = memory;
    let inn: Network = memory;
    if (this.mode === 'mac' || this.mode === 'aead') {
      const trust = () => new TrustStore({ roots: [root.chain.leaf] });
      out = new SecureNetwork(memory, { identities: [app], trust: trust(), protection: this.mode });
      inn = new SecureNetwork(memory, { identities: [kv], trust: trust(), protection: this.mode });
    }
    if (this.mode === 'signPerMessage' || this.mode === 'signPerBatch') {
      this.signer = new MessageSigner(app);
      this.verifier = new MessageVerifier(new TrustStore({ roots: [root.chain.leaf] }));
      this.verifier.addChain(app.chain.encode());
    }
    this.receiver = inn.attach('receiver', (_from, bytes) => this.onFrame(bytes));
    this.sender = out.attach('sender', () => {});
    // Warm the link: the handshake (if any) is not part of the measurement.
    await this.run(1, 1);
  }

  /** Sends `messages` in frames of `batch`; resolves when all are counted. */
  run(messages: number, batch: number): Promise<Measurement> {
    const frames: WireMessage[][] = [];
    for (let i = 0; i < messages; i += batch) {
      const f: WireMessage[] = [];
      for (let j = i; j < Math.min(messages, i + batch); j++) f.push(message(j));
      frames.push(f);
    }
    this.counted = 0;
    this.expected = messages;
    return new Promise<Measurement>((resolve, reject) => {
      const start = process.hrtime.bigint();
      this.done = () => resolve({ messages, frames: frames.length, ns: Number(process.hrtime.bigint() - start) });
      this.fail = reject;
      try {
        for (const f of frames) this.sender.send('receiver', this.encode(f));
      } catch (e) {
        reject(e);
      }
    }).then((m) => {
      if (this.counted !== messages) throw new MiscountError(this.mode, messages, this.counted);
      return m;
    });
  }

  private encode(messages: WireMessage[]): Uint8Array {
    const signer = this.signer;
    if (this.mode === 'signPerMessage' && signer !== undefined) {
      const signed = messages.map((m) => ({
        ...m,
        roleTags: { sig: Buffer.from(signer.sign(DST, m.id, bodyOf(m))).toString('base64') },
      }));
      return this.codec.encode({ v: FRAME_VERSION, from: 'sender', messages: signed });
    }
    const frame = this.codec.encode({ v: FRAME_VERSION, from: 'sender', messages });
    if (this.mode === 'signPerBatch' && signer !== undefined) {
      const batch = encodeSignedBatch(signer.signBatch(messages.map((m) => ({ dst: DST, seq: m.id, body: bodyOf(m) })), ++this.batchSeq));
      const out = new Uint8Array(4 + batch.length + frame.length);
      new DataView(out.buffer).setUint32(0, batch.length);
      out.set(batch, 4);
      out.set(frame, 4 + batch.length);
      return out;
    }
    return frame;
  }

  private onFrame(bytes: Uint8Array): void {
    try {
      this.check(bytes);
    } catch (e) {
      this.fail?.(e);
    }
  }

  private check(bytes: Uint8Array): void {
    let frame: Frame;
    const verifier = this.verifier;
    if (this.mode === 'signPerBatch' && verifier !== undefined) {
      const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0);
      const batch = decodeSignedBatch(bytes.subarray(4, 4 + n));
      frame = this.codec.decode(bytes.subarray(4 + n));
      verifier.verifyBatch(
        batch,
        frame.messages.map((m) => ({ ctx: { src: SRC, dst: DST, epoch: 1, seq: m.id }, body: bodyOf(m) })),
      );
    } else {
      frame = this.codec.decode(bytes);
      if (this.mode === 'signPerMessage' && verifier !== undefined) {
        for (const m of frame.messages) {
          const sig = new Uint8Array(Buffer.from(String(m.roleTags?.sig), 'base64'));
          verifier.verify({ src: SRC, dst: DST, epoch: 1, seq: m.id }, bodyOf(m), sig);
        }
      }
    }
    this.counted += frame.messages.length;
    if (this.counted >= this.expected) this.done?.();
  }

  /** Detaches both ends. */
  close(): void {
    this.sender.close();
    this.receiver.close();
  }
}
