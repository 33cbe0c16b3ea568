import type { Behavior, Handler, Path, ProtocolHost } from '@escher/core';

/**
 * What a manager needs to start and stop physical agents and put roles on
 * them: a {@link Runtime} (one process) or the simulator (many simulated
 * machines; `node` picks one) both fit. `setup` runs before the
 * application starts: roles installed there see everything it sends.
 */
export interface Deployer extends ProtocolHost {
  spawn(
    path: Path | string,
    behavior: Behavior | Handler,
    options?: { minDepth?: number; node?: string; setup?: (path: Path) => void; incarnation?: number },
  ): unknown;
  stop(path: Path | string): void;
}
