import type { Clock } from '@escher/core';
import type { Identity, TrustStore } from '@escher/pki';
import { DiscoveryConfigError } from './errors';
import { isValidSystemName } from './subjects';

/**
 * What a runtime learns. `system`: every announcement of the system (one
 * subscription; the default). `reachable`: only announcements of agents
 * that the agents this runtime hosts may reach under the sibling rule,
 * filtered by the server (see `reachablePatterns`).
 */
export type LearningStrategy = 'system' | 'reachable';

/** Settings of a {@link NatsDiscovery}. */
export interface NatsDiscoveryOptions {
  /** NATS server(s): `127.0.0.1:4222`, `nats://host:port`, or a list. */
  readonly servers: string | readonly string[];
  /** Name of the system; every runtime of one system uses the same one. Escaped into one subject token. */
  readonly system: string;
  /** Identities this runtime holds: records are signed with the one covering the announced path. Secure mode needs these and `trust`. */
  readonly identities?: readonly Identity[];
  /** Trusted system agent(s) and epoch floors: records are accepted only with a chain that verifies here. */
  readonly trust?: TrustStore;
  /**
   * No signatures and no checks: anyone who can publish on the NATS server
   * can claim any path. For tests and single-host experiments only; must be
   * asked for explicitly, and cannot be combined with `identities`/`trust`.
   */
  readonly insecure?: boolean;
  /** Default `system`; see {@link LearningStrategy}. */
  readonly learn?: LearningStrategy;
  /** How often this runtime re-publishes its records (default 1000 ms). */
  readonly heartbeatMs?: number;
  /** How long others keep a record of this runtime without hearing it again (default 4 × heartbeat); at least 2 × heartbeat. */
  readonly ttlMs?: number;
  /** Longest TTL honoured in others' records (default 60 s). */
  readonly maxTtlMs?: number;
  /** Wait between attempts to reach the server, first connection and reconnections (default 250 ms). */
  readonly reconnectWaitMs?: number;
  /** Longest wait for snapshot replies when joining or reconnecting (default 1000 ms). */
  readonly syncTimeoutMs?: number;
  /** Snapshot collection ends once no reply came for this long (default 100 ms). */
  readonly syncStallMs?: number;
  /** Largest record accepted, checked before parsing (default 128 KiB: a chain of 32 certificates fits). */
  readonly maxRecordBytes?: number;
  /** Most path entries (and most address entries) learned (default 100 000). */
  readonly maxEntries?: number;
  /** Time for heartbeats and expiry (default: real time). */
  readonly clock?: Clock;
  /** Connection name shown by the NATS server's monitoring (default `escher-<system>`). */
  readonly name?: string;
}

/** {@link NatsDiscoveryOptions} with every default filled in and checked. */
export interface ResolvedNatsDiscoveryOptions {
  readonly servers: string[];
  readonly system: string;
  readonly learn: LearningStrategy;
  readonly heartbeatMs: number;
  readonly ttlMs: number;
  readonly maxTtlMs: number;
  readonly reconnectWaitMs: number;
  readonly syncTimeoutMs: number;
  readonly syncStallMs: number;
  readonly maxRecordBytes: number;
  readonly maxEntries: number;
  readonly name: string;
}

/** Fills in defaults and checks the options. @throws DiscoveryConfigError */
export function resolveOptions(o: NatsDiscoveryOptions): ResolvedNatsDiscoveryOptions {
  const servers = typeof o.servers === 'string' ? [o.servers] : [...o.servers];
  if (servers.length === 0 || servers.some((s) => typeof s !== 'string' || s === '')) throw new DiscoveryConfigError('servers must name at least one server');
  if (!isValidSystemName(o.system)) throw new DiscoveryConfigError('system must be a non-empty string of at most 128 characters');
  const hasPki = o.identities !== undefined || o.trust !== undefined;
  if (o.insecure === true && hasPki) throw new DiscoveryConfigError('insecure mode cannot be combined with identities or trust');
  if (o.insecure !== true && (o.identities === undefined || o.trust === undefined)) {
    throw new DiscoveryConfigError('give identities and trust (secure), or ask for insecure: true explicitly');
  }
  const learn = o.learn ?? 'system';
  if (learn !== 'system' && learn !== 'reachable') throw new DiscoveryConfigError(`unknown learning strategy ${String(learn)}`);
  const heartbeatMs = positive('heartbeatMs', o.heartbeatMs ?? 1000);
  const ttlMs = positive('ttlMs', o.ttlMs ?? 4 * heartbeatMs);
  if (ttlMs < 2 * heartbeatMs) throw new DiscoveryConfigError(`ttlMs (${ttlMs}) must be at least two heartbeats (${2 * heartbeatMs})`);
  return {
    servers,
    system: o.system,
    learn,
    heartbeatMs,
    ttlMs,
    maxTtlMs: positive('maxTtlMs', o.maxTtlMs ?? 60_000),
    reconnectWaitMs: positive('reconnectWaitMs', o.reconnectWaitMs ?? 250),
    syncTimeoutMs: positive('syncTimeoutMs', o.syncTimeoutMs ?? 1000),
    syncStallMs: positive('syncStallMs', o.syncStallMs ?? 100),
    maxRecordBytes: positive('maxRecordBytes', o.maxRecordBytes ?? 128 * 1024),
    maxEntries: positive('maxEntries', o.maxEntries ?? 100_000),
    name: o.name ?? `escher-${o.system}`,
  };
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new DiscoveryConfigError(`${name} must be a positive integer, not ${String(v)}`);
  return v;
}
