import type { Path } from './path';
import type { RuntimeId } from './services/network';

/** Something that can receive messages from the bus (an agent hosted here). */
export interface Receiver {
  readonly path: Path;
  receive(msg: import('./envelope').Envelope): void;
}

/**
 * What one source knows about one destination: the next message id for the
 * (src, dst) channel, whether the sibling rule allows the pair, and, cached
 * until the runtime's routing epoch changes, the local agents and remote
 * runtimes that receive messages for `dst`.
 */
export class Route {
  /** Last id used on (src, dst); ids count 1, 2, 3, … */
  lastId = 0;
  /** Routing epoch this route's targets were computed for. */
  epoch = -1;
  local: Receiver[] = [];
  remote: readonly RuntimeId[] = [];
  constructor(readonly dst: Path, readonly allowed: boolean) {}
}
