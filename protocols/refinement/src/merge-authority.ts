import type { EscherError, Path } from '@escher/core';
import type { CompiledMergeSpec } from './merge-spec';
import type { MuTag } from './mu-tag';

/**
 * Where a runtime learns which merge spec a tag may carry. The in-process
 * {@link Hierarchy} answers from the manager's own records; the PKI issue
 * answers from certificate chains (the parent certifies the hash of its
 * spec, and the epoch). Roles ask only through this interface.
 */
export interface MergeAuthority {
  /** Changes whenever any answer may have changed: roles key their caches on it. */
  readonly version: number;
  /**
   * The spec to apply to a fragment from `src` carrying `tag` (data from the
   * bus, not yet trusted), or the typed reason to refuse it.
   */
  resolve(tag: unknown, src: Path): CompiledMergeSpec | EscherError;
  /** The μ-list of a physical agent, nearest ancestor first, without the system agent. */
  muList(path: Path): readonly MuTag[] | EscherError;
  /** Set if `path` was removed by a refinement change: messages for it are refused, not retried. */
  refinedAway(path: Path): EscherError | undefined;
}
