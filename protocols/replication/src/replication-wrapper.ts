import { Path, type ProtocolHost } from '@escher/core';
import { InvalidReplicationParamsError } from './errors';
import { Replication, type ReplicationParams } from './replication';

/** What the wrapper reads of a recorded refinement (the refinement protocol's `RefinementRecord` has these fields). */
export interface RefinedAgent {
  readonly parent: Path;
  readonly children: readonly Path[];
}

/** Tunable parameters of the {@link Replication} instances a {@link ReplicationWrapper} creates (`storage` included). */
export type ReplicationWrapperOptions = Partial<Omit<ReplicationParams, 'service' | 'members'>>;

/**
 * Crash-tolerant replication as a wrapper for the refinement protocol's
 * `Manager` (it has the shape of that package's `Wrapper` interface, without
 * depending on it): refining an agent with `wrap: new ReplicationWrapper()`
 * makes its children replicas of one {@link Replication} instance, each
 * with a {@link Replica} role between the outbox and the tagging roles.
 *
 * ```ts
 * const replication = new ReplicationWrapper({ electionTimeoutMs: 50, heartbeatMs: 10 });
 * mgr.refine('/kv', { children: ['1', '2', '3'], merge: { waitForMatching: 1 }, create: () => new KvStore(), wrap: replication });
 * ```
 *
 * The instance of a refined agent `/x` has the id `replication:/x`, the
 * same in every process. Changing the replicas of a live refinement is
 * refused: it needs Raft's membership change, which is not implemented.
 * With the `storage` option a crashed replica can be restarted (the
 * manager's `restart`, or a new process running the same description).
 */
export class ReplicationWrapper {
  /** Shown in hierarchy listings. */
  readonly name = 'replication';
  private readonly records = new Map<Path, RefinedAgent>();
  private readonly instances = new Map<Path, { host: ProtocolHost; replication: Replication }>();

  constructor(private readonly options: ReplicationWrapperOptions = {}) {}

  /** The refinement of `record.parent` is recorded; its children are the replicas, in rank order. */
  refined(record: RefinedAgent): void {
    this.records.set(record.parent, record);
  }

  /**
   * Puts the replica role on `physical`, which must be the child itself: a
   * replica must be a physical agent. @throws InvalidReplicationParamsError
   */
  attach(host: ProtocolHost, parent: Path, child: Path, physical: Path): void {
    const record = this.records.get(parent);
    if (record === undefined) throw new InvalidReplicationParamsError(`replication:${parent}`, 'wrapper attached before the refinement was recorded');
    if (physical !== child) {
      throw new InvalidReplicationParamsError(`replication:${parent}`, `replica ${child} must be a physical agent, not refined further (${physical})`);
    }
    let entry = this.instances.get(parent);
    if (entry === undefined || entry.host !== host) {
      const replication = new Replication(host, { ...this.options, service: parent, replicas: record.children }, `replication:${parent}`);
      entry = { host, replication };
      this.instances.set(parent, entry);
    }
    entry.replication.addReplica(child);
  }

  /**
   * A crashed replica of `parent` may start again (the manager's `restart`)
   * only with `storage`: it then replays its durable log and rejoins its
   * siblings' numbering. @throws InvalidReplicationParamsError
   */
  restarting(parent: Path, child: Path): void {
    if (this.options.storage === undefined) {
      throw new InvalidReplicationParamsError(`replication:${parent}`, `${child} cannot restart: its term, vote and log were not kept (no storage)`);
    }
  }

  /** Refuses any change of the replicas. @throws InvalidReplicationParamsError */
  changing(current: RefinedAgent): void {
    throw new InvalidReplicationParamsError(
      `replication:${current.parent}`,
      'changing the replicas of a replicated agent needs Raft membership change, which is not supported',
    );
  }

  /** The instance of the first agent this wrapper replicates, once a replica is attached. */
  get replication(): Replication | undefined {
    return this.instances.values().next().value?.replication;
  }

  /** The instance replicating `parent`, once a replica is attached. */
  replicationOf(parent: Path | string): Replication | undefined {
    return this.instances.get(parent as Path)?.replication;
  }

  /** The replica currently leading `parent` (by default the first replicated agent), if any. */
  leader(parent?: Path | string): Path | undefined {
    return (parent === undefined ? this.replication : this.replicationOf(parent))?.leader();
  }
}
