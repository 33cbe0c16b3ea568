import type { Path } from '@escher/core';
import type { MergeSpec } from './merge-spec';

/**
 * One entry of a μ-list (Escher §3.3): the merge spec of the virtual agent
 * `parent` at refinement `epoch`, with the spec's hash. A message from a
 * physical agent carries one tag per ancestor it must be merged into,
 * nearest ancestor first; the receiver applies them in that order.
 *
 * The spec travels with the tag because the receiver may know only its
 * hash (from a certificate chain, in the PKI issue). Tags are immutable and
 * shared by every message that carries them.
 */
export interface MuTag {
  readonly parent: Path;
  readonly epoch: number;
  readonly hash: string;
  readonly spec: MergeSpec;
}
