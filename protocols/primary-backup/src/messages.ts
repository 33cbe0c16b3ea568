import type { ProtocolEvent } from '@escher/core';

/** A request as the primary saw it, shipped to the backups (plain data). */
export interface RequestCopy {
  readonly id: number;
  readonly src: string;
  readonly dst: string;
  readonly payload: unknown;
  readonly roleTags?: Record<string, unknown>;
}

/** Tag in the instance's slot of a primary → backup message; the payload is the {@link RequestCopy}. */
export interface CopyTag {
  readonly k: 'copy';
  /** Position of the request in the primary's order, from 1. */
  readonly seq: number;
}

/** Replica role → application: this replica became the primary. */
export interface TookOver extends ProtocolEvent {
  readonly type: 'tookOver';
  /** Requests the old primary never copied, now run here. */
  readonly pending: number;
}
