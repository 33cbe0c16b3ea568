import { Path } from '@escher/core';
import type { SystemDescription } from '@escher/protocol-refinement';
import { PlacementError } from './errors';

/** Which physical agents each node (OS process) hosts, read from a system description. */
export type Placement = ReadonlyMap<string, readonly Path[]>;

/**
 * Reads the `node` of every physical agent: `agent` entries name theirs,
 * `refine` entries with a behaviour name one per child in `nodes` (by
 * child name or path). Every physical agent must be placed.
 * @throws PlacementError
 */
export function placementOf(description: SystemDescription): Placement {
  const out = new Map<string, Path[]>();
  const add = (node: string | undefined, path: Path) => {
    if (node === undefined || node === '') throw new PlacementError(`${path} has no node`);
    let list = out.get(node);
    if (list === undefined) out.set(node, (list = []));
    list.push(path);
  };
  for (const e of description.entries) {
    if (e.kind === 'agent') add(e.node, Path.parse(e.path));
    else if (e.behavior !== undefined) {
      const parent = Path.parse(e.parent);
      for (const c of e.children) {
        const child = c.startsWith('/') ? Path.parse(c) : Path.child(parent, c);
        add(e.nodes?.[c] ?? e.nodes?.[child] ?? e.nodes?.[Path.name(child)], child);
      }
    }
  }
  if (out.size === 0) throw new PlacementError('the description has no physical agents');
  return out;
}
