import { MalformedFrameError } from '../errors';
import { FRAME_VERSION, type Frame } from './frame';

/** Turns frames into bytes and back; decoding untrusted bytes never throws anything but a typed error. */
export interface Codec {
  readonly name: string;
  encode(frame: Frame): Uint8Array;
  /** @throws MalformedFrameError */
  decode(bytes: Uint8Array): Frame;
}

/** Injection token for {@link Codec}. */
export const CODEC = Symbol.for('escher.Codec');

/** Checks the shape of a decoded frame; shared by every codec. */
export function checkFrame(value: unknown): Frame {
  if (typeof value !== 'object' || value === null) throw new MalformedFrameError('not an object');
  const f = value as Partial<Frame>;
  if (f.v !== FRAME_VERSION) throw new MalformedFrameError(`unsupported version ${String(f.v)}`);
  if (typeof f.from !== 'string') throw new MalformedFrameError('missing sender');
  if (!Array.isArray(f.messages)) throw new MalformedFrameError('messages is not an array');
  return f as Frame;
}

/** JSON in UTF-8: readable, dependency-free; the default for one process. */
export class JsonCodec implements Codec {
  readonly name = 'json';
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  encode(frame: Frame): Uint8Array {
    return this.encoder.encode(JSON.stringify(frame));
  }

  decode(bytes: Uint8Array): Frame {
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(bytes));
    } catch (cause) {
      throw new MalformedFrameError('not valid JSON', { cause });
    }
    return checkFrame(value);
  }
}
