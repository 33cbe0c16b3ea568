/** Settings of one runtime. */
export interface RuntimeOptions {
  /** This runtime's id on the network; unique among runtimes that talk to each other. */
  readonly id: string;
  /** Messages run per scheduler slice before yielding to the event loop (timers, I/O). */
  readonly quantum: number;
  /**
   * Schedule itself on the event loop (the default). A deterministic
   * simulator sets this to false and calls `drain()` itself; frames for other
   * runtimes are then sent at the end of each `drain()`, not on a microtask.
   */
  readonly autoRun: boolean;
  /**
   * With `autoRun` off: called when the runtime gets work while idle, so the
   * caller that drives it (the simulator) knows which runtimes to drain.
   */
  readonly onRunnable?: (runtimeId: string) => void;
}

/** Injection token for {@link RuntimeOptions}. */
export const RUNTIME_OPTIONS = Symbol.for('escher.RuntimeOptions');

/** Defaults used when an option is not given. */
export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = { id: 'local', quantum: 10_000, autoRun: true };
