import {
  type Clock,
  type Discovery,
  type DiscoveryChange,
  EscherError,
  InvalidMinDepthError,
  Path,
  type RuntimeId,
  SystemClock,
  type TimerHandle,
} from '@escher/core';
import { type Identity, RejectionCounters, initPki } from '@escher/pki';
import { type Msg, type NatsConnection, type Status, type Subscription, connect } from '@nats-io/transport-node';
import { Observable, Subject } from 'rxjs';
import {
  DiscoveryConfigError,
  MalformedAnnouncementError,
  NatsClientError,
  NatsDisconnectedError,
  NatsUnavailableError,
  NoIdentityForPathError,
} from './errors';
import { type ApplyOutcome, LearnedTable } from './learned-table';
import { type NatsDiscoveryOptions, type ResolvedNatsDiscoveryOptions, resolveOptions } from './options';
import { type DiscoveryRecord, RECORD_VERSION, type UnsignedRecord, encodeRecord, parseRecord, recordSubject } from './record';
import { InsecureRecords, type RecordAuthority, SecureRecords } from './record-auth';
import type { AddressChange, RuntimeDirectory } from './runtime-directory';
import { type PublishedRecord, encodeSnapshots, encodeSyncRequest, parseSnapshot, parseSyncRequest } from './snapshot';
import { allAddressesPattern, allPathsPattern, reachablePatterns, subjectMatches, syncSubject } from './subjects';

/** Where the connection to the NATS server stands. */
export type NatsDiscoveryState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** Running totals of a {@link NatsDiscovery}. */
export interface NatsDiscoveryStats {
  /** Records received (published or in snapshots). */
  received: number;
  /** Records that brought something new and passed every check. */
  accepted: number;
  /** Records already held, heard again (heartbeats). */
  refreshed: number;
  /** Records older than what was held (replays, reorderings): ignored. */
  stale: number;
  /** Records refused with a typed error (see `errorCounts`). */
  rejected: number;
  /** Entries forgotten because their runtime went silent for their TTL. */
  expired: number;
  /** Entries dropped because a refinement retired their certificate's epoch. */
  retired: number;
  /** Records this runtime published (heartbeats included). */
  published: number;
  /** Snapshot requests this runtime sent and answered. */
  syncsSent: number;
  syncsAnswered: number;
  /** Connections lost and regained. */
  disconnects: number;
  reconnects: number;
}

interface LocalRecord extends PublishedRecord {
  readonly record: UnsignedRecord;
}

interface LocalTombstone extends PublishedRecord {
  readonly until: number;
}

/**
 * {@link Discovery} across processes and hosts through a NATS server
 * (Escher §3.2): each runtime publishes a record for every agent it hosts
 * on a subject derived from the agent's path, signed with a certificate
 * that covers the path, and learns the others' records ahead of time so
 * that `resolve` answers synchronously from its table. It also carries each
 * runtime's network address ({@link RuntimeDirectory}). See the README for
 * subjects, learning, heartbeats and the threat model.
 *
 * One instance serves one process's runtime(s), over one NATS connection.
 * Lifecycle: construct, `await start()`, use, `await close()` (after the
 * runtime's own `close()`, so that its agents' withdrawals go out first).
 */
export class NatsDiscovery implements Discovery, RuntimeDirectory {
  private readonly options: ResolvedNatsDiscoveryOptions;
  private readonly auth: RecordAuthority;
  private readonly clock: Clock;
  private readonly table: LearnedTable;
  private readonly changes = new Subject<DiscoveryChange>();
  private readonly addressChanges = new Subject<AddressChange>();
  private readonly errors = new Subject<EscherError>();
  private readonly stateChanges = new Subject<NatsDiscoveryState>();
  /** This runtime's records: path records by runtime\0path, address records by runtime. */
  private readonly localPaths = new Map<string, LocalRecord>();
  private readonly localAddresses = new Map<string, LocalRecord>();
  /** Withdrawals kept for one TTL and re-sent with heartbeats, so a peer that missed one still hears it. */
  private readonly localTombs = new Map<string, LocalTombstone>();
  /** Path-record patterns subscribed to (or to subscribe to once connected). */
  private readonly patterns = new Set<string>();
  private readonly subscriptions: Subscription[] = [];
  private nc: NatsConnection | undefined;
  private current: NatsDiscoveryState = 'idle';
  private seq = 0;
  private timer: TimerHandle | undefined;
  private lastHeartbeat = 0;
  private trustVersion: number;
  private starting: Promise<void> | undefined;
  private readyWaiters: (() => void)[] = [];
  private synced = false;

  /** Every change of the learned table and of this runtime's own records, for route caches to invalidate. */
  readonly changes$: Observable<DiscoveryChange> = this.changes.asObservable();
  /** Every change of runtime addresses. */
  readonly addresses$: Observable<AddressChange> = this.addressChanges.asObservable();
  /** Every typed error: refused records, the server unavailable or lost. Never thrown into callbacks. */
  readonly errors$: Observable<EscherError> = this.errors.asObservable();
  /** Connection state changes. */
  readonly state$: Observable<NatsDiscoveryState> = this.stateChanges.asObservable();
  /** Every typed error counted by its `code`. */
  readonly errorCounts = new RejectionCounters();
  /** Running totals. */
  readonly stats: NatsDiscoveryStats = {
    received: 0,
    accepted: 0,
    refreshed: 0,
    stale: 0,
    rejected: 0,
    expired: 0,
    retired: 0,
    published: 0,
    syncsSent: 0,
    syncsAnswered: 0,
    disconnects: 0,
    reconnects: 0,
  };

  /** @throws DiscoveryConfigError for inconsistent options */
  constructor(options: NatsDiscoveryOptions) {
    this.options = resolveOptions(options);
    this.auth = options.insecure === true ? new InsecureRecords() : new SecureRecords(options.identities ?? [], options.trust!);
    this.clock = options.clock ?? new SystemClock();
    this.trustVersion = this.auth.version;
    this.table = new LearnedTable(
      { maxEntries: this.options.maxEntries, maxTtlMs: this.options.maxTtlMs },
      (c) => this.changes.next(c),
      (c) => this.addressChanges.next(c),
    );
    if (this.options.learn === 'system') this.patterns.add(allPathsPattern(this.options.system));
  }

  /** Where the connection stands. */
  get state(): NatsDiscoveryState {
    return this.current;
  }

  /** Whether records are signed and checked. */
  get secure(): boolean {
    return this.auth.secure;
  }

  // ---- lifecycle -------------------------------------------------------------

  /**
   * Connects, subscribes and collects everyone's records. Resolves once that
   * is done, or once the first attempt to reach the server has failed (a
   * {@link NatsUnavailableError} is then counted and published, and attempts
   * go on in the background: announcements made meanwhile are published on
   * connection). Never rejects for an unreachable server; see {@link ready}.
   */
  start(): Promise<void> {
    if (this.starting !== undefined) return this.starting;
    this.setState('connecting');
    this.schedule();
    this.starting = new Promise<void>((resolve) => {
      void this.connectLoop(resolve);
    });
    return this.starting;
  }

  /** Resolves once connected and synced (immediately if already so); resolves on close too. */
  ready(): Promise<void> {
    if (this.synced || this.current === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * Withdraws everything this runtime still announces, flushes, and closes
   * the connection (bounded in time even if the server is gone). Close the
   * runtime first so that its agents' withdrawals are part of this.
   */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    for (const l of [...this.localPaths.values()]) {
      if (l.record.kind === 'announce') this.withdraw(l.record.runtime, l.record.path);
    }
    for (const runtime of [...this.localAddresses.keys()]) this.withdrawRuntime(runtime);
    const nc = this.nc;
    const wasConnected = this.current === 'connected';
    this.setState('closed');
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.wakeReady();
    if (nc !== undefined) {
      // A connection that is down would wait for the server forever: bound the goodbye.
      if (wasConnected) await withTimeout(nc.flush(), this.options.syncTimeoutMs);
      await withTimeout(nc.close(), this.options.syncTimeoutMs);
    }
    this.changes.complete();
    this.addressChanges.complete();
    this.errors.complete();
    this.stateChanges.complete();
  }

  /** Resolves once the server has processed everything this runtime published so far (a round trip); immediately when not connected. */
  async flush(): Promise<void> {
    if (this.nc === undefined || this.current !== 'connected') return;
    await withTimeout(this.nc.flush(), this.options.syncTimeoutMs);
  }

  // ---- Discovery -------------------------------------------------------------

  /**
   * Records that `runtime` hosts an agent at `path`: at once in this
   * runtime's own table, and for the others as soon as the connection
   * allows. In secure mode, a path no identity covers stays local
   * ({@link NoIdentityForPathError}, counted). In `reachable` mode, also
   * starts learning what an agent at `path` may reach.
   * @throws InvalidPathError, InvalidMinDepthError (local misuse)
   */
  announce(runtime: RuntimeId, path: Path, minDepth: number): void {
    const p = Path.parse(path);
    if (p === '' || !Number.isInteger(minDepth) || minDepth < 1 || minDepth > Path.depth(p)) throw new InvalidMinDepthError(p, minDepth);
    if (this.current === 'closed') return;
    const key = `${runtime}\u0000${p}`;
    const record: UnsignedRecord = { v: RECORD_VERSION, kind: 'announce', system: this.options.system, runtime, path: p, minDepth, seq: this.nextSeq(), ttlMs: this.options.ttlMs };
    const local = this.prepare(record);
    this.localPaths.set(key, local);
    this.localTombs.delete(key);
    this.changes.next({ kind: 'announced', runtime, path: p, minDepth });
    this.publish(local);
    if (this.options.learn === 'reachable') void this.learnReachableFrom(p);
  }

  /** Records that `runtime` no longer hosts `path`; a no-op if it did not announce it. */
  withdraw(runtime: RuntimeId, path: Path): void {
    const key = `${runtime}\u0000${path}`;
    const held = this.localPaths.get(key);
    if (held === undefined || held.record.kind !== 'announce') return;
    this.localPaths.delete(key);
    const record: UnsignedRecord = { ...held.record, kind: 'withdraw', seq: this.nextSeq() };
    const local = this.prepare(record);
    if (local.text !== '') this.localTombs.set(key, { ...local, until: this.clock.now() + this.options.ttlMs });
    this.changes.next({ kind: 'withdrawn', runtime, path: held.record.path, minDepth: held.record.minDepth });
    this.publish(local);
  }

  /** Runtimes hosting an agent `a` with `dst` ancestor-or-self of `a` and depth(dst) ≥ a.minDepth: this runtime's own and those learned. */
  resolve(dst: Path): readonly RuntimeId[] {
    const out = new Set<RuntimeId>();
    const d = Path.depth(dst);
    for (const l of this.localPaths.values()) {
      const r = l.record as { runtime: RuntimeId; path: Path; minDepth: number };
      if (d >= r.minDepth && Path.isAncestorOrSelf(dst, r.path)) out.add(r.runtime);
    }
    this.table.resolveInto(dst, out);
    return [...out];
  }

  /** Every path entry learned from other runtimes (not this runtime's own), for tools and tests. */
  learned(): { runtime: RuntimeId; path: Path; minDepth: number }[] {
    return this.table.entries();
  }

  // ---- RuntimeDirectory -----------------------------------------------------

  announceRuntime(runtime: RuntimeId, address: string): void {
    if (this.current === 'closed') return;
    const record: UnsignedRecord = { v: RECORD_VERSION, kind: 'address', system: this.options.system, runtime, address, seq: this.nextSeq(), ttlMs: this.options.ttlMs };
    const local = this.prepare(record);
    this.localAddresses.set(runtime, local);
    this.localTombs.delete(`\u0001${runtime}`);
    this.addressChanges.next({ kind: 'announced', runtime, address });
    this.publish(local);
  }

  withdrawRuntime(runtime: RuntimeId): void {
    const held = this.localAddresses.get(runtime);
    if (held === undefined) return;
    this.localAddresses.delete(runtime);
    const record: UnsignedRecord = { ...held.record, kind: 'unaddress', address: '', seq: this.nextSeq() } as UnsignedRecord;
    const local = this.prepare(record);
    if (local.text !== '') this.localTombs.set(`\u0001${runtime}`, { ...local, until: this.clock.now() + this.options.ttlMs });
    this.addressChanges.next({ kind: 'withdrawn', runtime, address: (held.record as { address: string }).address });
    this.publish(local);
  }

  addressOf(runtime: RuntimeId): string | undefined {
    const own = this.localAddresses.get(runtime);
    if (own !== undefined) return (own.record as { address: string }).address;
    return this.table.addressOf(runtime);
  }

  // ---- identities ------------------------------------------------------------

  /**
   * Holds another identity (a refinement certified a new agent for this
   * runtime, or renewed a certificate under a new epoch) and re-signs the
   * records it covers.
   * @throws DiscoveryConfigError in insecure mode
   */
  addIdentity(identity: Identity): void {
    this.secureRecords().add(identity);
    this.resign();
  }

  /** Stops using the identity of `path`; records only it covered stop being published (peers forget them after their TTL). */
  removeIdentity(path: Path | string): void {
    this.secureRecords().remove(path);
    this.resign();
  }

  // ---- learning -------------------------------------------------------------

  /**
   * In `reachable` mode: subscribes to the records of every agent an agent
   * at `path` may reach and fetches the current ones; resolves when they are
   * in the table (bounded by `syncTimeoutMs`). Await it before spawning an
   * agent at a new place in the hierarchy if its first messages must find
   * their receivers. In `system` mode everything is learned already: resolves
   * with {@link ready}.
   */
  async learnReachableFrom(path: Path | string): Promise<void> {
    if (this.options.learn === 'system') return this.ready();
    const fresh = reachablePatterns(this.options.system, Path.parse(path)).filter((p) => !this.patterns.has(p));
    if (fresh.length === 0) return this.ready();
    for (const p of fresh) this.patterns.add(p);
    if (this.nc === undefined || this.current !== 'connected') return this.ready();
    for (const p of fresh) this.subscribeRecords(this.nc, p);
    await this.sync(fresh);
  }

  /** The path-record subscription patterns in use. */
  subscribedPatterns(): string[] {
    return [...this.patterns];
  }

  // ---- connection -------------------------------------------------------------

  private async connectLoop(firstOutcome: () => void): Promise<void> {
    if (this.auth.secure) await initPki();
    const servers = this.options.servers.join(',');
    let wait = this.options.reconnectWaitMs;
    // Runs until connected or closed; each failed attempt is reported and waited for.
    while (this.current !== 'closed') {
      let nc: NatsConnection;
      try {
        nc = await connect({
          servers: this.options.servers,
          name: this.options.name,
          noEcho: true,
          maxReconnectAttempts: -1,
          reconnectTimeWait: this.options.reconnectWaitMs,
          reconnectJitter: Math.ceil(this.options.reconnectWaitMs / 4),
          timeout: Math.max(1000, this.options.syncTimeoutMs),
        });
      } catch (e) {
        this.report(new NatsUnavailableError(servers, { cause: e }));
        firstOutcome();
        await this.sleep(wait);
        wait = Math.min(wait * 2, 8 * this.options.reconnectWaitMs);
        continue;
      }
      if (this.isClosed()) {
        await withTimeout(nc.close(), this.options.syncTimeoutMs);
        return;
      }
      this.nc = nc;
      void this.watchStatus(nc);
      this.subscribeAll(nc);
      this.setState('connected');
      this.republish();
      await this.sync(this.syncPatterns());
      this.markSynced();
      firstOutcome();
      return;
    }
    firstOutcome();
  }

  private subscribeAll(nc: NatsConnection): void {
    for (const p of this.patterns) this.subscribeRecords(nc, p);
    this.subscriptions.push(nc.subscribe(allAddressesPattern(this.options.system), { callback: (err, msg) => this.onRecordMessage(err, msg) }));
    this.subscriptions.push(nc.subscribe(syncSubject(this.options.system), { callback: (err, msg) => this.onSyncRequest(err, msg) }));
  }

  private subscribeRecords(nc: NatsConnection, pattern: string): void {
    this.subscriptions.push(nc.subscribe(pattern, { callback: (err, msg) => this.onRecordMessage(err, msg) }));
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    try {
      for await (const s of nc.status()) this.onStatus(s);
    } catch (e) {
      this.report(new NatsClientError('status stream failed', { cause: e }));
    }
  }

  private onStatus(s: Status): void {
    if (this.current === 'closed') return;
    switch (s.type) {
      case 'disconnect':
        this.stats.disconnects++;
        this.synced = false;
        this.setState('reconnecting');
        this.report(new NatsDisconnectedError(s.server));
        return;
      case 'reconnect':
        this.stats.reconnects++;
        // Nothing could be heard while away: give every entry a full TTL from now.
        this.table.extendAll(this.clock.now());
        this.setState('connected');
        this.republish();
        void this.sync(this.syncPatterns()).then(() => this.markSynced());
        return;
      case 'error':
        this.report(new NatsClientError(s.error.message, { cause: s.error }));
        return;
      case 'slowConsumer':
        this.report(new NatsClientError(`slow consumer on ${s.sub.getSubject()} (${s.pending} pending)`));
        return;
      case 'reconnecting':
      case 'update':
      case 'ldm':
      case 'ping':
      case 'staleConnection':
      case 'forceReconnect':
      case 'close':
        return;
      default: {
        const never: never = s;
        void never;
      }
    }
  }

  // ---- receiving -------------------------------------------------------------

  private onRecordMessage(err: Error | null, msg: Msg): void {
    if (this.current === 'closed') return;
    if (err !== null) {
      this.report(new NatsClientError(err.message, { cause: err }));
      return;
    }
    try {
      const r = parseRecord(msg.data, this.options.maxRecordBytes);
      // The subject must be the record's own: a record cannot reach subscribers of a path it is not about.
      if (recordSubject(r) !== msg.subject) throw new MalformedAnnouncementError(`record on subject ${msg.subject} is about ${recordSubject(r)}`);
      this.take(r);
    } catch (e) {
      this.refuse(e);
    }
  }

  private onSnapshot(msg: Msg): void {
    let texts: string[];
    try {
      // A snapshot is bounded by the server's max_payload; each record inside by maxRecordBytes.
      texts = parseSnapshot(msg.data, Math.max(this.options.maxRecordBytes, 8 * 1024 * 1024));
    } catch (e) {
      this.refuse(e);
      return;
    }
    for (const text of texts) {
      try {
        const r = parseRecord(Buffer.from(text, 'utf8'), this.options.maxRecordBytes);
        // Only what this runtime subscribes to: a snapshot must not smuggle in other records.
        if (!this.wants(r)) continue;
        this.take(r);
      } catch (e) {
        this.refuse(e);
      }
    }
  }

  private take(r: DiscoveryRecord): void {
    this.stats.received++;
    if (r.system !== this.options.system) throw new MalformedAnnouncementError(`record of system ${JSON.stringify(r.system)}`);
    this.recheck();
    const outcome: ApplyOutcome = this.table.apply(r, this.clock.now(), (x) => this.auth.verify(x));
    this.stats[outcome]++;
    // Verifying a chain of a newer epoch may have retired older ones.
    this.recheck();
  }

  private wants(r: DiscoveryRecord): boolean {
    if (r.kind === 'address' || r.kind === 'unaddress') return true;
    const subject = recordSubject(r);
    for (const p of this.patterns) if (subjectMatches(p, subject)) return true;
    return false;
  }

  private refuse(e: unknown): void {
    this.stats.rejected++;
    this.report(e instanceof EscherError ? e : new MalformedAnnouncementError(String(e), { cause: e }));
  }

  // ---- snapshots ----------------------------------------------------------------

  private syncPatterns(): string[] | undefined {
    return this.options.learn === 'system' ? undefined : [...this.patterns];
  }

  /** Asks everyone for their records matching `patterns` and takes the replies; bounded by `syncTimeoutMs`. */
  private async sync(patterns: readonly string[] | undefined): Promise<void> {
    const nc = this.nc;
    if (nc === undefined || this.current !== 'connected') return;
    this.stats.syncsSent++;
    try {
      const replies = await nc.requestMany(syncSubject(this.options.system), encodeSyncRequest(patterns), {
        strategy: 'stall',
        maxWait: this.options.syncTimeoutMs,
        stall: this.options.syncStallMs,
      });
      for await (const m of replies) this.onSnapshot(m);
    } catch (e) {
      // Nobody else is there yet: nothing to learn.
      if (isNoResponders(e)) return;
      if (!this.isClosed()) this.report(new NatsClientError('sync request failed', { cause: e }));
    }
  }

  private onSyncRequest(err: Error | null, msg: Msg): void {
    if (this.current === 'closed' || err !== null) return;
    try {
      const patterns = parseSyncRequest(msg.data);
      if (msg.reply === undefined || msg.reply === '') throw new MalformedAnnouncementError('sync request without a reply subject');
      this.stats.syncsAnswered++;
      for (const reply of encodeSnapshots(this.publishable(), patterns)) msg.respond(reply);
    } catch (e) {
      this.refuse(e);
    }
  }

  // ---- publishing ----------------------------------------------------------------

  private prepare(record: UnsignedRecord): LocalRecord {
    const subject = recordSubject(record);
    try {
      return { record, subject, text: encodeRecord(this.auth.sign(record)) };
    } catch (e) {
      // Kept (so this runtime still resolves it) but never published.
      this.report(e instanceof EscherError ? e : new NoIdentityForPathError(subject));
      return { record, subject, text: '' };
    }
  }

  private *publishable(): Iterable<PublishedRecord> {
    for (const l of this.localAddresses.values()) if (l.text !== '') yield l;
    for (const l of this.localPaths.values()) if (l.text !== '') yield l;
    for (const t of this.localTombs.values()) yield t;
  }

  private publish(r: PublishedRecord): void {
    if (r.text === '' || this.nc === undefined || this.current !== 'connected') return;
    try {
      this.nc.publish(r.subject, r.text);
      this.stats.published++;
    } catch (e) {
      this.report(new NatsClientError(`publish on ${r.subject} failed`, { cause: e }));
    }
  }

  /** Everything this runtime announces, again: heartbeats, and after a reconnection. */
  private republish(): void {
    this.lastHeartbeat = this.clock.now();
    for (const r of this.publishable()) this.publish(r);
  }

  private resign(): void {
    for (const [key, l] of this.localPaths) {
      const fresh = this.prepare({ ...l.record, seq: this.nextSeq() });
      this.localPaths.set(key, fresh);
      this.publish(fresh);
    }
    for (const [key, l] of this.localAddresses) {
      const fresh = this.prepare({ ...l.record, seq: this.nextSeq() });
      this.localAddresses.set(key, fresh);
      this.publish(fresh);
    }
  }

  // ---- time ------------------------------------------------------------------------

  private schedule(): void {
    const tick = Math.max(5, Math.min(this.options.heartbeatMs, Math.floor(this.options.ttlMs / 4)));
    this.timer = this.clock.setTimer(tick, () => {
      if (this.current === 'closed') return;
      try {
        this.onTick();
      } finally {
        this.schedule();
      }
    });
  }

  private onTick(): void {
    const now = this.clock.now();
    this.recheck();
    // While disconnected, nothing can be heard: keep the last known table rather than expire it.
    if (this.current !== 'connected') return;
    if (now - this.lastHeartbeat >= this.options.heartbeatMs) this.republish();
    this.stats.expired += this.table.expire(now);
    for (const [key, t] of this.localTombs) if (t.until <= now) this.localTombs.delete(key);
  }

  /** A refinement raised an epoch floor: entries certified under the old epoch go. */
  private recheck(): void {
    const version = this.auth.version;
    if (version === this.trustVersion) return;
    this.trustVersion = version;
    this.stats.retired += this.table.recheck((v) => this.auth.isCurrent(v));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, resolve));
  }

  // ---- helpers ------------------------------------------------------------------------

  private nextSeq(): number {
    // Wall-clock based so that a restarted runtime (same id, fresh counter) still outbids its previous life.
    this.seq = Math.max(this.seq + 1, Date.now() * 1000);
    return this.seq;
  }

  /** A method, not a field comparison, so that TypeScript does not narrow the state across awaits. */
  private isClosed(): boolean {
    return this.current === 'closed';
  }

  private secureRecords(): SecureRecords {
    if (!(this.auth instanceof SecureRecords)) throw new DiscoveryConfigError('identities cannot be changed in insecure mode');
    return this.auth;
  }

  private report(e: EscherError): void {
    this.errorCounts.count(e);
    if (!this.errors.closed) this.errors.next(e);
  }

  private setState(s: NatsDiscoveryState): void {
    this.current = s;
    if (!this.stateChanges.closed) this.stateChanges.next(s);
  }

  private markSynced(): void {
    if (this.current !== 'connected') return;
    this.synced = true;
    this.wakeReady();
  }

  private wakeReady(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }
}

/** Resolves with `p`, or after `ms` whatever `p` does (its rejection is swallowed). */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function isNoResponders(e: unknown): boolean {
  for (let x: unknown = e, i = 0; x instanceof Error && i < 4; x = x.cause, i++) {
    if (x.name === 'NoRespondersError' || x.name === 'NoResponders') return true;
    const check = (x as unknown as { isNoResponders?: () => boolean }).isNoResponders;
    if (typeof check === 'function' && check.call(x)) return true;
  }
  return false;
}
