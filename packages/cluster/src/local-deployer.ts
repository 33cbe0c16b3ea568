import type { Behavior, Handler, Metaobject, Path, Runtime, StackPosition } from '@escher/core';
import type { Deployer } from '@escher/protocol-refinement';

/**
 * The part of a system that runs in this process. Every process applies the
 * whole system description (so every manager records the same hierarchy,
 * merge specs and wrappers), but this deployer starts only the agents
 * placed on `node` and installs roles only on agents it hosts; the others
 * run in other processes, reached through the network.
 */
export class LocalDeployer implements Deployer {
  constructor(
    private readonly runtime: Runtime,
    readonly node: string,
    /** Incarnation given to every agent started here (above any earlier run of this node). */
    readonly incarnation = 0,
  ) {}

  spawn(path: Path | string, behavior: Behavior | Handler, options: { minDepth?: number; node?: string; setup?: (path: Path) => void } = {}): unknown {
    if (options.node !== this.node) return undefined;
    const { node: _node, ...rest } = options;
    return this.runtime.spawn(path, behavior, { ...rest, incarnation: this.incarnation });
  }

  stop(path: Path | string): void {
    if (this.runtime.agent(path) !== undefined) this.runtime.stop(path);
  }

  install(path: Path, meta: Metaobject, position?: StackPosition): void {
    if (this.runtime.agent(path) !== undefined) this.runtime.install(path, meta, position);
  }

  remove(path: Path, meta: Metaobject): void {
    if (this.runtime.agent(path) !== undefined) this.runtime.remove(path, meta);
  }

  /** Agents of this node that are running. */
  hosts(path: Path | string): boolean {
    return this.runtime.agent(path) !== undefined;
  }
}
