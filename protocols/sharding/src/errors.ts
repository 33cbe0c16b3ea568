import { EscherError } from '@escher/core';

/** A request for the sharded agent whose key could not be read: no shard can own it. */
export class UnkeyedRequestError extends EscherError {
  readonly code = 'ESCHER_SHARDING_UNKEYED_REQUEST';
  constructor(readonly service: string, reason: string) {
    super(`request for ${service} has no shard key: ${reason}`);
  }
}
