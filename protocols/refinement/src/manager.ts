import { type Behavior, type Handler, Path } from '@escher/core';
import type { Deployer } from './deployer';
import { HierarchyError } from './errors';
import { Hierarchy, type RefineInput, type RefinementRecord } from './hierarchy';
import { Refinement, type RefinementParams } from './refinement';
import type { Wrapper } from './wrapper';

/** Options of {@link Manager.spawn}. */
export interface PlaceOptions {
  readonly minDepth?: number;
  /** Runtime (simulated machine) to run on, where the deployer has several. */
  readonly node?: string;
}

/** Options of {@link Manager.restart}. */
export interface RestartOptions {
  /**
   * The new incarnation (see core's `SpawnOptions.incarnation`); default one
   * more than the last this manager gave the agent. A launcher restarting a
   * process passes one it keeps on disk (or `Date.now()`).
   */
  readonly incarnation?: number;
  /** Runtime (simulated machine) to run on; default where it ran. */
  readonly node?: string;
}

/** {@link Manager.refine}: a refinement plus what to run in its children. */
export interface RefineOptions extends RefineInput {
  /**
   * Makes what each child runs: a fresh application per child (a wrapper
   * runs a copy of the parent's state machine in each). Given: children
   * start now as physical agents. Omitted: children stay virtual, to be
   * refined in turn (two levels).
   */
  readonly create?: (child: Path) => Behavior | Handler;
  /** The wrapper implementing this refinement (replication, sharding, …). */
  readonly wrap?: Wrapper;
  /** Where each child runs. */
  readonly node?: (child: Path) => string | undefined;
}

/** Options of a {@link Manager}. */
export interface ManagerOptions {
  /** The hierarchy to record into; default a new one on the deployer's clock. */
  readonly hierarchy?: Hierarchy;
  /** Parameters of the refinement protocol (its authority defaults to the hierarchy). */
  readonly refinement?: Partial<RefinementParams>;
  /** Time source for the default hierarchy's grace periods. */
  readonly now?: () => number;
}

/**
 * The manager of a system's refinements (Escher §2.4): it refines virtual
 * agents into children, starts physical agents with the right stack, keeps
 * the hierarchy, and changes refinements on a live system under a new
 * epoch. One call refines an agent:
 *
 * ```ts
 * const mgr = new Manager(runtime);
 * mgr.refine('/kv', { children: ['1', '2', '3'], merge: { waitForMatching: 1 }, create: () => new KvStore(), wrap: replication });
 * mgr.spawn('/client', client);
 * ```
 */
export class Manager {
  readonly hierarchy: Hierarchy;
  readonly refinement: Refinement;
  private readonly wrappers = new Map<Path, Wrapper>();
  private readonly behaviors = new Map<Path, RefineOptions>();
  /** Last incarnation given to each physical agent started here. */
  private readonly incarnations = new Map<Path, number>();

  constructor(
    private readonly deployer: Deployer,
    options: ManagerOptions = {},
  ) {
    this.hierarchy = options.hierarchy ?? new Hierarchy({ ...(options.now === undefined ? {} : { now: options.now }) });
    this.refinement = new Refinement(deployer, { authority: this.hierarchy, ...options.refinement });
  }

  /**
   * Starts a physical agent with the refinement roles (and the roles of
   * every wrapper above it). Its parent must be refined into it.
   * @throws HierarchyError
   */
  spawn(path: Path | string, behavior: Behavior | Handler, options: PlaceOptions = {}): Path {
    const p = Path.parse(path);
    if (this.hierarchy.isVirtual(p)) throw new HierarchyError(`${p} is virtual: it exists only through its children`);
    const minDepth = options.minDepth ?? this.minDepthFor(p);
    this.hierarchy.addPhysical(p, minDepth, options.node);
    try {
      this.deployer.spawn(p, behavior, {
        minDepth,
        ...(options.node === undefined ? {} : { node: options.node }),
        setup: () => this.installRoles(p),
      });
    } catch (e) {
      this.hierarchy.removePhysical(p);
      this.refinement.forget(p);
      throw e;
    }
    this.incarnations.set(p, 0);
    return p;
  }

  /**
   * Starts a crashed physical agent again, with a fresh application and
   * the same stack (outbox, wrapper roles, tagging), under a new
   * incarnation, so that receivers take its messages — numbered from 1
   * again — for new ones. A child of a refined agent restarts only if its
   * parent's wrapper says it can ({@link Wrapper.restarting}): replication
   * with durable storage can, since a replica replays its log and rejoins
   * its siblings' numbering. The hierarchy is unchanged.
   * @throws HierarchyError, and whatever the wrapper or the deployer throw (the agent still running, say)
   */
  restart(path: Path | string, behavior: Behavior | Handler, options: RestartOptions = {}): Path {
    const p = Path.parse(path);
    const placed = this.hierarchy.list().find((e) => e.path === p && e.kind === 'physical');
    if (placed === undefined) throw new HierarchyError(`${p} is not a physical agent of this system: spawn it first`);
    const parent = Path.parent(p);
    if (parent !== undefined && parent !== '') {
      const wrapper = this.wrappers.get(parent);
      if (wrapper?.restarting === undefined) {
        throw new HierarchyError(
          `${p} cannot restart: its messages merge into ${parent}'s numbering, which a restarted child rejoins only under a wrapper that allows it (replication with storage)`,
        );
      }
      wrapper.restarting(parent, p);
    }
    const incarnation = options.incarnation ?? (this.incarnations.get(p) ?? 0) + 1;
    const node = options.node ?? placed.node;
    this.deployer.spawn(p, behavior, {
      minDepth: placed.minDepth ?? 1,
      incarnation,
      ...(node === undefined ? {} : { node }),
      setup: () => {
        // The crashed agent's roles went with it.
        this.refinement.forget(p);
        this.installRoles(p);
      },
    });
    this.incarnations.set(p, incarnation);
    return p;
  }

  /** The stack of a physical agent: outbox, wrappers nearest refinement first, tagging on top. */
  private installRoles(p: Path): void {
    if (this.refinement.params.reliable) this.refinement.addOutbox(p);
    // Outer wrappers sit above inner ones, so they see inputs first (a shard filters before its replicas order).
    for (let child: Path = p, parent = Path.parent(p); parent !== undefined && parent !== ''; child = parent, parent = Path.parent(parent)) {
      this.wrappers.get(parent)?.attach(this.deployer, parent, child, p);
    }
    this.refinement.addTagging(p);
  }

  /**
   * Refines the virtual agent `parent` (one call): records the refinement
   * (epoch 1), then starts the children if a behaviour is given.
   * @throws HierarchyError, InvalidMergeSpecError, UnknownMergeKindError
   */
  refine(parent: Path | string, options: RefineOptions): RefinementRecord {
    const p = Path.parse(parent);
    const record = this.hierarchy.refine(p, { ...options, wrapper: options.wrap?.name ?? options.wrapper });
    if (options.wrap !== undefined) {
      this.wrappers.set(p, options.wrap);
      options.wrap.refined?.(record);
    }
    this.behaviors.set(p, options);
    if (options.create !== undefined) for (const c of record.children) this.startChild(c, options, record);
    return record;
  }

  /**
   * Changes the refinement of `parent` on a live system: a new epoch; new
   * children start, children left out stop (with their descendants). Peers
   * keep working: the previous epoch's tags stay valid for the hierarchy's
   * grace period, and reliable senders retransmit with the new tags.
   * @throws HierarchyError
   */
  change(parent: Path | string, input: RefineInput & { create?: (child: Path) => Behavior | Handler }): RefinementRecord {
    const p = Path.parse(parent);
    const before = this.hierarchy.refinementOf(p);
    if (before === undefined) throw new HierarchyError(`${p} is not refined: refine it first`);
    const wrapper = this.wrappers.get(p);
    wrapper?.changing?.(before, input.children.map((c) => (c.startsWith('/') ? Path.parse(c) : Path.child(p, c))));
    const previous = this.behaviors.get(p);
    const options: RefineOptions = { ...previous, ...input, children: input.children };
    const { record, removed } = this.hierarchy.change(p, { ...options, wrapper: previous?.wrap?.name ?? options.wrapper });
    this.behaviors.set(p, options);
    for (const c of removed) this.stopSubtree(c);
    const added = record.children.filter((c) => !before.children.includes(c));
    if (options.create !== undefined) for (const c of added) this.startChild(c, options, record);
    wrapper?.changed?.(record, added, removed);
    return record;
  }

  /** The hierarchy as an indented tree. */
  describe(): string {
    return this.hierarchy.describe();
  }

  private startChild(child: Path, options: RefineOptions, record: RefinementRecord): void {
    const behavior = (options.create as (child: Path) => Behavior | Handler)(child);
    const node = options.node?.(child);
    this.spawn(child, behavior, { minDepth: record.minDepth.get(child) ?? 1, ...(node === undefined ? {} : { node }) });
  }

  private stopSubtree(root: Path): void {
    for (const e of this.hierarchy.list()) {
      if (e.kind !== 'physical' || !Path.isAncestorOrSelf(root, e.path)) continue;
      try {
        this.deployer.stop(e.path);
      } catch {
        // Already gone (crashed runtime): the hierarchy forgets it all the same.
      }
      this.hierarchy.removePhysical(e.path);
      this.refinement.forget(e.path);
    }
  }

  private minDepthFor(p: Path): number {
    const parent = Path.parent(p);
    if (parent === undefined || parent === '') return 1;
    return this.hierarchy.refinementOf(parent)?.minDepth.get(p) ?? 1;
  }
}
