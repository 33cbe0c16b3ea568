import { Path, Protocol, ProtocolError, type ProtocolHost } from '@escher/core';
import type { MergeAuthority } from './merge-authority';
import { Merger } from './merger';
import { Outbox } from './outbox';
import { Tagger } from './tagger';

/** Parameters of the refinement protocol (one instance per system). */
export interface RefinementParams {
  /** Where μ-lists and valid tags come from: the {@link Hierarchy} in one process, certificates across hosts. */
  readonly authority: MergeAuthority;
  /** Install the {@link Outbox} (ACKs and retransmission) on every agent. Default true. */
  readonly reliable: boolean;
  /** First retransmission of an unacknowledged message after this long (ms). Default 50. */
  readonly retransmitMs: number;
  /** Backoff cap between retransmissions (ms). Default 2000. */
  readonly maxRetransmitMs: number;
  /** Unacknowledged messages kept per agent; beyond, messages are sent once and reported. Default 100 000. */
  readonly maxOutbox: number;
  /** An incomplete merge group expires after this long (ms). Default 5000. */
  readonly mergeTimeoutMs: number;
  /** Most merge groups open at once per agent; the oldest expires first. Default 10 000. */
  readonly maxGroups: number;
  /** Completed groups remembered to drop their late fragments. Default 4096. */
  readonly recentGroups: number;
}

/** The roles one agent carries. */
export interface RefinementRoles {
  readonly outbox: Outbox | undefined;
  readonly tagger: Tagger;
  readonly merger: Merger;
}

/**
 * Escher's refinement-aware bus as a DIL protocol: tagging, merging at the
 * receiver and ACK-based garbage collection are roles installed on every
 * physical agent of the system, not special cases in the kernel.
 *
 * Stack of a physical agent, bottom to top:
 * `[Outbox, wrapper roles (nearest refinement first), Tagger, Merger]`.
 * A message from the bus is merged first, then filtered or ordered by the
 * wrappers (shard, replica), then acknowledged as it enters the inbox; a
 * message from the application is kept in the outbox, passed through the
 * wrappers, then tagged. {@link Manager} installs them in that order; use
 * {@link Refinement.addOutbox} and {@link Refinement.addTagging} directly
 * only to build a stack by hand.
 *
 * The instance id defaults to `escher`, the same in every process, because
 * the roles of one system must read each other's tag slot.
 */
export class Refinement extends Protocol<RefinementParams> {
  private readonly byPath = new Map<Path, { outbox?: Outbox; tagger?: Tagger; merger?: Merger }>();

  constructor(host: ProtocolHost, params: Partial<RefinementParams> & { authority: MergeAuthority }, id = 'escher') {
    const full: RefinementParams = {
      reliable: true,
      retransmitMs: 50,
      maxRetransmitMs: 2000,
      maxOutbox: 100_000,
      mergeTimeoutMs: 5000,
      maxGroups: 10_000,
      recentGroups: 4096,
      ...params,
    };
    for (const k of ['retransmitMs', 'maxRetransmitMs', 'mergeTimeoutMs'] as const) {
      if (!(full[k] > 0)) throw new ProtocolError(id, `${k} must be positive, got ${full[k]}`);
    }
    for (const k of ['maxOutbox', 'maxGroups', 'recentGroups'] as const) {
      if (!Number.isInteger(full[k]) || full[k] < 1) throw new ProtocolError(id, `${k} must be a positive integer, got ${full[k]}`);
    }
    super(host, 'refinement', full, id);
  }

  /** Operation: reliable delivery for `path` (at the bottom of its stack). */
  addOutbox(path: Path | string): Outbox {
    const p = Path.parse(path);
    const outbox = this.assume(p, new Outbox(this), 'bottom');
    this.entry(p).outbox = outbox;
    return outbox;
  }

  /** Operation: tagging and merging for `path` (on top of its stack, merger uppermost). */
  addTagging(path: Path | string): { tagger: Tagger; merger: Merger } {
    const p = Path.parse(path);
    const tagger = this.assume(p, new Tagger(this));
    const merger = this.assume(p, new Merger(this));
    const e = this.entry(p);
    e.tagger = tagger;
    e.merger = merger;
    return { tagger, merger };
  }

  /** Operation: every role for `path` (outbox if `reliable`, then tagging), for an agent without wrappers. */
  join(path: Path | string): RefinementRoles {
    const outbox = this.params.reliable ? this.addOutbox(path) : undefined;
    const { tagger, merger } = this.addTagging(path);
    return { outbox, tagger, merger };
  }

  /** The roles `path` carries, for inspection and counters. */
  rolesAt(path: Path | string): Partial<RefinementRoles> {
    const e = this.byPath.get(path as Path);
    return { outbox: e?.outbox, tagger: e?.tagger, merger: e?.merger };
  }

  /** Forgets `path` (its agent stopped or crashed). */
  forget(path: Path | string): void {
    this.byPath.delete(path as Path);
  }

  private entry(p: Path): { outbox?: Outbox; tagger?: Tagger; merger?: Merger } {
    let e = this.byPath.get(p);
    if (e === undefined) {
      e = {};
      this.byPath.set(p, e);
    }
    return e;
  }
}
