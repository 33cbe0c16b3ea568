/**
 * Version of the frame layout; a receiver refuses frames of another version.
 * Still 1 with incarnations: `inc` is an optional field, absent when 0, so a
 * frame without restarted sources is byte for byte what it was, and a
 * receiver that predates incarnations reads every frame as before (it only
 * misses the reset a newer incarnation asks for).
 */
export const FRAME_VERSION = 1;

/** A message as it crosses between runtimes: plain data only. */
export interface WireMessage {
  readonly id: number;
  readonly src: string;
  readonly dst: string;
  readonly payload: unknown;
  readonly roleTags?: Record<string, unknown>;
  readonly tags?: readonly unknown[];
  /** The source's incarnation (see `SpawnOptions.incarnation`); omitted when 0. */
  readonly inc?: number;
}

/** What one runtime sends another in one write: a batch of messages. */
export interface Frame {
  readonly v: number;
  /** Sending runtime's id. */
  readonly from: string;
  readonly messages: readonly WireMessage[];
}
