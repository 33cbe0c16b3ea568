/** Version of the frame layout; a receiver refuses frames of another version. */
export const FRAME_VERSION = 1;

/** A message as it crosses between runtimes: plain data only. */
export interface WireMessage {
  readonly id: number;
  readonly src: string;
  readonly dst: string;
  readonly payload: unknown;
  readonly roleTags?: Record<string, unknown>;
  readonly tags?: readonly unknown[];
}

/** What one runtime sends another in one write: a batch of messages. */
export interface Frame {
  readonly v: number;
  /** Sending runtime's id. */
  readonly from: string;
  readonly messages: readonly WireMessage[];
}
