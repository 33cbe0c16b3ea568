import { Path, Protocol, type ProtocolHost, type StackPosition } from '@escher/core';
import { InvalidReplicationParamsError } from './errors';
import type { Command } from './messages';
import { Replica } from './replica';
import type { RaftStorage } from './storage/raft-storage';

/** Parameters of a {@link Replication} instance, fixed for its life. */
export interface ReplicationParams {
  /** The replicated (virtual) agent; every member is one of its children. */
  readonly service: Path;
  /** The replicas, in rank order: 2f + 1 of them tolerate f crashes. At most 31. */
  readonly members: readonly Path[];
  /** Base election timeout (ms); each replica's is within [base, 2 × base), spread deterministically. */
  readonly electionTimeoutMs: number;
  /** A leader sends to every follower at least this often (ms); below `electionTimeoutMs`. */
  readonly heartbeatMs: number;
  /** Entries unacknowledged by a follower for this long are sent again (ms). */
  readonly retryMs: number;
  /** AppendEntries with entries in flight per follower; later entries wait and go in one batch. */
  readonly window: number;
  /** Most log entries per AppendEntries (also the most a replica accepts in one). */
  readonly maxBatch: number;
  /**
   * A leader sends fewer waiting entries than this only on its next flush,
   * `flushMs` later, so that a stream of requests leaves in batches. 1 sends
   * every entry at once (lowest latency, most messages).
   */
  readonly minBatch: number;
  /** Delay of that flush (ms); 0, the default, is the next timer turn (about 1 ms on Node's real clock). */
  readonly flushMs: number;
  /** Applied log entries kept for a lagging follower; one further behind cannot be repaired. */
  readonly retainEntries: number;
  /** A follower holds a request it received directly for at most this long (ms), in case it becomes leader. */
  readonly holdMs: number;
  /** Most requests a follower holds. */
  readonly maxHeld: number;
  /**
   * Stable storage of each replica (its "disk"): term, vote and log survive
   * a crash, so a crashed replica can be started again — in a new process,
   * or by `addReplica` on the restarted agent — under a new incarnation.
   * Called each time a replica assumes its role; return the same storage
   * for the same replica every time. Without it, state is volatile and a
   * replica that assumed its role once is never taken back.
   */
  readonly storage?: (replica: Path) => RaftStorage<Command>;
}

/** What {@link Replication}'s constructor accepts: the service, the replicas, and any parameter to change. */
export interface ReplicationOptions extends Partial<Omit<ReplicationParams, 'service' | 'members'>> {
  /** The replicated agent's path. */
  readonly service: Path | string;
  /** The replicas' paths in rank order, or their number `n` for `service/1 … service/n`. */
  readonly replicas: number | readonly (Path | string)[];
}

/** Defaults of the tunable parameters (times in ms). */
export const REPLICATION_DEFAULTS = {
  electionTimeoutMs: 150,
  heartbeatMs: 30,
  retryMs: 60,
  window: 2,
  maxBatch: 4096,
  minBatch: 32,
  flushMs: 0,
  retainEntries: 100_000,
  holdMs: 1500,
  maxHeld: 100_000,
} as const;

/**
 * Crash-tolerant state-machine replication as an Escher wrapper (§2.3): a
 * virtual agent (the service) is refined into 2f + 1 children, each a
 * physical agent running an unchanged copy of the same deterministic
 * application under a {@link Replica} role. The replicas agree with Raft on
 * the order of the inputs, so their copies go through the same states and
 * emit the same outputs with the same message ids; any f of them may crash,
 * the leader included, and with `storage` a crashed one may come back.
 *
 * The bus delivers a message for the service to every child (§2.2), so
 * every replica sees every request: the leader appends it to the log,
 * followers hold it in case they must take over. Outputs leave every
 * replica unchanged; a receiver merges them with `{ waitForMatching: 1,
 * from: members }` (the refinement protocol's job, not this one's).
 *
 * ```ts
 * const smr = new Replication(rt, { service: '/kv', replicas: 3 });
 * smr.addReplicas();   // a Replica role on /kv/1, /kv/2 and /kv/3
 * ```
 */
export class Replication extends Protocol<ReplicationParams> {
  private readonly ranks = new Map<Path, number>();
  private readonly replicaRoles = new Map<Path, Replica>();

  /** @throws InvalidReplicationParamsError */
  constructor(host: ProtocolHost, options: ReplicationOptions, id?: string) {
    const name = 'replication';
    const label = id ?? name;
    let service: Path;
    try {
      service = Path.parse(options.service);
    } catch {
      throw new InvalidReplicationParamsError(label, `service ${JSON.stringify(options.service)} is not a path`);
    }
    const members = memberPaths(label, service, options.replicas);
    const { service: _service, replicas: _replicas, ...tunables } = options;
    const params: ReplicationParams = {
      ...REPLICATION_DEFAULTS,
      holdMs: 10 * (options.electionTimeoutMs ?? REPLICATION_DEFAULTS.electionTimeoutMs),
      ...withoutUndefined(tunables),
      service,
      members: Object.freeze(members),
    };
    checkParams(label, params);
    super(host, name, params, id);
    members.forEach((m, i) => this.ranks.set(m, i));
  }

  /**
   * Operation: `path`, one of the members, assumes the {@link Replica} role.
   * Its application must be deterministic. In a stack with the refinement
   * protocol's roles, the replica goes above the outbox and below the
   * tagger and merger (`[Outbox, Replica, Tagger, Merger]`); by default it
   * goes on top.
   *
   * A member whose earlier role is gone (its agent crashed) assumes it again
   * only with `storage`: the new role starts from the term, vote and log
   * its predecessor made durable, and its agent must run under a higher
   * incarnation than the one recorded there.
   * @throws InvalidReplicationParamsError, RoleRequirementError, CorruptRaftStorageError, RaftStorageError
   */
  addReplica(path: Path | string, position?: StackPosition): Replica {
    const p = Path.parse(path);
    const rank = this.ranks.get(p);
    if (rank === undefined) throw new InvalidReplicationParamsError(this.id, `${p} is not a member (${this.params.members.join(', ')})`);
    const before = this.replicaRoles.get(p);
    if (before !== undefined && this.params.storage === undefined) {
      // A replica restarted with empty state could vote twice in a term: Raft needs its term, vote and log to survive.
      throw new InvalidReplicationParamsError(this.id, `${p} already assumed its role; a crashed replica cannot rejoin without persistent state (storage)`);
    }
    if (before?.installed === true) throw new InvalidReplicationParamsError(this.id, `${p} has a live replica role: crash or remove it first`);
    const role = this.assume(p, new Replica(this, rank), position);
    this.replicaRoles.set(p, role);
    return role;
  }

  /** Operation: every member assumes its role, in rank order. */
  addReplicas(position?: StackPosition): Replica[] {
    return this.params.members.map((m) => this.addReplica(m, position));
  }

  /** The members, in rank order. */
  members(): readonly Path[] {
    return this.params.members;
  }

  /** Rank of `path` among the members, or -1 if it is not one. */
  rankOf(path: Path): number {
    return this.ranks.get(path) ?? -1;
  }

  /** The replica role on `path`, if it assumed one. */
  replicaAt(path: Path | string): Replica | undefined {
    return this.replicaRoles.get(path as Path);
  }

  /**
   * The member that currently believes it leads in the highest term, among
   * roles still installed (a crashed replica's role is removed), or
   * `undefined` during an election. For tests, tools and traces: the
   * protocol itself never needs to know.
   */
  leader(): Path | undefined {
    let best: Replica | undefined;
    for (const r of this.replicaRoles.values()) {
      if (r.installed && r.isLeader && (best === undefined || r.term > best.term)) best = r;
    }
    return best?.path;
  }
}

function memberPaths(label: string, service: Path, replicas: ReplicationOptions['replicas']): Path[] {
  let list: (Path | string)[];
  if (typeof replicas === 'number') {
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 31) {
      throw new InvalidReplicationParamsError(label, `replicas must be an integer in 1..31, got ${replicas}`);
    }
    list = Array.from({ length: replicas }, (_, i) => `${service}/${i + 1}`);
  } else {
    if (!Array.isArray(replicas) || replicas.length < 1 || replicas.length > 31) {
      throw new InvalidReplicationParamsError(label, 'replicas must list 1 to 31 paths');
    }
    list = [...replicas];
  }
  const out: Path[] = [];
  for (const r of list) {
    if (!Path.isValid(r)) throw new InvalidReplicationParamsError(label, `replica ${JSON.stringify(r)} is not a path`);
    const p = Path.parse(r);
    if (Path.parent(p) !== service) throw new InvalidReplicationParamsError(label, `replica ${p} is not a child of ${service}`);
    if (out.includes(p)) throw new InvalidReplicationParamsError(label, `replica ${p} is listed twice`);
    out.push(p);
  }
  return out;
}

function checkParams(label: string, p: ReplicationParams): void {
  const positive = (k: keyof ReplicationParams) => {
    const v = p[k];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new InvalidReplicationParamsError(label, `${k} must be a positive finite number, got ${String(v)}`);
    }
  };
  const count = (k: keyof ReplicationParams, min: number) => {
    const v = p[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new InvalidReplicationParamsError(label, `${k} must be an integer ≥ ${min}, got ${String(v)}`);
    }
  };
  positive('electionTimeoutMs');
  positive('heartbeatMs');
  positive('retryMs');
  positive('holdMs');
  count('window', 1);
  count('maxBatch', 1);
  count('minBatch', 1);
  if (typeof p.flushMs !== 'number' || !(p.flushMs >= 0) || !Number.isFinite(p.flushMs)) {
    throw new InvalidReplicationParamsError(label, `flushMs must be a non-negative finite number, got ${String(p.flushMs)}`);
  }
  if (p.minBatch > p.maxBatch) throw new InvalidReplicationParamsError(label, `minBatch (${p.minBatch}) exceeds maxBatch (${p.maxBatch})`);
  count('retainEntries', 0);
  count('maxHeld', 1);
  if (p.heartbeatMs >= p.electionTimeoutMs) {
    throw new InvalidReplicationParamsError(label, `heartbeatMs (${p.heartbeatMs}) must be below electionTimeoutMs (${p.electionTimeoutMs})`);
  }
}

/** Options without the keys given as `undefined`, so they do not override defaults. */
function withoutUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
