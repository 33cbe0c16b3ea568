/** Settings of one runtime. */
export interface RuntimeOptions {
  /** This runtime's id on the network; unique among runtimes that talk to each other. */
  readonly id: string;
  /** Messages run per scheduler slice before yielding to the event loop (timers, I/O). */
  readonly quantum: number;
}

/** Injection token for {@link RuntimeOptions}. */
export const RUNTIME_OPTIONS = Symbol.for('escher.RuntimeOptions');

/** Defaults used when an option is not given. */
export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = { id: 'local', quantum: 10_000 };
