import {
  type AgentContext,
  CompactIdSet,
  type DeterministicBehavior,
  type Envelope,
  RingQueue,
  type Runtime,
  type TimerHandle,
  createRuntime,
} from '@escher/core';
import { PrimaryBackup } from '@escher/protocol-primary-backup';

/**
 * DIL's interaction: "receiving a message, modifying the message in memory,
 * and sending a copy to the backup". Both variants run the same protocol on
 * the same topology: the client sends to the service `/svc`, which the bus
 * delivers to the primary `/svc/1` and the backup `/svc/2`; the backup holds
 * each request until the primary's copy of it arrives (and would take over on
 * a timeout, set far beyond the run here).
 */
export interface PrimaryBackupVariant {
  /** Runs `n` interactions and returns when all are done. */
  run(n: number): void;
  /** Interactions completed at the backup so far (a check that the work was done). */
  applied(): number;
}

const TIMEOUT_MS = 60_000;

/** The application of both replicas with DIL: it only modifies the message; the roles do the rest. */
class Modifier implements DeterministicBehavior {
  readonly deterministic = true;
  count = 0;
  last: Update | undefined;
  receive(msg: Envelope): void {
    this.last = modify(msg.payload as Update, ++this.count);
  }
}

interface Update {
  readonly op: string;
  readonly k: number;
  readonly seen?: number;
}

/** "Modifying the message in memory": a new, changed copy of it (payloads are immutable values). */
function modify(p: Update, seen: number): Update {
  return { op: p.op, k: p.k, seen };
}

/** Primary-backup as DIL roles. */
export function dilPrimaryBackup(): PrimaryBackupVariant {
  const rt = createRuntime({ id: 'dil-pb' });
  const primary = new Modifier();
  const backup = new Modifier();
  rt.spawn('/svc/1', primary);
  rt.spawn('/svc/2', backup);
  rt.spawn('/client', () => {});
  const pb = new PrimaryBackup(rt, { service: '/svc', timeoutMs: TIMEOUT_MS });
  pb.addReplica('/svc/1');
  pb.addReplica('/svc/2');
  pb.addClient('/client');
  return drive(rt, () => backup.count);
}

interface HandCopy {
  readonly copyOf: { readonly id: number; readonly src: string; readonly payload: unknown };
}

/** The primary, hand-coded: copy to the backup, then modify. */
class HandPrimary {
  count = 0;
  last: Update | undefined;
  receive(msg: Envelope, ctx: AgentContext): void {
    ctx.send('/svc/2', { copyOf: { id: msg.id, src: msg.src, payload: msg.payload } } satisfies HandCopy);
    this.last = modify(msg.payload as Update, ++this.count);
  }
}

/** The backup, hand-coded: hold direct requests, apply copies in the primary's order, watch for silence. */
class HandBackup {
  count = 0;
  last: Update | undefined;
  // Held requests by source then id (numeric keys), and their arrival order for the watchdog.
  private readonly pending = new Map<string, Map<number, { at: number; settled: boolean }>>();
  private readonly byAge = new RingQueue<{ at: number; settled: boolean }>();
  private readonly applied = new Map<string, CompactIdSet>();
  private watchdog: TimerHandle | undefined;

  receive(msg: Envelope, ctx: AgentContext): void {
    if (msg.src === '/svc/1') {
      const c = (msg.payload as HandCopy).copyOf;
      const byId = this.pending.get(c.src);
      const e = byId?.get(c.id);
      if (e !== undefined) {
        (byId as Map<number, { at: number; settled: boolean }>).delete(c.id);
        e.settled = true;
        while (this.byAge.peek()?.settled === true) this.byAge.shift();
      }
      if (!this.seen(c.src).add(c.id)) return;
      this.last = modify(c.payload as Update, ++this.count);
      return;
    }
    if (this.seen(msg.src).has(msg.id)) return;
    let byId = this.pending.get(msg.src);
    if (byId === undefined) {
      byId = new Map();
      this.pending.set(msg.src, byId);
    }
    const e = { at: ctx.now(), settled: false };
    byId.set(msg.id, e);
    this.byAge.push(e);
    if (this.watchdog === undefined) {
      this.watchdog = ctx.setTimer(TIMEOUT_MS, () => {
        this.watchdog = undefined; // a takeover would start here; never reached in the benchmark
      });
    }
  }

  private seen(src: string): CompactIdSet {
    let s = this.applied.get(src);
    if (s === undefined) {
      s = new CompactIdSet();
      this.applied.set(src, s);
    }
    return s;
  }
}

/** Primary-backup hand-coded inside the applications, on an empty stack. */
export function handPrimaryBackup(): PrimaryBackupVariant {
  const rt = createRuntime({ id: 'hand-pb' });
  const backup = new HandBackup();
  rt.spawn('/svc/1', new HandPrimary());
  rt.spawn('/svc/2', backup);
  rt.spawn('/client', () => {});
  return drive(rt, () => backup.count);
}

function drive(rt: Runtime, applied: () => number): PrimaryBackupVariant {
  let k = 0;
  return {
    run(n: number): void {
      // One interaction after another, as in DIL's measurement.
      for (let i = 0; i < n; i++) {
        rt.send('/client', '/svc', { op: 'update', k: ++k });
        rt.drain();
      }
    },
    applied,
  };
}
