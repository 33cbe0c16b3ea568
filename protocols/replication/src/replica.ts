import { type Continuation, Envelope, type Path, Role, type TimerHandle } from '@escher/core';
import {
  FollowerTooFarBehindError,
  HeldRequestExpiredError,
  InvalidReplicationParamsError,
  MalformedRaftMessageError,
  NotAReplicaError,
  RaftInvariantError,
  CorruptRaftStorageError,
  RaftStorageError,
  TornStorageTailError,
} from './errors';
import { type HeldEviction, HeldRequests } from './held-requests';
import { type Command, RAFT_TAG, type RaftMessage, type RequestCommand } from './messages';
import { ProposedInputs } from './proposed-inputs';
import { hashString } from './raft/election-timeout';
import type { RaftEnv, RaftRole } from './raft/raft-env';
import { RaftNode } from './raft/raft-node';
import type { Replication } from './replication';
import type { RaftStorage } from './storage/raft-storage';
import { checkCommand, checkRaftMessage } from './validate';

/** Timer residues below this count as due. */
const EPSILON_MS = 1e-3;

/**
 * The replica role of {@link Replication}: one per member, on the member's
 * agent, whose application must be deterministic (it requires the
 * `deterministic` capability). It overrides the raw `deliver` hook rather
 * than the participant-scoped one, because it must see every input of its
 * agent, whoever sends it.
 *
 * Coming down the stack (`deliver`):
 * - a message in this instance's tag slot from another member is Raft's: it
 *   is checked, consumed (a duplicate is ignored) and fed to the Raft core,
 *   never passed down; one from a non-member, or malformed, is dropped and
 *   counted with a typed error;
 * - any other message is an input, whoever sent it and whether it is
 *   addressed to the service or to this replica (only a sibling can do the
 *   latter): nothing reaches the application without being ordered, or the
 *   copies would diverge. Already accepted: passed down (a layer
 *   below may acknowledge it again; the kernel counts and drops the
 *   duplicate). Otherwise the leader appends it to the log (once), and a
 *   follower holds it in case it must take over.
 *
 * When entries commit, every replica rebuilds each input's envelope (same
 * id, source and its incarnation, destination, payload and other roles'
 * tags) and delivers it
 * from this layer down, in log order; an input ordered twice (proposed again
 * by a later leader) is skipped, identically on every replica, because it
 * has been accepted already.
 *
 * Going up (`transmit`): untouched. Every replica sends its application's
 * outputs; since all run the same inputs in the same order, the outputs
 * carry the same ids, and the receiver merges them.
 *
 * With storage (`ReplicationParams.storage`), the role starts the Raft core
 * from what the replica's predecessor made durable, after checking that its
 * agent is a newer incarnation and recording it; a restarted replica then
 * applies the log again from index 1, its outputs carrying the ids they
 * carried the first time.
 */
export class Replica extends Role<Replication> {
  override readonly requires = ['deterministic'];
  /** The member this role serves. */
  readonly path: Path;

  /** Inputs appended to the log while leader. */
  proposed = 0;
  /** Inputs handed to the application, in log order. */
  applied = 0;
  /** Committed inputs skipped because they had been applied already. */
  skipped = 0;
  /** Raft messages dropped: from a non-member, or malformed. */
  rejected = 0;
  /** Held requests discarded unordered (too old, too many, or the role removed). */
  expired = 0;
  /** Raft messages sent and received (duplicates excluded). */
  raftSent = 0;
  raftReceived = 0;
  /**
   * Raft messages received again, ignored: copies the network made, or —
   * were incarnations not telling a restarted peer's numbering from its
   * predecessor's — new messages taken for old ones.
   */
  raftDuplicates = 0;

  private node: RaftNode<Command> | undefined;
  private held: HeldRequests | undefined;
  /** While leader: which inputs are in the log, not yet applied. */
  private readonly inLog = new ProposedInputs();
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private storage: RaftStorage<Command> | undefined;

  constructor(protocol: Replication, readonly rank: number) {
    super(protocol);
    this.path = protocol.params.members[rank] as Path;
  }

  /** The Raft core (read-only use: tests and tools). Undefined until installed. */
  get raft(): RaftNode<Command> | undefined {
    return this.node;
  }

  /** Follower, candidate or leader. */
  get role(): RaftRole {
    return this.node?.role ?? 'follower';
  }

  /** This replica leads its term. */
  get isLeader(): boolean {
    return this.node?.isLeader === true;
  }

  /** The Raft term this replica is in. */
  get term(): number {
    return this.node?.term ?? 0;
  }

  /** The member this replica believes leads its term, if any. */
  get leader(): Path | undefined {
    const r = this.node?.leader ?? -1;
    return r < 0 ? undefined : this.protocol.params.members[r];
  }

  /** Requests held as a follower (ordered ones not yet pruned included). */
  get heldCount(): number {
    return this.held?.size ?? 0;
  }

  override deliver(msg: Envelope, next: Continuation): void {
    const tag = msg.tag(this.slot);
    if (tag !== undefined) {
      this.onRaft(msg, tag);
      return;
    }
    const ctx = this.ctx;
    if (ctx.hasAccepted(msg)) {
      next(msg);
      return;
    }
    const node = this.node as RaftNode<Command>;
    if (node.isLeader) {
      if (!this.inLog.has(msg.src, msg.dst, msg.id, msg.inc, node.log, node.lastApplied)) this.propose(msg);
    } else {
      (this.held as HeldRequests).add(msg, ctx.now());
    }
  }

  protected override onInstall(): void {
    const params = this.protocol.params;
    const storage = params.storage?.(this.path);
    if (storage !== undefined) this.openStorage(storage);
    this.held = new HeldRequests(params.maxHeld, params.holdMs, (m) => this.ctx.hasAccepted(m), this.onEvict);
    this.node = new RaftNode<Command>(
      this.rank,
      params.members.length,
      null,
      {
        electionTimeoutMs: params.electionTimeoutMs,
        heartbeatMs: params.heartbeatMs,
        retryMs: params.retryMs,
        window: params.window,
        maxBatch: params.maxBatch,
        minBatch: params.minBatch,
        flushMs: params.flushMs,
        retainEntries: params.retainEntries,
        seeds: { group: hashString(this.protocol.id), self: hashString(this.path) },
      },
      this.env,
      storage === undefined ? undefined : this.checked(storage),
    );
    this.node.start();
  }

  /**
   * A replica starting on storage: its agent must be a new incarnation (a
   * restarted agent numbers its messages from 1 again; under an old
   * incarnation its peers would take them for duplicates), which is
   * recorded before anything is sent.
   * @throws InvalidReplicationParamsError, RaftStorageError
   */
  private openStorage(storage: RaftStorage<Command>): void {
    const inc = this.ctx.incarnation;
    if (inc <= storage.incarnation) {
      throw new InvalidReplicationParamsError(
        this.protocol.id,
        `${this.path} runs as incarnation ${inc}, but incarnation ${storage.incarnation} already ran on its storage: restart it under a higher one`,
      );
    }
    storage.saveIncarnation(inc);
    storage.sync();
    this.storage = storage;
  }

  /** Storage whose loaded commands are checked like those that arrive over the wire, and whose repairs are reported. */
  private checked(storage: RaftStorage<Command>): RaftStorage<Command> {
    const replica = this;
    return {
      get incarnation() {
        return storage.incarnation;
      },
      load() {
        const s = storage.load();
        for (let i = 0; i < s.cmds.length; i++) {
          const why = checkCommand(s.cmds[i]);
          if (why !== undefined) throw new CorruptRaftStorageError(replica.path, `entry ${i + 1}: ${why}`);
        }
        if (s.repaired !== undefined) replica.ctx.report(new TornStorageTailError(replica.path, s.repaired));
        return s;
      },
      saveTermAndVote: (t, v) => storage.saveTermAndVote(t, v),
      saveEntry: (i, t, c) => storage.saveEntry(i, t, c),
      saveIncarnation: (n) => storage.saveIncarnation(n),
      sync: () => storage.sync(),
    };
  }

  /** Removed, or the agent crashed: Raft stops; held requests are reported, not handed to the application unordered. */
  protected override onRemove(): void {
    this.node?.stop();
    // A crash: whatever was not synced is lost, as it would be on a real disk.
    this.storage?.close?.();
    this.storage = undefined;
    if (this.timer !== undefined) this.ctx.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const held = this.held;
    if (held !== undefined) for (const m of held.takeAll(this.ctx.now())) this.onEvict(m, 'removed');
  }

  // ---- Raft messages ---------------------------------------------------------

  private onRaft(msg: Envelope, tag: unknown): void {
    const id = this.protocol.id;
    const from = this.protocol.rankOf(msg.src);
    if (from < 0 || from === this.rank) {
      this.reject(msg, new NotAReplicaError(id, msg.src));
      return;
    }
    if (tag !== RAFT_TAG) {
      this.reject(msg, new MalformedRaftMessageError(id, `tag ${JSON.stringify(tag)?.slice(0, 40)} is not ${RAFT_TAG}`));
      return;
    }
    const why = checkRaftMessage(msg.payload, this.protocol.params.maxBatch);
    if (why !== undefined) {
      this.reject(msg, new MalformedRaftMessageError(id, why));
      return;
    }
    if (!this.ctx.consume(msg)) {
      this.raftDuplicates++; // Raft needs each message once
      return;
    }
    this.raftReceived++;
    (this.node as RaftNode<Command>).receive(from, msg.payload as RaftMessage<Command>);
  }

  private reject(msg: Envelope, error: NotAReplicaError | MalformedRaftMessageError): void {
    this.rejected++;
    this.ctx.drop(msg, error);
  }

  // ---- inputs ----------------------------------------------------------------

  /** Appends an input to the log (leader only). */
  private propose(msg: Envelope): void {
    const cmd: RequestCommand = msg.hasRoleTags
      ? { id: msg.id, src: msg.src, dst: msg.dst, payload: msg.payload, roleTags: msg.roleTags }
      : { id: msg.id, src: msg.src, dst: msg.dst, payload: msg.payload };
    // The source's incarnation goes with its id (a restarted client numbers from 1 again); left out when 0.
    if (msg.inc !== 0) (cmd as { inc?: number }).inc = msg.inc;
    this.inLog.add(cmd.src, cmd.dst, cmd.id, msg.inc);
    this.proposed++;
    (this.node as RaftNode<Command>).propose(cmd);
  }

  /** A committed command: present its input to the application, unless it was already. */
  private apply(cmd: RequestCommand): void {
    const input = new Envelope(cmd.id, cmd.src as Path, cmd.dst as Path, cmd.payload, cmd.roleTags, undefined, cmd.inc ?? 0);
    if (this.ctx.hasAccepted(input)) {
      this.skipped++;
      return;
    }
    this.applied++;
    this.ctx.deliver(input);
    const held = this.held as HeldRequests;
    if (held.size > 0) held.prune();
  }

  /** Became leader: index the unapplied part of the log, then propose what was held and is not in it. */
  private tookOver(): void {
    const node = this.node as RaftNode<Command>;
    this.inLog.rebuild(node.log, node.lastApplied);
    const ctx = this.ctx;
    for (const msg of (this.held as HeldRequests).takeAll(ctx.now())) {
      if (!this.inLog.has(msg.src, msg.dst, msg.id, msg.inc, node.log, node.lastApplied)) this.propose(msg);
    }
  }

  private readonly onEvict = (msg: Envelope, why: HeldEviction): void => {
    this.expired++;
    this.ctx.drop(msg, new HeldRequestExpiredError(this.path, why));
  };

  // ---- the Raft core's environment ---------------------------------------------

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.node?.tick();
  };

  private readonly env: RaftEnv<Command> = {
    now: () => this.ctx.now(),
    send: (to, m) => {
      const msg = this.ctx.message(this.protocol.params.members[to] as Path, m);
      msg.setTag(this.slot, RAFT_TAG);
      this.raftSent++;
      this.ctx.transmit(msg);
    },
    wakeIn: (delayMs) => {
      const at = this.ctx.now() + delayMs;
      if (this.timer !== undefined) {
        if (this.timerAt <= at + EPSILON_MS) return;
        this.ctx.clearTimer(this.timer);
      }
      this.timerAt = at;
      this.timer = this.ctx.setTimer(delayMs, this.onTimer);
    },
    apply: (_index, cmd) => {
      if (cmd !== null) this.apply(cmd);
    },
    discarded: (cmds) => {
      // Uncommitted inputs the new leader's log does not have: hold them again, in case this replica leads next.
      const held = this.held as HeldRequests;
      const now = this.ctx.now();
      for (const c of cmds) {
        if (c === null) continue;
        const msg = new Envelope(c.id, c.src as Path, c.dst as Path, c.payload, c.roleTags, undefined, c.inc ?? 0);
        if (!this.ctx.hasAccepted(msg)) held.add(msg, now);
      }
    },
    roleChanged: (role) => {
      if (role === 'leader') this.tookOver();
      else this.inLog.clear();
    },
    followerBehind: (follower, needed, firstKept) => {
      const members = this.protocol.params.members;
      this.ctx.report(new FollowerTooFarBehindError(this.path, members[follower] as string, needed, firstKept));
    },
    violation: (reason) => this.ctx.report(new RaftInvariantError(this.path, reason)),
    storageFailed: (error) => {
      const e = error instanceof RaftStorageError ? error : new RaftStorageError(this.path, String(error), { cause: error });
      this.ctx.report(e);
    },
  };
}
