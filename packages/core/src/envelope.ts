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
 * (src, dst) for a correct source. `tags` is Escher's μ-list slot (filled by
 * the refinement protocol); `roleTags` holds DIL's per-role tags.
 *
 * Metaobjects may rewrite fields on the way through their stack (DIL allows a
 * message to be "copied, stored, destroyed, modified or examined in any
 * way"); the bus copies an envelope before handing it to more than one agent,
 * so a rewrite on one receiver is never seen by another.
 */
export class Envelope<P = unknown> {
  constructor(
    public id: number,
    public src: Path,
    public dst: Path,
    public payload: P,
    public roleTags: RoleTags | undefined = undefined,
    public tags: readonly unknown[] | undefined = undefined,
  ) {}

  /** The value in `slot`, or `undefined`. */
  tag<T = unknown>(slot: string): T | undefined {
    return this.roleTags === undefined ? undefined : (this.roleTags[slot] as T | undefined);
  }

  /** Sets `slot` (creating the tag record on first use). */
  setTag(slot: string, value: unknown): this {
    // Not `{ [slot]: value }`: a computed key in a literal gives V8 a slow-mode object here.
    if (this.roleTags === undefined) this.roleTags = {};
    this.roleTags[slot] = value;
    return this;
  }

  /** Removes `slot`. */
  clearTag(slot: string): this {
    if (this.roleTags !== undefined) {
      delete this.roleTags[slot];
    }
    return this;
  }

  /** A shallow copy with its own tag record, so the copy's tags can change independently. */
  copy(): Envelope<P> {
    return new Envelope(
      this.id,
      this.src,
      this.dst,
      this.payload,
      this.roleTags === undefined ? undefined : { ...this.roleTags },
      this.tags,
    );
  }

  /** A readable one-line form for traces. */
  toString(): string {
    return `#${this.id} ${this.src || '""'} -> ${this.dst || '""'}`;
  }
}
