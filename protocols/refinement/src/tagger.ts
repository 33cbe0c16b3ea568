import { type Continuation, type Envelope, EscherError, Path, Role } from '@escher/core';
import type { MuTag } from './mu-tag';
import type { Refinement } from './refinement';

const NO_TAGS: readonly MuTag[] = Object.freeze([]);
/** Destinations remembered per agent; the set an agent talks to is usually small. */
const CACHE_MAX = 1024;

/**
 * Tagging (Escher §3.3): a message from physical agent `a` to `d` leaves
 * with the first k − l entries of `a`'s μ-list, k being the number of
 * `a`'s ancestors below the system agent and l the length of the common
 * prefix of `a` and `d`. Siblings exchange untagged messages. A message for
 * an agent that a refinement change removed is refused here.
 *
 * It sees every message its agent sends (raw `transmit` hook): tagging is
 * the bus's job, not a conversation between participants.
 */
export class Tagger extends Role<Refinement> {
  private readonly byDst = new Map<Path, readonly MuTag[] | EscherError>();
  private version = -1;
  /** Messages refused (unknown μ-list, destination refined away). */
  refused = 0;

  /** Tags and sends a message from this layer up (the outbox's ACKs, which bypass wrapper roles). */
  emit(msg: Envelope): void {
    this.transmit(msg, this.sendOn);
  }

  private readonly sendOn: Continuation = (m) => this.ctx.transmit(m);

  override transmit(msg: Envelope, next: Continuation): void {
    const authority = this.protocol.params.authority;
    if (authority.version !== this.version) {
      this.byDst.clear();
      this.version = authority.version;
    }
    let tags = this.byDst.get(msg.dst);
    if (tags === undefined) {
      tags = this.compute(msg.dst);
      if (this.byDst.size >= CACHE_MAX) this.byDst.clear();
      this.byDst.set(msg.dst, tags);
    }
    if (tags instanceof EscherError) {
      this.refused++;
      this.ctx.drop(msg, tags);
      return;
    }
    msg.tags = tags.length === 0 ? undefined : tags;
    next(msg);
  }

  /** The tags for messages from this agent to `dst`, or why none can be sent. */
  private compute(dst: Path): readonly MuTag[] | EscherError {
    const authority = this.protocol.params.authority;
    const away = authority.refinedAway(dst);
    if (away !== undefined) return away;
    const self = this.ctx.self;
    const n = Path.depth(self) - 1 - Path.commonPrefixLength(self, dst);
    if (n <= 0) return NO_TAGS;
    const list = authority.muList(self);
    if (list instanceof EscherError) return list;
    return Object.freeze(list.slice(0, n));
  }
}
