import { type Continuation, type Envelope, type Path, Role } from '@escher/core';
import { UnkeyedRequestError } from './errors';
import type { Sharding } from './sharding';

/**
 * Shard role (Escher §2.3), on every physical agent below one child of the
 * sharded agent. The bus delivers each request for the sharded agent to
 * every shard; this role lets through only those whose key this shard
 * owns, so exactly one shard runs each request and answers it (replies
 * merge with `waitForMatching: 1`). A request this shard does not own is
 * ignored: it never reaches the inbox, so this shard does not acknowledge
 * it either — the owner does, for the sharded agent.
 *
 * Messages addressed to the shard itself or below it, and messages between
 * siblings, pass untouched: only requests for the sharded agent are split.
 */
export class Shard extends Role<Sharding> {
  /** Requests for other shards' keys, ignored. */
  ignored = 0;
  /** Requests run here. */
  owned = 0;
  /** Requests without a readable key, refused. */
  unkeyed = 0;

  constructor(protocol: Sharding, readonly index: number, readonly child: Path) {
    super(protocol);
  }

  /** Shards answer as one agent: their message ids must never collide, so each takes every n-th id. */
  protected override onInstall(): void {
    this.ctx.interleaveIds(this.protocol.params.shards.length, this.index);
  }

  override deliver(msg: Envelope, next: Continuation): void {
    if (msg.dst !== this.protocol.params.service) {
      next(msg);
      return;
    }
    let key: string | undefined;
    try {
      key = this.protocol.params.keyOf(msg.payload);
    } catch (cause) {
      this.unkeyed++;
      this.ctx.drop(msg, new UnkeyedRequestError(msg.dst, `keyOf threw: ${String(cause)}`));
      return;
    }
    if (typeof key !== 'string') {
      this.unkeyed++;
      this.ctx.drop(msg, new UnkeyedRequestError(msg.dst, 'keyOf gave no string'));
      return;
    }
    if (this.protocol.ownerOf(key) !== this.index) {
      this.ignored++;
      return;
    }
    this.owned++;
    next(msg);
  }
}
