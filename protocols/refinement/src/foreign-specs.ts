import type { EscherError } from '@escher/core';
import { CompiledMergeSpec } from './merge-spec';

/** Largest number of foreign spec encodings remembered (specs that arrived over the wire). */
const FOREIGN_SPEC_CACHE = 256;

/**
 * Merge specs that arrived in tags, compiled once per distinct encoding.
 * A spec from a peer is data to check, never code; the verdict (the
 * compiled spec, or why it is refused) is remembered so a stream of
 * fragments with the same tag costs one compilation. Bounded: a peer
 * sending endless variants only empties the cache.
 */
export class ForeignSpecs {
  private readonly cache = new Map<string, CompiledMergeSpec | EscherError>();

  compile(spec: unknown): CompiledMergeSpec | EscherError {
    let key: string;
    try {
      key = JSON.stringify(spec) ?? 'undefined';
    } catch {
      key = '';
    }
    let c = key === '' ? undefined : this.cache.get(key);
    if (c === undefined) {
      try {
        c = CompiledMergeSpec.from(spec);
      } catch (e) {
        c = e as EscherError;
      }
      if (key !== '') {
        if (this.cache.size >= FOREIGN_SPEC_CACHE) this.cache.clear();
        this.cache.set(key, c);
      }
    }
    return c;
  }
}
