import { ProtocolError } from '@escher/core';

/** Which shard owns a key: the same answer on every runtime, so shards agree without talking. */
export interface Partition {
  /** Index (0-based) of the shard owning `key` among `shards`. */
  shardOf(key: string, shards: number): number;
  /** For listings. */
  readonly description: string;
}

/**
 * Hash partitioning: FNV-1a (32 bits) of the key's UTF-16 code units,
 * modulo the number of shards. Written here rather than taken from a
 * library because every runtime must compute exactly this function forever:
 * a dependency changing its hash would silently move keys between shards.
 */
export class HashPartition implements Partition {
  readonly description = 'hash (FNV-1a mod n)';
  shardOf(key: string, shards: number): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0) % shards;
  }
}

/**
 * Range partitioning: `bounds` are the first keys of shards 1, 2, …
 * (sorted, one fewer than the shards); shard 0 takes every key below the
 * first bound. Keys compare as strings.
 */
export class RangePartition implements Partition {
  readonly description: string;
  constructor(readonly bounds: readonly string[]) {
    for (let i = 1; i < bounds.length; i++) {
      if (!((bounds[i - 1] as string) < (bounds[i] as string))) throw new ProtocolError('sharding', 'range bounds must be strictly increasing');
    }
    this.description = `ranges [${bounds.join(', ')}]`;
  }
  shardOf(key: string, shards: number): number {
    if (shards !== this.bounds.length + 1) throw new ProtocolError('sharding', `${this.bounds.length} bounds need ${this.bounds.length + 1} shards, not ${shards}`);
    let lo = 0;
    let hi = this.bounds.length;
    // First bound greater than the key: its index is the shard.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.bounds[mid] as string) <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
