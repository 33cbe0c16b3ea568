import {
  type Continuation,
  type Envelope,
  EscherError,
  MalformedMessageError,
  Path,
  Role,
  type TimerHandle,
} from '@escher/core';
import { canonicalJson, encodesTo } from './canonical-json';
import { FragmentOutsideFromSetError, MergeGroupExpiredError, TagMismatchError } from './errors';
import { Mark } from './marks';
import { MergeGroup } from './merge-group';
import { CompiledMergeSpec } from './merge-spec';
import type { MuTag } from './mu-tag';
import type { Refinement } from './refinement';

/**
 * Merging at the receiver (Escher §3.1, §3.3). A tagged message is a
 * fragment: its first tag names the merge spec μ of its source's parent.
 * Fragments are grouped by (kind, id, destination, parent of the source);
 * μ is applied on each arrival, and once `waitForMatching` fragments from
 * distinct members of `from` carry matching payloads, the group becomes one
 * message from the parent with the first tag removed. With tags left, that
 * message is itself a fragment of the next level (the paper's `/a/1/1 → /d`
 * tagged `[μ₂, μ₁]`). Only untagged messages go down the stack.
 *
 * Every message is checked: the number of tags must be what the source's
 * μ-list gives for this destination (untagged only between siblings), each
 * tag must be the one the {@link MergeAuthority} knows for that parent and
 * epoch, and the source must be in `from`. Anything else is dropped with a
 * typed error and counted.
 *
 * State stays bounded: a completed group is discarded at once (§3.3);
 * fragments of a message already in the inbox are dropped (a retransmitted
 * one is passed down as a duplicate, so the outbox below acknowledges it
 * again, §3.4); fragments of a group completed recently are dropped; an
 * incomplete group expires after `mergeTimeoutMs`, or when more than
 * `maxGroups` are open, with {@link MergeGroupExpiredError}.
 */
export class Merger extends Role<Refinement> {
  private readonly groups = new Map<string, KeyedGroup>();
  /** Keys of groups completed lately (oldest first), to drop their late fragments without reopening them. */
  private readonly recent = new Set<string>();
  /** The same keys in completion order: a ring of `recentGroups` slots, the oldest at `recentHead`. */
  private recentRing: (string | undefined)[] = [];
  private recentHead = 0;
  private sweepTimer: TimerHandle | undefined;
  private lastDst: Path | undefined;
  private lastExpected: Map<Path, number> | undefined;
  private readonly expectedByDst = new Map<Path, Map<Path, number>>();

  /** Messages produced by merging. */
  merged = 0;
  /** Fragments of a message already delivered, dropped quietly. */
  late = 0;
  /** A second fragment from the same child for the same group. */
  repeated = 0;
  /** Groups that never completed. */
  expired = 0;
  /** Fragments refused (bad tags, outside `from`, stale epoch, …). */
  rejected = 0;

  /** Groups waiting for more fragments. */
  get openGroups(): number {
    return this.groups.size;
  }

  override deliver(msg: Envelope, next: Continuation): void {
    const tags = msg.tags;
    const expected = this.expected(msg.src, msg.dst);
    if (tags === undefined || tags.length === 0) {
      if (expected !== 0) {
        this.reject(msg, new TagMismatchError(msg.src, msg.dst, `untagged, but ${expected} tag(s) expected`));
        return;
      }
      this.pass(msg, msg.hasRoleTags && msg.tag<Mark>(this.slot) === Mark.Ack, next);
      return;
    }
    if (tags.length !== expected) {
      this.reject(msg, new TagMismatchError(msg.src, msg.dst, `${tags.length} tag(s), ${expected} expected`));
      return;
    }
    this.mergeFragment(msg, tags, next);
  }

  private mergeFragment(msg: Envelope, firstTags: readonly unknown[], next: Continuation): void {
    const mark = msg.tag<Mark>(this.slot);
    const isAck = mark === Mark.Ack;
    const retransmitted = mark === Mark.Retransmission;
    const id = msg.id;
    const dst = msg.dst;
    if (!isAck && !retransmitted) {
      // Already in the inbox: a late fragment, nothing to do (its ACK went to every child of the source).
      const final = ancestorAt(msg.src, Path.depth(msg.src) - firstTags.length);
      if (this.ctx.accepted(id, final, dst)) {
        this.late++;
        return;
      }
    }
    const authority = this.protocol.params.authority;
    let src = msg.src;
    let tags = firstTags;
    for (;;) {
      const spec = authority.resolve(tags[0], src);
      if (!(spec instanceof CompiledMergeSpec)) {
        this.reject(msg, spec);
        return;
      }
      const parent = (tags[0] as MuTag).parent;
      if (!spec.admits(src)) {
        this.reject(msg, new FragmentOutsideFromSetError(src, parent));
        return;
      }
      const rest = tags.length === 1 ? undefined : tags.slice(1);
      if (spec.waitForMatching > 1) {
        const key = `${isAck ? 'a' : 'm'}${id}|${dst}|${parent}`;
        if (this.recent.has(key) && !retransmitted) {
          this.late++;
          return;
        }
        let group = this.groups.get(key);
        if (group === undefined) {
          this.makeRoom();
          group = new KeyedGroup(parent, dst, id, this.ctx.now());
          this.groups.set(key, group);
          this.armSweep();
        } else if (group.has(src)) {
          this.repeated++;
          return;
        }
        let matchKey: string;
        try {
          matchKey = this.matchKey(msg, rest, group);
        } catch (cause) {
          this.reject(msg, new MalformedMessageError('fragment payload has no canonical form', { cause }));
          return;
        }
        if (group.add(src, matchKey) < spec.waitForMatching) return;
        this.groups.delete(key);
        this.remember(key);
      }
      msg.src = parent;
      msg.tags = rest;
      if (rest === undefined) break;
      src = parent;
      tags = rest;
    }
    this.merged++;
    this.pass(msg, isAck, next);
  }

  /** Down the stack; ACKs are the bus's business and go straight to the outbox, past any wrapper roles in between. */
  private pass(msg: Envelope, isAck: boolean, next: Continuation): void {
    if (isAck) {
      const outbox = this.protocol.rolesAt(this.ctx.self).outbox;
      if (outbox !== undefined) {
        outbox.acknowledged(msg);
        return;
      }
    }
    next(msg);
  }

  /**
   * What must match between fragments: the payload, other roles' tags, and
   * the tags still to apply, in canonical JSON. Fragments of a group usually
   * match: checking one against the group's first key costs less than
   * encoding it, and the group then counts a string it has already hashed.
   */
  private matchKey(msg: Envelope, rest: readonly unknown[] | undefined, group: KeyedGroup): string {
    const roleTags = msg.roleTags;
    if (roleTags !== undefined) delete roleTags[this.slot];
    const input = [msg.payload ?? null, roleTags ?? null, rest ?? null];
    const first = group.firstKey;
    if (first !== undefined && encodesTo(input, first)) return first;
    const key = canonicalJson(input);
    if (first === undefined) group.firstKey = key;
    return key;
  }

  /** Tags a message from `src` to `dst` must carry: depth(src) − 1 − common prefix. */
  private expected(src: Path, dst: Path): number {
    let bySrc = this.lastExpected;
    if (dst !== this.lastDst || bySrc === undefined) {
      bySrc = this.expectedByDst.get(dst);
      if (bySrc === undefined) {
        // An agent receives for itself and its ancestors only: this map stays tiny.
        bySrc = new Map();
        this.expectedByDst.set(dst, bySrc);
      }
      this.lastDst = dst;
      this.lastExpected = bySrc;
    }
    let n = bySrc.get(src);
    if (n === undefined) {
      n = Math.max(0, Path.depth(src) - 1 - Path.commonPrefixLength(src, dst));
      if (bySrc.size >= 4096) bySrc.clear();
      bySrc.set(src, n);
    }
    return n;
  }

  private reject(msg: Envelope, error: EscherError): void {
    this.rejected++;
    this.ctx.drop(msg, error);
  }

  /** Remembers a completed group; when `recentGroups` are remembered, the oldest is forgotten first. */
  private remember(key: string): void {
    // A Map used as a FIFO slows down as deleted entries pile up at its front (V8 skips
    // them on every keys().next()): the order lives in a ring, the Set answers lookups.
    const max = this.protocol.params.recentGroups;
    const ring = this.recentRing;
    if (this.recent.size >= max) {
      this.recent.delete(ring[this.recentHead] as string);
      ring[this.recentHead] = undefined;
      this.recentHead = (this.recentHead + 1) % max;
    }
    if (this.recent.has(key)) return;
    ring[(this.recentHead + this.recent.size) % max] = key;
    this.recent.add(key);
  }

  /** Keeps at most `maxGroups` open: the oldest goes first. */
  private makeRoom(): void {
    const max = this.protocol.params.maxGroups;
    while (this.groups.size >= max) {
      const first = this.groups.entries().next();
      if (first.done) return;
      this.expire(first.value[0], first.value[1], `more than ${max} groups open`);
    }
  }

  private expire(key: string, group: KeyedGroup, why: string): void {
    this.groups.delete(key);
    this.expired++;
    this.ctx.report(new MergeGroupExpiredError(group.parent, group.dst, group.id, group.size, why));
  }

  private armSweep(): void {
    if (this.sweepTimer !== undefined) return;
    this.sweepTimer = this.ctx.setTimer(this.protocol.params.mergeTimeoutMs, this.sweep);
  }

  private readonly sweep = (): void => {
    this.sweepTimer = undefined;
    const timeout = this.protocol.params.mergeTimeoutMs;
    const now = this.ctx.now();
    // Groups are kept in creation order: stop at the first one still young.
    for (const [key, group] of this.groups) {
      if (now - group.createdAt < timeout) break;
      this.expire(key, group, `incomplete after ${timeout} ms`);
    }
    if (this.groups.size > 0) this.armSweep();
  };

  protected override onRemove(): void {
    this.groups.clear();
    this.recent.clear();
    this.recentRing = [];
    this.recentHead = 0;
    this.sweepTimer = undefined;
  }
}

/** A merge group that remembers the match key of its first fragment. */
class KeyedGroup extends MergeGroup {
  firstKey: string | undefined = undefined;
}

/** The ancestor-or-self of `p` at depth `d` (d ≤ depth(p)). */
function ancestorAt(p: Path, d: number): Path {
  let q = p;
  for (let n = Path.depth(p); n > d; n--) q = Path.parent(q) as Path;
  return q;
}
