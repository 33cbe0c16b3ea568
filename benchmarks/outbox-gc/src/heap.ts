import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * A function that runs a full garbage collection, or undefined if none can
 * be had. The harness starts node without `--expose-gc`; the flag can still
 * be turned on at run time, and a context created afterwards carries `gc`.
 * Only a benchmark that measures memory should do this: see the harness
 * README on why throughput benchmarks never force a collection.
 */
export function fullGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as () => void;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Memory of the process at one moment, in MiB. */
export interface HeapSample {
  /** V8 heap in use (`process.memoryUsage().heapUsed`), after a full collection when one could be forced. */
  readonly heapMiB: number;
  /** Resident set size of the process. */
  readonly rssMiB: number;
}

const MIB = 1024 * 1024;

/** Collects garbage with `gc` (if given), then reads the heap. */
export function sampleHeap(gc: (() => void) | undefined): HeapSample {
  if (gc !== undefined) {
    // Twice: the first collection may leave garbage that only finalizers released.
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { heapMiB: m.heapUsed / MIB, rssMiB: m.rss / MIB };
}
