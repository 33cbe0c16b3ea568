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
 * Incarnations: a merged message is incarnation 0 of its virtual source,
 * whatever the incarnations of the fragments that made it. A virtual agent
 * has no life of its own to restart; its numbering is the one its children
 * share, and a restarted deterministic child (a Raft replica replaying its
 * log) rejoins that numbering — its replayed outputs carry the ids the
 * parent already used, and are dropped here as late or below as duplicates,
 * while its new outputs continue the sequence. Taking the fragments'
 * incarnation instead would start the receiver's channel from the parent
 * over and let the replay through. Group keys and match keys ignore
 * incarnations for the same reason. A restarted child that does not rejoin
 * its siblings' numbering (a shard with no replicas) cannot be told apart
 * from a replay: restarting one is refused by the Manager.
 *
 * State stays bounded: a completed group is discarded at once (§3.3);
 * fragments of a message already in the inbox are dropped (a retransmitted
 * one is passed down as a duplicate, so the outbox below acknowledges it
 * again, §3.4); fragments of a group completed recently are dropped; an
 * incomplete group expires after `mergeTimeoutMs`, or when more than
 * `maxGroups` are open, with {@link MergeGroupExpiredError}.
 */
export class Merger extends Role<Refinement> {
  /** Merge state per (kind, destination, parent), each holding its groups by message id. */
  private readonly streams = new Map<string, Stream>();
  private lastStream: Stream | undefined;
  /** Open groups in creation order (the order they expire in), as a list through the groups themselves. */
  private oldest: KeyedGroup | undefined;
  private newest: KeyedGroup | undefined;
  private openCount = 0;
  /**
   * Groups completed lately, oldest first, to drop their late fragments
   * without reopening them: a ring of `recentGroups` slots (stream and id).
   * Each stream's `recent` set answers lookups.
   */
  private recentStreams: (Stream | undefined)[] = [];
  private recentIds: number[] = [];
  private recentHead = 0;
  private recentCount = 0;
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
    return this.openCount;
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
      // A merged message is incarnation 0 of its virtual source (see below).
      if (this.ctx.accepted(id, final, dst, 0)) {
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
        let stream = this.streamOf(isAck, dst, parent);
        let group = stream.groups.get(id);
        // A group completed lately is not reopened, except by a retransmission. Only a group so
        // reopened can have its id among the recent ones, so only its fragments need the lookup.
        if (!retransmitted && (group === undefined || group.reopened) && stream.recent.has(id)) {
          this.late++;
          return;
        }
        if (group === undefined) {
          const reopened = retransmitted && stream.recent.has(id);
          this.makeRoom();
          // Making room may have emptied and dropped this very stream.
          if (stream.dropped) stream = this.streamOf(isAck, dst, parent);
          group = new KeyedGroup(parent, dst, id, this.ctx.now(), stream, reopened);
          stream.groups.set(id, group);
          this.link(group);
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
        this.close(group);
        this.remember(stream, id);
      }
      msg.src = parent;
      msg.tags = rest;
      if (rest === undefined) break;
      src = parent;
      tags = rest;
    }
    // The merged message comes from the virtual parent, not from the child whose fragment completed the group:
    // it must not carry that child's incarnation. See the class comment.
    msg.inc = 0;
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

  /** The stream of (kind, destination, parent); consecutive fragments usually share one. */
  private streamOf(isAck: boolean, dst: Path, parent: Path): Stream {
    const last = this.lastStream;
    if (last !== undefined && last.dst === dst && last.parent === parent && last.isAck === isAck && !last.dropped) return last;
    const key = `${isAck ? 'a' : 'm'}|${dst}|${parent}`;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = new Stream(key, isAck, dst, parent);
      this.streams.set(key, stream);
    }
    this.lastStream = stream;
    return stream;
  }

  /** Forgets `stream` once it holds neither open groups nor recent ids, so streams stay as bounded as groups. */
  private dropIfEmpty(stream: Stream): void {
    if (stream.groups.size !== 0 || stream.recent.size !== 0) return;
    this.streams.delete(stream.key);
    stream.dropped = true;
    if (this.lastStream === stream) this.lastStream = undefined;
  }

  /** Appends a new group to the open list. */
  private link(group: KeyedGroup): void {
    const newest = this.newest;
    group.older = newest;
    if (newest === undefined) this.oldest = group;
    else newest.newer = group;
    this.newest = group;
    this.openCount++;
  }

  /** Removes a completed or expired group. */
  private close(group: KeyedGroup): void {
    const { older, newer } = group;
    if (older === undefined) this.oldest = newer;
    else older.newer = newer;
    if (newer === undefined) this.newest = older;
    else newer.older = older;
    group.older = undefined;
    group.newer = undefined;
    this.openCount--;
    group.stream.groups.delete(group.id);
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
  private remember(stream: Stream, id: number): void {
    const max = this.protocol.params.recentGroups;
    if (this.recentCount >= max) {
      const head = this.recentHead;
      const oldest = this.recentStreams[head] as Stream;
      oldest.recent.delete(this.recentIds[head] as number);
      this.recentStreams[head] = undefined;
      this.recentHead = (head + 1) % max;
      this.recentCount--;
      this.dropIfEmpty(oldest);
    }
    if (stream.dropped) stream = this.streamOf(stream.isAck, stream.dst, stream.parent);
    if (stream.recent.has(id)) return;
    stream.recent.add(id);
    const slot = (this.recentHead + this.recentCount) % max;
    this.recentStreams[slot] = stream;
    this.recentIds[slot] = id;
    this.recentCount++;
  }

  /** Keeps at most `maxGroups` open: the oldest goes first. */
  private makeRoom(): void {
    const max = this.protocol.params.maxGroups;
    while (this.openCount >= max && this.oldest !== undefined) this.expire(this.oldest, `more than ${max} groups open`);
  }

  private expire(group: KeyedGroup, why: string): void {
    this.close(group);
    this.dropIfEmpty(group.stream);
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
    for (let group = this.oldest; group !== undefined && now - group.createdAt >= timeout; group = this.oldest) {
      this.expire(group, `incomplete after ${timeout} ms`);
    }
    if (this.openCount > 0) this.armSweep();
  };

  protected override onRemove(): void {
    for (const stream of this.streams.values()) stream.dropped = true;
    this.streams.clear();
    this.lastStream = undefined;
    this.oldest = undefined;
    this.newest = undefined;
    this.openCount = 0;
    this.recentStreams = [];
    this.recentIds = [];
    this.recentHead = 0;
    this.recentCount = 0;
    this.sweepTimer = undefined;
  }
}

/**
 * The merge state of one (kind, destination, parent): its open groups and
 * the ids of its groups completed lately, both by message id. Keying by
 * number within a stream spares building and hashing a string key for
 * every fragment.
 */
class Stream {
  readonly groups = new Map<number, KeyedGroup>();
  readonly recent = new Set<number>();
  /** Removed from the merger's streams (empty, or the role was removed). */
  dropped = false;
  constructor(
    readonly key: string,
    readonly isAck: boolean,
    readonly dst: Path,
    readonly parent: Path,
  ) {}
}

/** A merge group that knows its stream and the match key of its first fragment. */
class KeyedGroup extends MergeGroup {
  firstKey: string | undefined = undefined;
  /** Neighbours in the merger's list of open groups. */
  older: KeyedGroup | undefined = undefined;
  newer: KeyedGroup | undefined = undefined;
  constructor(
    parent: Path,
    dst: Path,
    id: number,
    createdAt: number,
    readonly stream: Stream,
    /** Opened by a retransmission while its id was among the recent ones. */
    readonly reopened: boolean,
  ) {
    super(parent, dst, id, createdAt);
  }
}

/** The ancestor-or-self of `p` at depth `d` (d ≤ depth(p)). */
function ancestorAt(p: Path, d: number): Path {
  let q = p;
  for (let n = Path.depth(p); n > d; n--) q = Path.parent(q) as Path;
  return q;
}
