import { Path, Protocol, ProtocolError, type ProtocolHost } from '@escher/core';
import { HierarchyError, type RefinementRecord, type Wrapper } from '@escher/protocol-refinement';
import { HashPartition, type Partition } from './partition';
import { Shard } from './shard';

/** Parameters of a sharding instance. */
export interface ShardingParams {
  /** The sharded (virtual) agent. */
  readonly service: Path;
  /** The shard key of a request payload (a string), or anything else for a request no shard may take. */
  readonly keyOf: (payload: unknown) => string | undefined;
  /** Which shard owns a key. Default {@link HashPartition}. */
  readonly partition: Partition;
  /** The children, in shard order. */
  readonly shards: readonly Path[];
}

/**
 * Sharding (Escher §2.3) as a wrapper: each child of `service` runs a copy
 * of the parent's state machine on the keys it owns; every shard sees every
 * request (the bus delivers to all children) and runs only its own. The
 * client keeps sending to `service` and gets one reply, merged with
 * `{ waitForMatching: 1, from: shards }` because only the owner answers.
 * A shard may itself be refined (replicated, say): the shard role goes on
 * every physical agent below the shard, above that refinement's roles.
 *
 * ```ts
 * mgr.refine('/kv', {
 *   children: ['s1', 's2', 's3'],
 *   create: () => new KvStore(),
 *   wrap: new ShardingWrapper({ keyOf: (p) => (p as { key: string }).key }),
 * });
 * ```
 *
 * The key function is code, but it never travels: every runtime that hosts
 * a shard is configured with it, as with the application itself.
 */
export class Sharding extends Protocol<ShardingParams> {
  private readonly shardRoles = new Map<Path, Shard>();

  constructor(host: ProtocolHost, params: { service: Path | string; shards: readonly (Path | string)[]; keyOf: (payload: unknown) => string | undefined; partition?: Partition }, id?: string) {
    const service = Path.parse(params.service);
    const shards = params.shards.map((s) => Path.parse(s));
    if (shards.length === 0) throw new ProtocolError('sharding', 'at least one shard is needed');
    for (const s of shards) if (Path.parent(s) !== service) throw new ProtocolError('sharding', `shard ${s} must be a child of ${service}`);
    super(host, 'sharding', { service, shards, keyOf: params.keyOf, partition: params.partition ?? new HashPartition() }, id ?? `sharding:${service}`);
  }

  /** Index of the shard owning `key`. */
  ownerOf(key: string): number {
    return this.params.partition.shardOf(key, this.params.shards.length);
  }

  /** Operation: `physical`, at or below shard `child`, takes part as that shard. */
  addShard(child: Path | string, physical: Path | string = child): Shard {
    const c = Path.parse(child);
    const index = this.params.shards.indexOf(c);
    if (index < 0) throw new ProtocolError(this.id, `${c} is not a shard of ${this.params.service}`);
    const p = Path.parse(physical);
    if (!Path.isAncestorOrSelf(c, p)) throw new ProtocolError(this.id, `${p} is not at or below shard ${c}`);
    const role = this.assume(p, new Shard(this, index, c));
    this.shardRoles.set(p, role);
    return role;
  }

  /** The shard role on `physical`, for counters. */
  shardAt(physical: Path | string): Shard | undefined {
    return this.shardRoles.get(physical as Path);
  }
}

/** Options of a {@link ShardingWrapper}. */
export interface ShardingWrapperOptions {
  readonly keyOf: (payload: unknown) => string | undefined;
  readonly partition?: Partition;
}

/**
 * The wrapper a {@link Manager} uses to shard an agent: it creates the
 * {@link Sharding} instance when the refinement is recorded and puts a
 * {@link Shard} role on every physical agent below each shard.
 */
export class ShardingWrapper implements Wrapper {
  readonly name = 'sharding';
  private instance: Sharding | undefined;
  private host: ProtocolHost | undefined;
  private record: RefinementRecord | undefined;

  constructor(private readonly options: ShardingWrapperOptions) {}

  /** The protocol instance, once the refinement is recorded and a shard attached. */
  get sharding(): Sharding | undefined {
    return this.instance;
  }

  refined(record: RefinementRecord): void {
    this.record = record;
  }

  attach(host: ProtocolHost, parent: Path, child: Path, physical: Path): void {
    const record = this.record;
    if (record === undefined || record.parent !== parent) throw new ProtocolError('sharding', `wrapper used for ${parent} before its refinement was recorded`);
    if (this.instance === undefined || this.host !== host) {
      this.host = host;
      this.instance = new Sharding(host, {
        service: parent,
        shards: record.children,
        keyOf: this.options.keyOf,
        ...(this.options.partition === undefined ? {} : { partition: this.options.partition }),
      });
    }
    this.instance.addShard(child, physical);
  }

  changing(current: RefinementRecord): void {
    // Moving keys between shards needs their state to move too; until a
    // migration protocol exists, refuse rather than lose data silently.
    throw new HierarchyError(`${current.parent} is sharded: changing its shards needs state migration, which is not supported`);
  }
}
