import { type EscherError, Path } from '@escher/core';
import { Subject } from 'rxjs';
import { HierarchyError, RefinedAwayError, StaleEpochError, TagMismatchError, UnrefinedAncestorError } from './errors';
import { ForeignSpecs } from './foreign-specs';
import type { MergeAuthority } from './merge-authority';
import { CompiledMergeSpec } from './merge-spec';
import type { MuTag } from './mu-tag';

/** How a virtual agent is refined: its children, their minimum depths, and its merge spec. */
export interface RefineInput {
  /** Children, as paths or as names under the parent. */
  readonly children: readonly string[];
  /** μ of the parent; default `{ waitForMatching: 1, from: children }`. `from` defaults to the children. */
  readonly merge?: { readonly waitForMatching: number; readonly from?: readonly string[] };
  /** Minimum depth of every child, or per child name/path; default 1. */
  readonly minDepth?: number | Readonly<Record<string, number>>;
  /** Name of the wrapper that implements the refinement (for listings). */
  readonly wrapper?: string;
}

/** One refinement of a virtual agent at one epoch. */
export interface RefinementRecord {
  readonly parent: Path;
  readonly epoch: number;
  readonly children: readonly Path[];
  /** Minimum depth of each child. */
  readonly minDepth: ReadonlyMap<Path, number>;
  readonly merge: CompiledMergeSpec;
  /** The tag children of this parent put on messages leaving it. */
  readonly tag: MuTag;
  readonly wrapper: string | undefined;
}

/** A node of the hierarchy, for listings and tools. */
export interface HierarchyEntry {
  readonly path: Path;
  readonly kind: 'virtual' | 'physical';
  readonly depth: number;
  /** Virtual: the refinement's epoch, merge spec, hash and wrapper. */
  readonly epoch?: number;
  readonly merge?: string;
  readonly hash?: string;
  readonly wrapper?: string;
  readonly children?: readonly Path[];
  /** Physical: minimum depth and where it runs. */
  readonly minDepth?: number;
  readonly node?: string;
}

/** What changed in the hierarchy. */
export type HierarchyChange =
  | { readonly kind: 'refined'; readonly record: RefinementRecord }
  | { readonly kind: 'changed'; readonly record: RefinementRecord; readonly removed: readonly Path[] }
  | { readonly kind: 'physical'; readonly path: Path; readonly present: boolean };

/** Options of a {@link Hierarchy}. */
export interface HierarchyOptions {
  /** Time source for epoch grace periods (ms). Default: `Date.now`. */
  readonly now?: () => number;
  /**
   * After a refinement changes, tags of the previous epoch stay valid for
   * this long, so fragments already in flight still merge and peers keep
   * working; afterwards they are refused as stale. Default 1000 ms.
   */
  readonly graceMs?: number;
}

interface Previous {
  readonly record: RefinementRecord;
  readonly until: number;
}


/**
 * The refinement hierarchy as its managers know it (Escher §2.2, §2.4):
 * which agents are virtual and how each is refined (children, minimum
 * depths, merge spec, epoch), which are physical and where they run. It is
 * the in-process {@link MergeAuthority}: the μ-list of a physical agent is
 * read from here, and a tag is valid if it names the current (or, during a
 * grace period, the previous) epoch of the sender's parent with the spec's
 * hash.
 */
export class Hierarchy implements MergeAuthority {
  version = 0;
  private readonly refinements = new Map<Path, RefinementRecord>();
  private readonly previous = new Map<Path, Previous>();
  private readonly physical = new Map<Path, { minDepth: number; node: string | undefined }>();
  /** Children removed by a refinement change, with the epoch that removed them. */
  private readonly removed = new Map<Path, number>();
  private readonly muLists = new Map<Path, readonly MuTag[] | EscherError>();
  private muListsVersion = -1;
  private readonly foreign = new ForeignSpecs();
  private readonly now: () => number;
  private readonly graceMs: number;
  private readonly subject = new Subject<HierarchyChange>();
  /** Every change, as it happens. */
  readonly changes$ = this.subject.asObservable();

  constructor(options: HierarchyOptions = {}) {
    this.now = options.now ?? Date.now;
    this.graceMs = options.graceMs ?? 1000;
  }

  // ---- management ----------------------------------------------------------

  /**
   * Refines the virtual agent `parent` into children (epoch 1).
   * @throws HierarchyError if `parent` is already refined or physical, or its own parent is not refined into it
   * @throws InvalidMergeSpecError, UnknownMergeKindError, InvalidPathError
   */
  refine(parent: Path | string, input: RefineInput): RefinementRecord {
    const p = Path.parse(parent);
    if (p === '') throw new HierarchyError('the system agent is the root: refine its children instead');
    if (this.refinements.has(p)) throw new HierarchyError(`${p} is already refined; change its refinement instead`);
    if (this.physical.has(p)) throw new HierarchyError(`${p} is a physical agent: stop it before refining it`);
    this.checkPlaced(p);
    const record = this.makeRecord(p, input, 1);
    this.refinements.set(p, record);
    this.bump();
    this.subject.next({ kind: 'refined', record });
    return record;
  }

  /**
   * Changes the refinement of `parent` on a live system: a new epoch, new
   * children and spec. Tags of the previous epoch stay valid for the grace
   * period; children left out are refined away.
   * @throws HierarchyError if `parent` is not refined
   */
  change(parent: Path | string, input: RefineInput): { record: RefinementRecord; removed: Path[] } {
    const p = Path.parse(parent);
    const old = this.refinements.get(p);
    if (old === undefined) throw new HierarchyError(`${p} is not refined: refine it first`);
    const record = this.makeRecord(p, input, old.epoch + 1);
    const removed = old.children.filter((c) => !record.children.includes(c));
    for (const c of removed) this.removed.set(c, record.epoch);
    for (const c of record.children) this.removed.delete(c);
    this.refinements.set(p, record);
    this.previous.set(p, { record: old, until: this.now() + this.graceMs });
    this.bump();
    this.subject.next({ kind: 'changed', record, removed });
    return { record, removed };
  }

  /**
   * Records a physical agent (a leaf). Its parent, if any, must be refined
   * into it. @throws HierarchyError
   */
  addPhysical(path: Path | string, minDepth = 1, node?: string): void {
    const p = Path.parse(path);
    if (this.refinements.has(p)) throw new HierarchyError(`${p} is virtual: it exists only through its children`);
    this.checkPlaced(p);
    this.physical.set(p, { minDepth, node });
    this.bump();
    this.subject.next({ kind: 'physical', path: p, present: true });
  }

  /** Forgets a physical agent (stopped for good). */
  removePhysical(path: Path | string): void {
    const p = Path.parse(path);
    if (!this.physical.delete(p)) return;
    this.bump();
    this.subject.next({ kind: 'physical', path: p, present: false });
  }

  // ---- inspection ------------------------------------------------------------

  /** `path` is refined (virtual). */
  isVirtual(path: Path | string): boolean {
    return this.refinements.has(path as Path);
  }

  /** `path` is a recorded physical agent. */
  isPhysical(path: Path | string): boolean {
    return this.physical.has(path as Path);
  }

  /** The current refinement of `path`, if virtual. */
  refinementOf(path: Path | string): RefinementRecord | undefined {
    return this.refinements.get(path as Path);
  }

  /** Every virtual and physical agent, sorted by path. */
  list(): HierarchyEntry[] {
    const out: HierarchyEntry[] = [];
    for (const r of this.refinements.values()) {
      out.push({
        path: r.parent,
        kind: 'virtual',
        depth: Path.depth(r.parent),
        epoch: r.epoch,
        merge: r.merge.canonical,
        hash: r.merge.hash,
        ...(r.wrapper === undefined ? {} : { wrapper: r.wrapper }),
        children: r.children,
      });
    }
    for (const [path, { minDepth, node }] of this.physical) {
      out.push({ path, kind: 'physical', depth: Path.depth(path), minDepth, ...(node === undefined ? {} : { node }) });
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The hierarchy as an indented tree, one agent per line. */
  describe(): string {
    return this.list()
      .map((e) => {
        const indent = '  '.repeat(Math.max(0, e.depth - 1));
        if (e.kind === 'virtual') {
          const w = e.wrapper === undefined ? '' : ` ${e.wrapper}`;
          return `${indent}${e.path} (virtual, epoch ${e.epoch}${w}) μ=${e.merge}`;
        }
        const at = e.node === undefined ? '' : ` on ${e.node}`;
        return `${indent}${e.path} (physical, minDepth ${e.minDepth}${at})`;
      })
      .join('\n');
  }

  // ---- MergeAuthority --------------------------------------------------------

  muList(path: Path): readonly MuTag[] | EscherError {
    if (this.muListsVersion !== this.version) {
      this.muLists.clear();
      this.muListsVersion = this.version;
    }
    let list = this.muLists.get(path);
    if (list === undefined) {
      list = this.computeMuList(path);
      this.muLists.set(path, list);
    }
    return list;
  }

  resolve(tag: unknown, src: Path): CompiledMergeSpec | EscherError {
    const parent = Path.parent(src) as Path;
    if (typeof tag !== 'object' || tag === null) return new TagMismatchError(src, parent, 'a tag must be an object');
    const t = tag as Partial<MuTag>;
    if (t.parent !== parent) return new TagMismatchError(src, parent, `tag names ${String(t.parent)}, the sender's parent is ${parent}`);
    const current = this.refinements.get(parent);
    if (current === undefined) return new TagMismatchError(src, parent, `${parent} has no refinement`);
    let record = current;
    if (t.epoch !== current.epoch) {
      const prev = this.previous.get(parent);
      if (prev !== undefined && prev.record.epoch === t.epoch && this.now() <= prev.until) record = prev.record;
      else return new StaleEpochError(parent, typeof t.epoch === 'number' ? t.epoch : Number.NaN, current.epoch);
    }
    const certified = record.merge;
    if (t.hash !== certified.hash) return new TagMismatchError(src, parent, 'the tag hash is not the hash of the registered merge spec');
    if (t.spec !== certified.spec) {
      // Arrived over the wire: the spec it carries must itself hash to the certified value.
      const compiled = this.foreign.compile(t.spec);
      if (!(compiled instanceof CompiledMergeSpec)) return compiled;
      if (compiled.hash !== certified.hash) return new TagMismatchError(src, parent, 'the spec carried in the tag does not hash to the tag hash');
    }
    return certified;
  }

  refinedAway(path: Path): EscherError | undefined {
    if (this.removed.size === 0) return undefined;
    for (let p: Path | undefined = path; p !== undefined && p !== ''; p = Path.parent(p)) {
      const epoch = this.removed.get(p);
      if (epoch !== undefined) return new RefinedAwayError(p, epoch);
    }
    return undefined;
  }

  // ---- helpers ---------------------------------------------------------------

  private computeMuList(path: Path): readonly MuTag[] | EscherError {
    const out: MuTag[] = [];
    for (let a = Path.parent(path); a !== undefined && a !== ''; a = Path.parent(a)) {
      const r = this.refinements.get(a);
      if (r === undefined) return new UnrefinedAncestorError(path, a);
      out.push(r.tag);
    }
    return Object.freeze(out);
  }

  /** A non-root agent must be a declared child of a refined parent (or sit at depth 1). */
  private checkPlaced(p: Path): void {
    const parent = Path.parent(p) as Path;
    if (parent === '') return;
    const r = this.refinements.get(parent);
    if (r === undefined) throw new HierarchyError(`${p}: its parent ${parent} is not refined`);
    if (!r.children.includes(p)) throw new HierarchyError(`${p} is not a child of ${parent} in epoch ${r.epoch}`);
  }

  private makeRecord(parent: Path, input: RefineInput, epoch: number): RefinementRecord {
    if (input.children.length === 0) throw new HierarchyError(`${parent}: a refinement needs at least one child`);
    const children = input.children.map((c) => (c.startsWith('/') ? Path.parse(c) : Path.child(parent, c)));
    for (const c of children) if (Path.parent(c) !== parent) throw new HierarchyError(`${c} is not a child of ${parent}`);
    if (new Set(children).size !== children.length) throw new HierarchyError(`${parent}: children repeat`);
    const fromInput = input.merge?.from;
    const from = fromInput === undefined ? children : fromInput.map((c) => (c.startsWith('/') ? Path.parse(c) : Path.child(parent, c)));
    for (const f of from) if (!children.includes(f)) throw new HierarchyError(`${parent}: merge source ${f} is not a child`);
    const merge = CompiledMergeSpec.from({ waitForMatching: input.merge?.waitForMatching ?? 1, from });
    const minDepth = new Map<Path, number>();
    for (const c of children) {
      const m = input.minDepth;
      const d = m === undefined ? 1 : typeof m === 'number' ? m : (m[c] ?? m[Path.name(c)] ?? 1);
      if (!Number.isInteger(d) || d < 1 || d > Path.depth(c)) throw new HierarchyError(`${c}: minimum depth ${d} out of range`);
      minDepth.set(c, d);
    }
    const tag: MuTag = Object.freeze({ parent, epoch, hash: merge.hash, spec: merge.spec });
    return Object.freeze({ parent, epoch, children, minDepth, merge, tag, wrapper: input.wrapper });
  }

  private bump(): void {
    this.version++;
  }
}
