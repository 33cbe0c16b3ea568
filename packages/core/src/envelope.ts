import type { Path } from './path';

/**
 * Per-protocol-instance tag slots (DIL: "roles may attach tags to messages so
 * that protocol-specific state may be passed to roles assigned to other
 * components"). Each role reads and writes only the slot keyed by its own
 * protocol instance id.
 */
export type RoleTags = Record<string, unknown>;

/**
 * A message ⟨id, src, dst, payload⟩ (Escher §2.1). `id` is unique per
 * (src, dst) for a correct source within one incarnation of it: `inc` is
 * the source agent's incarnation (0 unless it was restarted), so a restarted
 * agent numbering its messages from 1 again is told apart from the one it
 * replaces. `tags` is Escher's μ-list slot (filled by the refinement
 * protocol); `roleTags` holds DIL's per-role tags.
 *
 * Metaobjects may rewrite fields on the way through their stack (DIL allows a
 * message to be "copied, stored, destroyed, modified or examined in any
 * way"); the bus copies an envelope before handing it to more than one agent,
 * so a rewrite on one receiver is never seen by another.
 */
export class Envelope<P = unknown> {
  /**
   * Role tags as [slot, value, slot, value, …]. A message carries a handful
   * at most, and each role asks with the same slot string every time, so a
   * short scan compared by identity beats a string-keyed object (whose
   * lookups with a variable key are megamorphic).
   */
  private slots: unknown[] | undefined;

  constructor(
    public id: number,
    public src: Path,
    public dst: Path,
    public payload: P,
    roleTags: RoleTags | undefined = undefined,
    public tags: readonly unknown[] | undefined = undefined,
    /** Incarnation of the source; the kernel stamps its own as a message leaves an agent. */
    public inc = 0,
  ) {
    this.slots = undefined;
    if (roleTags !== undefined) this.roleTags = roleTags;
  }

  /** The role tags as a record (a fresh object: for the wire, traces and tools). */
  get roleTags(): RoleTags | undefined {
    const s = this.slots;
    if (s === undefined || s.length === 0) return undefined;
    // No prototype: a slot named "__proto__" from a peer stays a plain key.
    const out = Object.create(null) as RoleTags;
    for (let i = 0; i < s.length; i += 2) out[s[i] as string] = s[i + 1];
    return out;
  }

  /** Replaces every role tag. */
  set roleTags(tags: RoleTags | undefined) {
    if (tags === undefined) {
      this.slots = undefined;
      return;
    }
    const s: unknown[] = [];
    for (const k of Object.keys(tags)) s.push(k, tags[k]);
    this.slots = s.length === 0 ? undefined : s;
  }

  /** The value in `slot`, or `undefined`. */
  tag<T = unknown>(slot: string): T | undefined {
    const s = this.slots;
    if (s === undefined) return undefined;
    for (let i = 0; i < s.length; i += 2) if (s[i] === slot) return s[i + 1] as T;
    return undefined;
  }

  /** Sets `slot`. */
  setTag(slot: string, value: unknown): this {
    const s = this.slots;
    if (s === undefined) {
      this.slots = [slot, value];
      return this;
    }
    for (let i = 0; i < s.length; i += 2) {
      if (s[i] === slot) {
        s[i + 1] = value;
        return this;
      }
    }
    s.push(slot, value);
    return this;
  }

  /** Removes `slot`. */
  clearTag(slot: string): this {
    const s = this.slots;
    if (s === undefined) return this;
    for (let i = 0; i < s.length; i += 2) {
      if (s[i] === slot) {
        s.splice(i, 2);
        if (s.length === 0) this.slots = undefined;
        return this;
      }
    }
    return this;
  }

  /** True if the message carries any role tag. */
  get hasRoleTags(): boolean {
    return this.slots !== undefined;
  }

  /** A shallow copy with its own tags, so the copy's tags can change independently. */
  copy(): Envelope<P> {
    const e = new Envelope(this.id, this.src, this.dst, this.payload, undefined, this.tags, this.inc);
    if (this.slots !== undefined) e.slots = this.slots.slice();
    return e;
  }

  /** A readable one-line form for traces. */
  toString(): string {
    const inc = this.inc === 0 ? '' : `~${this.inc}`;
    return `#${this.id}${inc} ${this.src || '""'} -> ${this.dst || '""'}`;
  }
}
