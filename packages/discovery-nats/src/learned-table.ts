/**
 * What one runtime has learned from the others: who hosts which path with
 * which minimum depth, and at which address each runtime listens. Pure
 * bookkeeping (no NATS): records come in through {@link LearnedTable.apply},
 * time through {@link LearnedTable.expire}, and every change goes out
 * through the callbacks, so `resolve` stays synchronous.
 */
import { type DiscoveryChange, Path, type RuntimeId } from '@escher/core';
import type { VerifiedChain } from '@escher/pki';
import { DiscoveryTableFullError } from './errors';
import { type DiscoveryRecord, isPathRecord } from './record';
import type { AddressChange } from './runtime-directory';

/** What became of one received record. */
export type ApplyOutcome =
  /** New information, checked and taken. */
  | 'accepted'
  /** The record already held, heard again (a heartbeat): only its expiry moved. */
  | 'refreshed'
  /** Older than what is held for the same runtime and path (a replay, or a reordering): ignored. */
  | 'stale';

interface Entry {
  readonly runtime: RuntimeId;
  /** The path (path records) or the address (address records). */
  readonly value: string;
  readonly minDepth: number;
  readonly seq: number;
  readonly sig: string | undefined;
  readonly ttlMs: number;
  expiresAt: number;
  readonly verified: VerifiedChain | undefined;
}

interface Tombstone {
  readonly seq: number;
  until: number;
}

/** Limits of a {@link LearnedTable}. */
export interface LearnedTableLimits {
  /** Most path and address entries held (each); beyond, new ones are refused with DiscoveryTableFullError. */
  readonly maxEntries: number;
  /** Longest TTL honoured, whatever a record states. */
  readonly maxTtlMs: number;
}

const MAX_TOMBSTONES = 65_536;

/** The learned table; see the module comment. */
export class LearnedTable {
  private readonly paths = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();
  private readonly pathTombs = new Map<string, Tombstone>();
  private readonly addressTombs = new Map<string, Tombstone>();

  constructor(
    private readonly limits: LearnedTableLimits,
    private readonly onChange: (c: DiscoveryChange) => void,
    private readonly onAddress: (c: AddressChange) => void,
  ) {}

  /** Number of path entries held. */
  get size(): number {
    return this.paths.size;
  }

  /**
   * Takes one record received at `now`. `verify` runs only when the record
   * carries something new (a heartbeat of a held record costs a string
   * comparison) and throws to refuse it.
   * @throws whatever `verify` throws, DiscoveryTableFullError
   */
  apply(r: DiscoveryRecord, now: number, verify: (r: DiscoveryRecord) => VerifiedChain | undefined): ApplyOutcome {
    const isPath = isPathRecord(r);
    const key = isPath ? `${r.runtime}\u0000${r.path}` : r.runtime;
    const entries = isPath ? this.paths : this.addresses;
    const tombs = isPath ? this.pathTombs : this.addressTombs;
    const ttl = Math.min(r.ttlMs, this.limits.maxTtlMs);
    const held = entries.get(key);
    const tomb = tombs.get(key);
    if (held !== undefined && r.seq === held.seq && r.sig === held.sig && (r.kind === 'announce' || r.kind === 'address')) {
      held.expiresAt = now + held.ttlMs;
      return 'refreshed';
    }
    if (tomb !== undefined && r.seq === tomb.seq && (r.kind === 'withdraw' || r.kind === 'unaddress')) {
      tomb.until = Math.max(tomb.until, now + ttl);
      return 'refreshed';
    }
    if ((held !== undefined && r.seq <= held.seq) || (tomb !== undefined && r.seq <= tomb.seq)) return 'stale';
    if (held === undefined && (r.kind === 'announce' || r.kind === 'address') && entries.size >= this.limits.maxEntries) {
      throw new DiscoveryTableFullError(this.limits.maxEntries);
    }
    const verified = verify(r);
    if (r.kind === 'announce' || r.kind === 'address') {
      const value = isPath ? r.path : r.address;
      const minDepth = isPath ? r.minDepth : 0;
      entries.set(key, { runtime: r.runtime, value, minDepth, seq: r.seq, sig: r.sig, ttlMs: ttl, expiresAt: now + ttl, verified });
      tombs.delete(key);
      // A new seq with the same content (the announcer restarted, or re-signed) changes nothing for routes.
      if (held === undefined || held.value !== value || held.minDepth !== minDepth) this.emit(isPath, 'announced', r.runtime, value, minDepth);
      return 'accepted';
    }
    entries.delete(key);
    tombs.delete(key);
    if (tombs.size >= MAX_TOMBSTONES) tombs.delete(tombs.keys().next().value as string);
    tombs.set(key, { seq: r.seq, until: now + ttl });
    if (held !== undefined) this.emit(isPath, 'withdrawn', held.runtime, held.value, held.minDepth);
    return 'accepted';
  }

  /** Forgets entries not heard of since their TTL; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (const isPath of [true, false]) {
      const entries = isPath ? this.paths : this.addresses;
      for (const [key, e] of entries) {
        if (e.expiresAt > now) continue;
        entries.delete(key);
        n++;
        this.emit(isPath, 'withdrawn', e.runtime, e.value, e.minDepth);
      }
      const tombs = isPath ? this.pathTombs : this.addressTombs;
      for (const [key, t] of tombs) if (t.until <= now) tombs.delete(key);
    }
    return n;
  }

  /**
   * Gives every entry a full TTL from `now`: after a disconnection, during
   * which nothing could be heard, entries expire only if their runtime stays
   * silent once the connection is back.
   */
  extendAll(now: number): void {
    for (const entries of [this.paths, this.addresses]) for (const e of entries.values()) e.expiresAt = Math.max(e.expiresAt, now + e.ttlMs);
  }

  /** Drops entries whose chain is no longer current (a refinement retired its epoch); returns how many. */
  recheck(isCurrent: (v: VerifiedChain) => boolean): number {
    let n = 0;
    for (const isPath of [true, false]) {
      const entries = isPath ? this.paths : this.addresses;
      for (const [key, e] of entries) {
        if (e.verified === undefined || isCurrent(e.verified)) continue;
        entries.delete(key);
        n++;
        this.emit(isPath, 'withdrawn', e.runtime, e.value, e.minDepth);
      }
    }
    return n;
  }

  /** Runtimes hosting an agent `a` with `dst` ancestor-or-self of `a` and depth(dst) ≥ a.minDepth. */
  resolveInto(dst: Path, out: Set<RuntimeId>): void {
    const d = Path.depth(dst);
    for (const e of this.paths.values()) {
      if (d >= e.minDepth && Path.isAncestorOrSelf(dst, e.value as Path)) out.add(e.runtime);
    }
  }

  /** The address learned for `runtime`. */
  addressOf(runtime: RuntimeId): string | undefined {
    return this.addresses.get(runtime)?.value;
  }

  /** Every learned path entry, for tools and tests. */
  entries(): { runtime: RuntimeId; path: Path; minDepth: number }[] {
    return [...this.paths.values()].map((e) => ({ runtime: e.runtime, path: e.value as Path, minDepth: e.minDepth }));
  }

  private emit(isPath: boolean, kind: 'announced' | 'withdrawn', runtime: RuntimeId, value: string, minDepth: number): void {
    if (isPath) this.onChange({ kind, runtime, path: value as Path, minDepth });
    else this.onAddress({ kind, runtime, address: value });
  }
}
