import { type Codec, type Frame, MalformedFrameError, checkFrame } from '@escher/core';
import { Packr, RESERVE_START_SPACE, Unpackr } from 'msgpackr';

/** Version byte in front of every frame this codec writes; a frame with another is refused. */
export const MSGPACK_CODEC_VERSION = 1;

/**
 * Record structures both sides know in advance (msgpackr "shared
 * structures"): the frame and the shapes the runtime gives wire messages
 * (optional fields are added in this order: `roleTags`, `tags`, `inc`).
 * An object of one of these shapes is written as a one-byte structure id and
 * its values, without its keys. Part of wire version 1: changing the list
 * means a new version.
 */
const SHARED_STRUCTURES: readonly (readonly string[])[] = [
  ['v', 'from', 'messages'],
  ['id', 'src', 'dst', 'payload'],
  ['id', 'src', 'dst', 'payload', 'roleTags'],
  ['id', 'src', 'dst', 'payload', 'tags'],
  ['id', 'src', 'dst', 'payload', 'roleTags', 'tags'],
  ['id', 'src', 'dst', 'payload', 'inc'],
  ['id', 'src', 'dst', 'payload', 'roleTags', 'inc'],
  ['id', 'src', 'dst', 'payload', 'tags', 'inc'],
  ['id', 'src', 'dst', 'payload', 'roleTags', 'tags', 'inc'],
];

/**
 * A fresh copy of the shared structures, each marked `isShared`: msgpackr
 * then restores one after any frame that redefines it inline. (It marks them
 * itself only for structures loaded through `getStructures`; without the
 * mark, a hostile frame could redefine a shared structure for every frame
 * after it — the test "structures defined inside a frame stay inside it".)
 */
function shared(): string[][] {
  return SHARED_STRUCTURES.map((s) => Object.assign([...s], { isShared: true }));
}

/**
 * Frames as MessagePack (msgpackr), about twice as fast as JSON and smaller,
 * with the shapes of frames and messages shared in advance. Wire format:
 * `version (1 byte) ‖ msgpack(frame)`. Other shapes (payloads) are encoded
 * as records defined inline in the same frame, so every frame decodes on its
 * own, in any order, by any peer.
 *
 * Decoding untrusted bytes only ever throws core's `MalformedFrameError`:
 * msgpackr runs in its untrusted mode (structures defined inside a frame
 * cannot outlive it or replace the shared ones, array sizes are checked
 * against the bytes left), and everything it throws is wrapped.
 */
export class MsgpackCodec implements Codec {
  readonly name = 'msgpack';
  private readonly packr: Packr;
  private readonly unpackr: Unpackr;

  constructor() {
    const options = {
      // maxSharedStructures = the fixed list: new shapes are never added to what the peer is assumed to know.
      maxSharedStructures: SHARED_STRUCTURES.length,
      useRecords: true,
      moreTypes: false,
      // Plain MessagePack maps (from other encoders) decode as objects, as JSON would give them.
      mapsAsObjects: true,
    };
    this.packr = new Packr({ ...options, structures: shared() });
    this.unpackr = new Unpackr({ ...options, structures: shared() });
  }

  encode(frame: Frame): Uint8Array {
    // msgpackr leaves one byte free in front for the version, instead of a copy. What pack returns is the
    // caller's to keep: msgpackr writes later values after it, or in a new buffer, never over it.
    const out = this.packr.pack(frame, RESERVE_START_SPACE | 1);
    out[0] = MSGPACK_CODEC_VERSION;
    return out;
  }

  /** @throws MalformedFrameError */
  decode(bytes: Uint8Array): Frame {
    if (bytes.length < 2) throw new MalformedFrameError(`${bytes.length} byte(s)`);
    if (bytes[0] !== MSGPACK_CODEC_VERSION) throw new MalformedFrameError(`unsupported msgpack codec version ${String(bytes[0])}`);
    let value: unknown;
    try {
      value = this.unpackr.unpack(bytes.subarray(1));
    } catch (cause) {
      throw new MalformedFrameError('not valid MessagePack', { cause });
    }
    return checkFrame(value);
  }
}
