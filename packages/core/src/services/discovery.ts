import type { Observable } from 'rxjs';
import type { Path } from '../path';
import type { RuntimeId } from './network';

/** A runtime began or stopped hosting an agent. */
export interface DiscoveryChange {
  readonly kind: 'announced' | 'withdrawn';
  readonly runtime: RuntimeId;
  readonly path: Path;
  readonly minDepth: number;
}

/**
 * Publish/subscribe by agent path (Escher §3.2): runtimes announce the agents
 * they host, and find the runtimes that host any agent receiving messages for
 * a destination; links are then point-to-point. `resolve` answers from what
 * the implementation has already learned, so it is synchronous on the hot path.
 */
export interface Discovery {
  announce(runtime: RuntimeId, path: Path, minDepth: number): void;
  withdraw(runtime: RuntimeId, path: Path): void;
  /** Runtimes hosting an agent `a` with `dst` ancestor-or-self of `a` and depth(dst) ≥ a.minDepth. */
  resolve(dst: Path): readonly RuntimeId[];
  /** Every change, for route caches to invalidate. */
  readonly changes$: Observable<DiscoveryChange>;
}

/** Injection token for {@link Discovery}. */
export const DISCOVERY = Symbol.for('escher.Discovery');
