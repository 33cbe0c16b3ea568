import type { Behavior, Handler, Path } from '@escher/core';
import { HierarchyError } from './errors';
import type { Manager } from './manager';
import type { Wrapper } from './wrapper';

/** One entry of a system description: a physical agent, or a refinement. */
export type SystemEntry =
  | {
      readonly kind: 'agent';
      readonly path: string;
      /** Name in the registry's `behaviors`. */
      readonly behavior: string;
      readonly minDepth?: number;
      readonly node?: string;
    }
  | {
      readonly kind: 'refine';
      readonly parent: string;
      readonly children: readonly string[];
      readonly merge?: { readonly waitForMatching: number; readonly from?: readonly string[] };
      readonly minDepth?: number | Readonly<Record<string, number>>;
      /** Name in `behaviors`: children run it; omitted, children stay virtual. */
      readonly behavior?: string;
      /** Name in `wrappers`. */
      readonly wrapper?: string;
      /** Runtime per child name or path. */
      readonly nodes?: Readonly<Record<string, string>>;
    };

/** A system as data (JSON): entries applied in order, parents before children. */
export interface SystemDescription {
  readonly entries: readonly SystemEntry[];
}

/** The code a description refers to by name. */
export interface SystemRegistry {
  readonly behaviors: Readonly<Record<string, (path: Path) => Behavior | Handler>>;
  /** Each call makes the wrapper of one refinement. */
  readonly wrappers?: Readonly<Record<string, (parent: Path) => Wrapper>>;
}

/**
 * Applies a system description through `manager`: each `refine` entry is
 * one {@link Manager.refine} call, each `agent` entry one
 * {@link Manager.spawn}. Names missing from the registry are refused before
 * anything starts. @throws HierarchyError
 */
export function deploySystem(manager: Manager, description: SystemDescription, registry: SystemRegistry): void {
  for (const e of description.entries) {
    const behavior = e.behavior;
    if (behavior !== undefined && registry.behaviors[behavior] === undefined) throw new HierarchyError(`unknown behavior ${JSON.stringify(behavior)}`);
    if (e.kind === 'refine' && e.wrapper !== undefined && registry.wrappers?.[e.wrapper] === undefined) {
      throw new HierarchyError(`unknown wrapper ${JSON.stringify(e.wrapper)}`);
    }
  }
  for (const e of description.entries) {
    switch (e.kind) {
      case 'agent': {
        const make = registry.behaviors[e.behavior] as (path: Path) => Behavior | Handler;
        manager.spawn(e.path, make(e.path as Path), {
          ...(e.minDepth === undefined ? {} : { minDepth: e.minDepth }),
          ...(e.node === undefined ? {} : { node: e.node }),
        });
        break;
      }
      case 'refine': {
        const make = e.behavior === undefined ? undefined : registry.behaviors[e.behavior];
        const wrap = e.wrapper === undefined ? undefined : registry.wrappers?.[e.wrapper]?.(e.parent as Path);
        const nodes = e.nodes;
        manager.refine(e.parent, {
          children: e.children,
          ...(e.merge === undefined ? {} : { merge: e.merge }),
          ...(e.minDepth === undefined ? {} : { minDepth: e.minDepth }),
          ...(make === undefined ? {} : { create: make }),
          ...(wrap === undefined ? {} : { wrap }),
          ...(nodes === undefined ? {} : { node: (child: Path) => nodes[child] ?? nodes[child.slice(child.lastIndexOf('/') + 1)] }),
        });
        break;
      }
      default: {
        const never: never = e;
        throw new HierarchyError(`unknown entry ${JSON.stringify(never)}`);
      }
    }
  }
}
