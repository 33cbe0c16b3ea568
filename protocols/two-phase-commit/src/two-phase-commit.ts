import { Path, Protocol, type ProtocolHost } from '@escher/core';
import { Initiator } from './initiator';
import type { BeginAction, EndAction } from './messages';
import { Server } from './server';

/** Parameters of a two-phase-commit instance. */
export interface TwoPhaseCommitParams {
  /** The agent that initiates transactions. */
  readonly initiator: Path;
  /**
   * Abort a transaction whose votes have not all arrived after this many
   * milliseconds. Without it, a silent server blocks the transaction forever
   * (the classic blocking of 2PC).
   */
  readonly voteTimeoutMs?: number;
  /**
   * Retransmit every this many milliseconds: the transaction's messages and
   * `prepare` to servers that have not voted, the decision to servers that
   * have not acknowledged it. Needed on a network that loses messages or
   * partitions; without it (the default, for reliable in-process delivery) a
   * lost message blocks the transaction.
   */
  readonly retryMs?: number;
}

/**
 * DIL's two-phase commit (Astley, Sturman, Agha, Fig. 4). Created with the
 * initiator, which assumes the initiator role; `addServer` makes another
 * agent assume the server role:
 *
 * ```ts
 * const tpc = new TwoPhaseCommit(runtime, { initiator: '/library' });
 * tpc.addServer('/client');
 * tpc.addServer('/bank');
 * ```
 *
 * The application brackets a transaction with `ctx.control(tpc.beginAction())`
 * and `ctx.control(tpc.endAction())`; every message it sends to a server in
 * between is delivered at every server, or at none.
 */
export class TwoPhaseCommit extends Protocol<TwoPhaseCommitParams> {
  readonly initiatorRole: Initiator;
  private readonly servers = new Map<Path, Server>();

  constructor(host: ProtocolHost, params: { initiator: Path | string; voteTimeoutMs?: number; retryMs?: number }, id?: string) {
    const initiator = Path.parse(params.initiator);
    super(host, 'two-phase-commit', { ...params, initiator }, id);
    this.initiatorRole = this.assume(initiator, new Initiator(this));
  }

  /** Operation: `path` assumes the server role. */
  addServer(path: Path | string): Server {
    const role = this.assume(path, new Server(this));
    this.servers.set(Path.parse(path), role);
    return role;
  }

  /** The server participant that receives messages sent to `dst`, if any. */
  serverFor(dst: Path): Path | undefined {
    for (let p: Path | undefined = dst; p !== undefined; p = Path.parent(p)) {
      if (this.servers.has(p)) return p;
    }
    return undefined;
  }

  /** `src` is the initiator or one of its children (a refined initiator). */
  isInitiator(src: Path): boolean {
    return Path.isAncestorOrSelf(this.params.initiator, src);
  }

  /** The `beginAction` event for this instance. */
  beginAction(): BeginAction {
    return { type: 'beginAction', instance: this.id };
  }

  /** The `endAction` event for this instance. */
  endAction(): EndAction {
    return { type: 'endAction', instance: this.id };
  }
}
