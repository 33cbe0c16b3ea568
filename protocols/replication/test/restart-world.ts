import type { AgentContext, Behavior, Envelope } from '@escher/core';
import { History } from '@escher/linearizability';
import { Manager } from '@escher/protocol-refinement';
import type { Rng, Simulator } from '@escher/sim';
import { type Command, FileStorage, MemoryStorage, type RaftStorage, ReplicationWrapper, type ReplicationWrapperOptions, nextIncarnation } from '../src';
import { type KvOp, type KvReply, type KvRequest, KvStore, PrefixChecker, randomKvOp } from './kv-store';

/** Settings of a {@link RestartWorld}. */
export interface RestartWorldOptions {
  readonly replicas: number;
  readonly clients: number;
  readonly opsPerClient: readonly [number, number];
  /** A client waits up to this long between an answer and its next operation (ms); default 60. */
  readonly thinkMs?: number;
  readonly replication?: ReplicationWrapperOptions;
  /** Negative control: each restart finds an empty disk (amnesia), though under a new incarnation. */
  readonly amnesia?: boolean;
  /** Keep each replica's state in a {@link FileStorage} in this directory instead of in memory. */
  readonly fileDir?: string;
}

/**
 * The replicated key-value store as a deployment would run it: `/kv`
 * refined by the refinement `Manager` into Raft replicas (each on a
 * simulated machine of its own, each with a {@link MemoryStorage} that
 * outlives its machine: "the disk"), with the refinement protocol's
 * outbox, tagging and merging, and clients that send each operation once
 * — the outbox retransmits, replies are merged — and must receive exactly
 * one reply per operation. Replicas crash (`crashNode`) and come back
 * (`restartNode` + `Manager.restart` under the next incarnation), replaying
 * their durable log into a fresh store.
 *
 * Checked after every event: the inputs every store (restarted ones
 * included, from their first replayed input) applies are prefixes of one
 * sequence; no client got two replies to one operation, or a reply to one
 * it never sent; at most one leader per term. At the end: every operation
 * answered, every live replica caught up and executed each exactly once.
 */
export class RestartWorld {
  readonly mgr: Manager;
  readonly wrapper: ReplicationWrapper;
  readonly disks = new Map<string, MemoryStorage<Command>>();
  /** The current store of each replica (a restarted replica has a fresh one). */
  readonly stores = new Map<string, KvStore>();
  readonly checker = new PrefixChecker();
  readonly history = new History();
  readonly clients: OnceClient[] = [];
  readonly replicaPaths: string[];
  /** What was done to replicas, in order (for messages). */
  readonly script: string[] = [];
  private readonly leaders = new Map<number, string>();
  private violation: string | undefined;
  /** Crashes and restarts scheduled and not yet done: the run is not over before they are. */
  private scheduled = 0;
  /** Replicas crashed for good: not expected back, nor caught up, at the end. */
  readonly gone = new Set<string>();

  constructor(
    readonly sim: Simulator,
    readonly options: RestartWorldOptions,
  ) {
    const rng = sim.rng.fork('workload');
    this.replicaPaths = Array.from({ length: options.replicas }, (_, i) => `/kv/${i + 1}`);
    for (const p of this.replicaPaths) this.disks.set(p, new MemoryStorage<Command>());
    const dir = options.fileDir;
    this.wrapper = new ReplicationWrapper({
      electionTimeoutMs: 50,
      heartbeatMs: 10,
      retryMs: 20,
      ...options.replication,
      // A file is opened afresh at each start, as a new process would; memory is the same object, "the disk".
      storage: (p) => (dir === undefined ? (this.disks.get(p) as RaftStorage<Command>) : FileStorage.inDirectory<Command>(dir, p)),
    });
    this.mgr = new Manager(sim, { now: () => sim.now, refinement: { retransmitMs: 30, maxRetransmitMs: 200 } });
    this.mgr.refine('/kv', { children: this.replicaPaths, merge: { waitForMatching: 1 }, create: (p) => this.store(p), wrap: this.wrapper });
    for (let c = 0; c < options.clients; c++) {
      const ops = rng.int(options.opsPerClient[0], options.opsPerClient[1]);
      const client = new OnceClient(this, `/c${c}`, `c${c}`, c, ops, rng.fork(`client${c}`));
      this.clients.push(client);
      this.mgr.spawn(client.path, client);
    }
  }

  private store(p: string): KvStore {
    const s = new KvStore(p, this.checker);
    this.stores.set(p, s);
    return s;
  }

  /** The replica leading now (the highest term among live roles), if any. */
  leader(): string | undefined {
    return this.wrapper.leader('/kv');
  }

  /** Crashes `target` (a path, or the leader of the moment, else `fallback`); returns what it crashed. */
  crash(target: string | 'leader', fallback = '/kv/1'): string | undefined {
    const p = target === 'leader' ? (this.leader() ?? fallback) : target;
    if (!this.sim.isRunning(p)) return undefined;
    this.sim.crashNode(p);
    this.script.push(`${this.sim.now.toFixed(1)} crash ${p}`);
    return p;
  }

  /** Replicas restarted at least once. */
  readonly restarted = new Set<string>();

  /** Starts crashed replica `p` again, on a machine of the same name, from its disk, under the next incarnation. */
  restart(p: string): void {
    if (this.sim.isRunning(p)) return;
    if (this.options.amnesia === true) {
      const forgotten = new MemoryStorage<Command>();
      const old = this.disks.get(p) as MemoryStorage<Command>;
      // Only the incarnation is remembered: the restart itself is allowed, its state is gone.
      forgotten.saveIncarnation(old.incarnation);
      forgotten.sync();
      this.disks.set(p, forgotten);
    }
    const incarnation = this.options.fileDir === undefined ? nextIncarnation(this.disks.get(p) as MemoryStorage<Command>) : this.fileIncarnation(p);
    this.sim.restartNode(p, () => this.mgr.restart(p, this.store(p), { incarnation }));
    this.restarted.add(p);
    this.script.push(`${this.sim.now.toFixed(1)} restart ${p} as incarnation ${incarnation}`);
  }

  /** What a launcher does before starting a replica process: read the next incarnation from its file. */
  private fileIncarnation(p: string): number {
    const file = FileStorage.inDirectory<Command>(this.options.fileDir as string, p);
    try {
      return nextIncarnation(file);
    } finally {
      file.close();
    }
  }

  /**
   * At `at`, client `index` crashes (its machine, outbox and all); `downMs`
   * later it starts again under the next incarnation, as a new session
   * (the store's client table knows sessions by name) and a new process of
   * the history: its predecessor's operation in flight stays unanswered.
   */
  restartClient(at: number, index: number, downMs: number): void {
    this.scheduled++;
    this.sim.at(at, () => {
      const old = this.clients.find((c) => c.path === `/c${index}` && !c.crashed);
      if (old === undefined || !this.sim.isRunning(old.path)) {
        this.scheduled--; // down already: nothing to crash
        return;
      }
      this.sim.crashNode(old.path);
      old.crashed = true;
      this.script.push(`${this.sim.now.toFixed(1)} crash ${old.path}`);
      this.sim.after(downMs, () => {
        const life = this.clients.filter((c) => c.path === old.path).length;
        const next = new OnceClient(this, old.path, `${old.session}~${life}`, this.clients.length, old.total, this.sim.rng.fork(`${old.session}~${life}`));
        this.clients.push(next);
        this.sim.restartNode(old.path, () => this.mgr.restart(old.path, next));
        this.script.push(`${this.sim.now.toFixed(1)} restart ${old.path} as ${next.session}`);
        this.scheduled--;
      });
    });
  }

  /** At `at`, crashes `target`; `downMs` later, restarts it. */
  crashAndRestart(at: number, target: string | 'leader', downMs: number, fallback?: string): void {
    this.scheduled++;
    this.sim.at(at, () => {
      const p = this.crash(target, fallback);
      if (p === undefined) this.scheduled--;
      else
        this.sim.after(downMs, () => {
          this.restart(p);
          this.scheduled--;
        });
    });
  }

  /**
   * At `at`, crashes for good a replica other than those in `spare` (and
   * other than the leader if `notLeader`), so that what is left must make
   * progress together.
   */
  crashForGood(at: number, spare: () => readonly string[], pick: number): void {
    this.at(at, () => {
      const candidates = this.live().filter((p) => !spare().includes(p));
      const p = candidates[pick % Math.max(1, candidates.length)];
      if (p === undefined) return;
      this.crash(p);
      this.gone.add(p);
    });
  }

  /** Checks a scenario adds, run after {@link RestartWorld.atEnd}. */
  readonly endChecks: (() => void)[] = [];

  /** Adds a check to run at the end. */
  onEnd(check: () => void): void {
    this.endChecks.push(check);
  }

  /** Runs `step` at `at`; the run is not over before it has run. */
  at(at: number, step: () => void): void {
    this.scheduled++;
    this.sim.at(at, () => {
      step();
      this.scheduled--;
    });
  }

  /** Paths of replicas running now. */
  live(): string[] {
    return this.replicaPaths.filter((p) => this.sim.isRunning(p));
  }

  /**
   * The script has run, every client finished, every replica is running
   * and has applied everything any replica applied, and every outbox is
   * empty: a restarted replica's replayed outputs have been sent again and
   * acknowledged, so any second reply they could cause would have arrived.
   */
  finished(): boolean {
    if (this.scheduled !== 0 || !this.clients.every((c) => c.done || c.crashed)) return false;
    const caughtUp = (p: string) => this.sim.isRunning(p) && (this.stores.get(p) as KvStore).inputs.length === this.checker.length;
    const kept = this.replicaPaths.filter((p) => !this.gone.has(p));
    if (!kept.every(caughtUp)) return false;
    const paths = [...kept, ...this.clients.filter((c) => !c.crashed).map((c) => c.path)];
    return paths.every((p) => (this.mgr.refinement.rolesAt(p).outbox?.size ?? 0) === 0);
  }

  /** Safety, after every event. */
  always(): void {
    if (this.checker.violation !== undefined) this.fail(this.checker.violation);
    for (const c of this.clients) if (c.violation !== undefined) this.fail(c.violation);
    const smr = this.wrapper.replicationOf('/kv');
    for (const p of this.replicaPaths) {
      const r = smr?.replicaAt(p);
      if (r === undefined || !r.installed || !r.isLeader) continue;
      const known = this.leaders.get(r.term);
      if (known === undefined) this.leaders.set(r.term, p);
      else if (known !== p) this.fail(`two leaders in term ${r.term}: ${known} and ${p}`);
    }
    if (this.violation !== undefined) throw new Error(`${this.violation} [${this.script.join('; ')}]`);
  }

  /** At the end: every operation answered once, every replica caught up, each operation executed once by each replica's current store. */
  atEnd(): void {
    this.always();
    const all: string[] = [];
    for (const c of this.clients) {
      if (!c.done && !c.crashed) throw new Error(`client ${c.session} finished ${c.completed} of ${c.total} operations [${this.script.join('; ')}]`);
      // A crashed client's operation in flight may or may not have been ordered; those answered must be everywhere.
      for (const n of c.answered) all.push(`${c.session}:${n}`);
    }
    for (const p of this.replicaPaths) {
      if (this.gone.has(p)) continue;
      if (!this.sim.isRunning(p)) throw new Error(`${p} is not running at the end [${this.script.join('; ')}]`);
      const store = this.stores.get(p) as KvStore;
      const executed = new Set(store.executed);
      if (executed.size !== store.executed.length) throw new Error(`${p} executed an operation twice`);
      for (const op of all) if (!executed.has(op)) throw new Error(`${p} never executed ${op} [${this.script.join('; ')}]`);
    }
  }

  private fail(why: string): void {
    if (this.violation === undefined) this.violation = why;
  }
}

/**
 * A client that sends each operation once, as one message (the outbox
 * below it retransmits until the merged ACK comes back), one at a time,
 * and checks that each gets exactly one reply.
 */
export class OnceClient implements Behavior {
  ctx!: AgentContext;
  n = 0;
  completed = 0;
  done = false;
  /** Its machine crashed: a successor (a new session) may run at the same path. */
  crashed = false;
  /** Operations answered. */
  readonly answered: number[] = [];
  /** Replies to another session at this path (a predecessor's), ignored. */
  foreign = 0;
  violation: string | undefined;
  /** Replies received per operation number. */
  private readonly replies = new Map<number, number>();
  private current: KvRequest | undefined;
  private lastRead = new Map<string, string>();

  constructor(
    private readonly world: RestartWorld,
    readonly path: string,
    /** Its name in the store's client table. */
    readonly session: string,
    /** Its process in the history. */
    readonly index: number,
    readonly total: number,
    private readonly rng: Rng,
  ) {}

  onStart(ctx: AgentContext): void {
    this.ctx = ctx;
    ctx.setTimer(this.rng.int(0, 100), () => this.issue());
  }

  receive(msg: Envelope): void {
    const reply = msg.payload as KvReply;
    if (msg.src !== '/kv') this.flag(`reply from ${msg.src}, not from /kv`);
    if (reply.c !== this.session) {
      this.foreign++;
      return;
    }
    const seen = (this.replies.get(reply.n) ?? 0) + 1;
    this.replies.set(reply.n, seen);
    if (reply.n < 1 || reply.n > this.n) this.flag(`${this.session}: a reply to operation ${reply.n}, never sent`);
    if (seen > 1) this.flag(`${this.session}: ${seen} replies to operation ${reply.n} (message #${msg.id})`);
    const cur = this.current;
    if (cur === undefined || reply.n !== cur.n) return;
    this.current = undefined;
    if (cur.op.f === 'get' && typeof reply.value === 'string') this.lastRead.set(cur.op.key, reply.value);
    this.world.history.ok(this.index, reply.value === null ? undefined : reply.value, this.world.sim.now);
    this.completed++;
    this.answered.push(reply.n);
    if (this.n >= this.total) {
      this.done = true;
      return;
    }
    this.ctx.setTimer(this.rng.int(0, this.world.options.thinkMs ?? 60), () => this.issue());
  }

  private flag(why: string): void {
    if (this.violation === undefined) this.violation = why;
  }

  private issue(): void {
    this.n++;
    const op = this.nextOp();
    const req: KvRequest = { c: this.session, n: this.n, op };
    this.current = req;
    this.world.history.invoke(this.index, op.f, op, this.world.sim.now);
    this.ctx.send('/kv', req);
  }

  private nextOp(): KvOp {
    return randomKvOp(this.rng, `${this.session}.${this.n}`, this.lastRead);
  }
}
