import { Path } from '@escher/core';
import { KeyStore, NO_MERGE_SPEC, initRootInStore, mergeSpecHashFromHex, refineInStore } from '@escher/pki';
import { CompiledMergeSpec, Hierarchy, type MergeSpec, type SystemDescription } from '@escher/protocol-refinement';

/** What {@link provisionKeys} made. */
export interface Provisioned {
  readonly store: KeyStore;
  /** The merge spec of every refined agent, as its certificate's hash was computed from. */
  readonly specs: ReadonlyMap<Path, MergeSpec>;
  /** Every physical agent certified. */
  readonly agents: readonly Path[];
}

/**
 * Makes the PKI of a system description in `dir` (Escher §2.4): the system
 * agent's key and self-signed certificate, then, parent by parent, each
 * refinement certified by the parent's key with the hash of its merge spec.
 * Agents at depth 1 are certified by the system agent (whose μ₀ hash is all
 * zeros). Afterwards every manager's private key is deleted: managers are
 * offline, and a runtime needs only its own agents' keys and chains.
 */
export function provisionKeys(dir: string, description: SystemDescription): Provisioned {
  const store = KeyStore.open(dir);
  initRootInStore(store);
  // The same hierarchy every process builds from the description gives the specs to certify.
  const hierarchy = new Hierarchy();
  const topLevel: string[] = [];
  const refined: Path[] = [];
  for (const e of description.entries) {
    if (e.kind === 'agent') {
      const p = Path.parse(e.path);
      if (Path.depth(p) === 1) topLevel.push(Path.name(p));
    } else {
      const p = Path.parse(e.parent);
      if (Path.depth(p) === 1) topLevel.push(Path.name(p));
      hierarchy.refine(p, { children: e.children, ...(e.merge === undefined ? {} : { merge: e.merge }) });
      refined.push(p);
    }
  }
  refineInStore(store, Path.root, { children: topLevel, mergeSpec: null, hasher: () => NO_MERGE_SPEC });
  const specs = new Map<Path, MergeSpec>();
  for (const parent of refined) {
    const record = hierarchy.refinementOf(parent);
    if (record === undefined) continue;
    const compiled: CompiledMergeSpec = record.merge;
    specs.set(parent, compiled.spec);
    refineInStore(store, parent, {
      children: record.children.map((c) => Path.name(c)),
      mergeSpec: compiled.spec,
      epoch: record.epoch,
      hasher: () => mergeSpecHashFromHex(compiled.hash),
    });
  }
  // Managers go offline: only leaves keep their keys.
  store.deletePrivateKey(Path.root);
  for (const parent of refined) store.deletePrivateKey(parent);
  const agents = store.paths().filter((p) => p !== Path.root && !refined.includes(p));
  return { store, specs, agents };
}
