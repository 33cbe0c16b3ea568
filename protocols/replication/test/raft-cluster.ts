import type { RaftEnv, RaftMessage, RaftOptions, RaftRole, RaftStorage } from '../src';
import { RaftNode } from '../src';

/** A message in the scripted network. */
export interface Sent {
  readonly from: number;
  readonly to: number;
  readonly msg: RaftMessage<Cmd>;
}

/** Commands in the unit tests: strings, `null` for a leader's no-op. */
export type Cmd = string | null;

export const OPTIONS: RaftOptions = {
  electionTimeoutMs: 100,
  heartbeatMs: 20,
  retryMs: 40,
  window: 1,
  maxBatch: 64,
  minBatch: 1,
  flushMs: 0,
  retainEntries: 1000,
  seeds: { group: 7, self: 0 },
};

/** What one node did through its environment. */
export class Recorder implements RaftEnv<Cmd> {
  readonly applied: Cmd[] = [];
  readonly discards: Cmd[][] = [];
  readonly roles: [RaftRole, number][] = [];
  readonly behind: [number, number, number][] = [];
  readonly violations: string[] = [];
  readonly storageFailures: unknown[] = [];
  wakeAt = Number.POSITIVE_INFINITY;
  constructor(private readonly cluster: { now: number; post(s: Sent): void }, private readonly rank: number) {}
  now(): number {
    return this.cluster.now;
  }
  send(to: number, msg: RaftMessage<Cmd>): void {
    this.cluster.post({ from: this.rank, to, msg });
  }
  wakeIn(delayMs: number): void {
    this.wakeAt = Math.min(this.wakeAt, this.cluster.now + delayMs);
  }
  apply(index: number, cmd: Cmd): void {
    if (index !== this.applied.length + 1) throw new Error(`node ${this.rank} applied ${index} after ${this.applied.length}`);
    this.applied.push(cmd);
  }
  discarded(cmds: readonly Cmd[]): void {
    this.discards.push([...cmds]);
  }
  roleChanged(role: RaftRole, term: number): void {
    this.roles.push([role, term]);
  }
  followerBehind(follower: number, needed: number, firstKept: number): void {
    this.behind.push([follower, needed, firstKept]);
  }
  violation(reason: string): void {
    this.violations.push(reason);
  }
  storageFailed(error: unknown): void {
    this.storageFailures.push(error);
  }
}

/**
 * A scripted cluster of Raft cores: a manual clock, one timer per node, and
 * a network the test controls. Messages wait in `queue` until delivered;
 * `down` nodes neither send nor receive; `blocked(from, to)` cuts links.
 */
export class Cluster {
  now = 0;
  readonly nodes: RaftNode<Cmd>[] = [];
  readonly envs: Recorder[] = [];
  queue: Sent[] = [];
  readonly down = new Set<number>();
  blocked: (from: number, to: number) => boolean = () => false;
  /** Every message posted, for assertions on traffic. */
  readonly log: Sent[] = [];

  constructor(
    readonly size: number,
    private readonly options: Partial<RaftOptions> = {},
    /** Each node's disk, if it has one: {@link Cluster.restart} starts a node again from it. */
    readonly storage: (rank: number) => RaftStorage<Cmd> | undefined = () => undefined,
  ) {
    for (let r = 0; r < size; r++) {
      const env = new Recorder(this, r);
      this.envs.push(env);
      this.nodes.push(this.make(r, env));
    }
    for (const n of this.nodes) n.start();
  }

  private make(r: number, env: Recorder): RaftNode<Cmd> {
    return new RaftNode<Cmd>(r, this.size, null, { ...OPTIONS, ...this.options, seeds: { group: 7, self: 1000 + r } }, env, this.storage(r));
  }

  /**
   * Crash of node `r`: it stops, and the messages queued to and from it are
   * lost. `restart` brings it back with fresh volatile state, from its disk.
   */
  crash(r: number): void {
    (this.nodes[r] as RaftNode<Cmd>).stop();
    this.down.add(r);
    this.queue = this.queue.filter((s) => s.to !== r && s.from !== r);
  }

  /** Node `r` starts again (new environment, so `appliedBy(r)` counts from its restart), from its storage. */
  restart(r: number): RaftNode<Cmd> {
    this.down.delete(r);
    const env = new Recorder(this, r);
    this.envs[r] = env;
    const node = this.make(r, env);
    this.nodes[r] = node;
    node.start();
    return node;
  }

  post(s: Sent): void {
    this.log.push(s);
    if (this.down.has(s.from)) return;
    this.queue.push(s);
  }

  /** Delivers queued messages (and those they cause) in FIFO order, at the current time; returns how many. */
  deliverAll(maxMessages = 100_000): number {
    let n = 0;
    while (this.queue.length > 0 && n < maxMessages) {
      const s = this.queue.shift() as Sent;
      if (this.down.has(s.to) || this.down.has(s.from) || this.blocked(s.from, s.to)) continue;
      this.nodes[s.to]?.receive(s.from, s.msg);
      n++;
    }
    return n;
  }

  /** Runs for `ms`: fires due timers in time order, delivering every message at once after each. */
  run(ms: number): void {
    const end = this.now + ms;
    this.deliverAll();
    for (;;) {
      let next = -1;
      for (let r = 0; r < this.size; r++) {
        if (this.down.has(r)) continue;
        const at = (this.envs[r] as Recorder).wakeAt;
        if (at <= end && (next < 0 || at < (this.envs[next] as Recorder).wakeAt)) next = r;
      }
      if (next < 0) break;
      const env = this.envs[next] as Recorder;
      this.now = Math.max(this.now, env.wakeAt);
      env.wakeAt = Number.POSITIVE_INFINITY;
      (this.nodes[next] as RaftNode<Cmd>).tick();
      this.deliverAll();
    }
    this.now = end;
  }

  /** Ranks of live nodes that are leaders. */
  leaders(): number[] {
    return this.nodes.filter((n, r) => !this.down.has(r) && n.isLeader).map((n) => n.rank);
  }

  /** The only live leader. */
  leader(): RaftNode<Cmd> {
    const l = this.leaders();
    if (l.length !== 1) throw new Error(`expected one leader, found ${l.length}: ${l.join(', ')}`);
    return this.nodes[l[0] as number] as RaftNode<Cmd>;
  }

  /** Commands applied by node `r`, without the no-ops. */
  appliedBy(r: number): string[] {
    return (this.envs[r] as Recorder).applied.filter((c): c is string => c !== null);
  }

  /** Terms of node `r`'s kept log entries, from index `from` (or the first kept). */
  terms(r: number, from = 1): number[] {
    return [...(this.nodes[r] as RaftNode<Cmd>).log.from(from)].map(([, term]) => term);
  }
}
