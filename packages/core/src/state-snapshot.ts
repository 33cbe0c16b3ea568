/**
 * An encapsulated representation of an agent's state (DIL `reifyState`): a
 * metaobject can store it, ship it to a backup or hand it back to
 * `reflectState`, but not look inside. The value is deep-copied on the way in
 * and on the way out, so neither side can alias the other's state.
 */
export class StateSnapshot {
  readonly #value: unknown;
  private constructor(value: unknown) {
    this.#value = value;
  }

  /** @internal used by the kernel only. */
  static capture(value: unknown): StateSnapshot {
    return new StateSnapshot(structuredClone(value));
  }

  /** @internal used by the kernel only. */
  static open(snapshot: StateSnapshot): unknown {
    return structuredClone(snapshot.#value);
  }
}
