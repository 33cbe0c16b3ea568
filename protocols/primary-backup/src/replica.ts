import {
  type Continuation,
  Envelope,
  MalformedMessageError,
  Path,
  ProtocolError,
  Role,
  type TimerHandle,
} from '@escher/core';
import type { CopyTag, RequestCopy, TookOver } from './messages';
import { PendingRequests } from './pending-requests';
import type { PrimaryBackup } from './primary-backup';

/**
 * Replica role, primary or backup. It overrides the raw hooks rather than
 * the participant-scoped ones: a replica must see every request addressed to
 * the service, whoever sends it, and a backup must silence every output of
 * its application, whoever it is for.
 *
 * Primary: at dispatch, before the application runs a request, send a copy
 * to every backup ranked after it. Backup: run copies in the primary's order
 * with outputs silenced (kept for a possible resend); hold requests that
 * arrive directly until their copy shows up; if the oldest held request
 * waits longer than `timeoutMs × rank`, take over.
 */
export class Replica extends Role<PrimaryBackup> {
  override readonly requires = ['deterministic'];
  private currentMode: 'primary' | 'backup';
  private seq = 0;
  private readonly pending = new PendingRequests();
  private watchdog: TimerHandle | undefined;
  private recent: Envelope[][] = [];
  /** While a backup runs a copy: true, and the outputs said so far (created on the first one). */
  private applying = false;
  private outputs: Envelope[] | undefined;
  /** Outputs silenced while a backup. */
  suppressed = 0;

  constructor(protocol: PrimaryBackup, readonly rank: number) {
    super(protocol);
    this.currentMode = rank === 0 ? 'primary' : 'backup';
  }

  get mode(): 'primary' | 'backup' {
    return this.currentMode;
  }

  /** Requests held while waiting for the primary's copy. */
  get held(): number {
    return this.pending.size;
  }

  override deliver(msg: Envelope, next: Continuation): void {
    const tag = msg.tag<CopyTag>(this.slot);
    if (tag !== undefined) {
      this.onCopy(msg, tag, next);
      return;
    }
    if (this.currentMode === 'primary' || !this.isRequest(msg)) {
      next(msg);
      return;
    }
    if (this.ctx.hasAccepted(msg)) return; // already run from the primary's copy
    this.pending.add(msg, this.ctx.now());
    this.arm();
  }

  override dispatch(msg: Envelope, next: Continuation): void {
    if (this.currentMode === 'backup') {
      // Keep what the application says while running this copy, in case we must say it again.
      this.applying = true;
      try {
        next(msg);
      } finally {
        this.applying = false;
      }
      const outputs = this.outputs;
      if (outputs !== undefined) {
        this.outputs = undefined;
        this.recent.push(outputs);
        if (this.recent.length > this.protocol.params.resendWindow) this.recent.shift();
      }
      return;
    }
    if (this.isRequest(msg)) {
      const roleTags = msg.roleTags;
      const copy: RequestCopy =
        roleTags === undefined
          ? { id: msg.id, src: msg.src, dst: msg.dst, payload: msg.payload }
          : { id: msg.id, src: msg.src, dst: msg.dst, payload: msg.payload, roleTags };
      const tag: CopyTag = { k: 'copy', seq: ++this.seq };
      const replicas = this.protocol.replicas();
      for (let i = this.rank + 1; i < replicas.length; i++) this.sendTagged(replicas[i] as Path, copy, tag);
    }
    next(msg);
  }

  override transmit(msg: Envelope, next: Continuation): void {
    if (this.currentMode === 'primary') {
      next(msg);
      return;
    }
    this.suppressed++;
    if (this.applying) {
      if (this.outputs === undefined) this.outputs = [msg];
      else this.outputs.push(msg);
    }
  }

  protected override onRemove(): void {
    if (this.watchdog !== undefined) this.ctx.clearTimer(this.watchdog);
    this.watchdog = undefined;
    // Held requests are handed to the application rather than lost.
    for (const m of this.pending.takeAll()) if (!this.ctx.hasAccepted(m)) this.ctx.deliver(m);
  }

  /** A request for the service (not addressed to this replica itself, not from another replica). */
  private isRequest(msg: Envelope): boolean {
    return msg.dst !== this.ctx.self && !this.protocol.isReplica(msg.src);
  }

  private onCopy(msg: Envelope, tag: CopyTag, next: Continuation): void {
    if (!this.protocol.isReplica(msg.src) || tag.k !== 'copy') {
      this.ctx.drop(msg, new ProtocolError(this.protocol.id, `copy from ${msg.src}, which is not a replica`));
      return;
    }
    if (!this.ctx.consume(msg)) return; // a duplicate copy
    if (this.currentMode === 'primary') {
      this.ctx.drop(msg, new ProtocolError(this.protocol.id, `${this.ctx.self} is primary but received a copy from ${msg.src}`));
      return;
    }
    let request: Envelope;
    try {
      request = fromCopy(msg.payload);
    } catch (e) {
      this.ctx.drop(msg, e as MalformedMessageError);
      return;
    }
    this.pending.settle(request.src, request.dst, request.id);
    if (this.ctx.hasAccepted(request)) return;
    next(request);
  }

  private limitMs(): number {
    return this.protocol.params.timeoutMs * Math.max(1, this.rank);
  }

  private arm(): void {
    if (this.watchdog !== undefined || this.pending.size === 0) return;
    this.watchdog = this.ctx.setTimer(this.limitMs(), this.check);
  }

  private readonly check = (): void => {
    this.watchdog = undefined;
    if (this.currentMode !== 'backup') return;
    const oldestAt = this.pending.oldestAt();
    if (oldestAt === undefined) return;
    const left = this.limitMs() - (this.ctx.now() - oldestAt);
    // Within a microsecond counts as expired: re-arming for a rounding residue would fire at the same instant forever.
    if (left <= 1e-3) this.takeOver();
    else this.watchdog = this.ctx.setTimer(left, this.check);
  };

  private takeOver(): void {
    this.currentMode = 'primary';
    const held = this.pending.takeAll();
    const event: TookOver = { type: 'tookOver', instance: this.protocol.id, pending: held.length };
    this.ctx.notify(event);
    // The old primary may have died between copying a request and answering it: say the recent answers again.
    for (const outputs of this.recent) for (const m of outputs) this.ctx.transmit(m);
    this.recent = [];
    for (const m of held) if (!this.ctx.hasAccepted(m)) this.ctx.deliver(m);
  }
}

/** Rebuilds a request from a copy; the copy came over the bus, so check it. */
function fromCopy(value: unknown): Envelope {
  const c = value as Partial<RequestCopy> | null;
  if (typeof c !== 'object' || c === null || !Number.isSafeInteger(c.id) || (c.id as number) < 1) {
    throw new MalformedMessageError('primary-backup copy without a valid request id');
  }
  let src: Path;
  let dst: Path;
  try {
    src = Path.parse(c.src);
    dst = Path.parse(c.dst);
  } catch (cause) {
    throw new MalformedMessageError('primary-backup copy with a bad path', { cause });
  }
  return new Envelope(c.id as number, src, dst, c.payload, c.roleTags === undefined ? undefined : { ...c.roleTags });
}
