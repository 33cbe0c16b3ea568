import { EscherError } from '@escher/core';

/** A system description that cannot be placed on processes (an agent without a node, a node nobody starts). */
export class PlacementError extends EscherError {
  readonly code = 'ESCHER_CLUSTER_PLACEMENT';
  constructor(reason: string) {
    super(`cannot place the system: ${reason}`);
  }
}

/** A node process exited, failed to start, or said something the launcher does not understand. */
export class NodeProcessError extends EscherError {
  readonly code = 'ESCHER_CLUSTER_NODE_PROCESS';
  constructor(readonly node: string, reason: string) {
    super(`node ${node}: ${reason}`);
  }
}

/** A node did not report ready, or the cluster did not finish, within the time given. */
export class ClusterTimeoutError extends EscherError {
  readonly code = 'ESCHER_CLUSTER_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`${what} did not happen within ${ms} ms`);
  }
}
