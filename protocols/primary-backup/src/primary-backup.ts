import { Path, Protocol, ProtocolError, type ProtocolHost } from '@escher/core';
import { Client } from './client';
import { Replica } from './replica';

/** Parameters of a primary-backup instance. */
export interface PrimaryBackupParams {
  /** The replicated (virtual) agent; replicas are its children. */
  readonly service: Path;
  /**
   * A backup that holds a request for this long without the primary's copy
   * of it decides the primary has stopped and takes over. Backups further
   * down the order wait proportionally longer, so only one takes over.
   */
  readonly timeoutMs: number;
  /**
   * How many recent requests' outputs a backup keeps, to send again when it
   * takes over in case the old primary died between copying and answering.
   * Clients drop the repeats by message id.
   */
  readonly resendWindow: number;
}

/**
 * Primary-backup replication (the protocol of DIL's benchmark). The primary
 * runs each request and, before its application answers, sends a copy to
 * every backup; backups run the copies with their outputs silenced, so their
 * state and message ids track the primary's. Because the bus delivers a
 * request for the service to every replica (Escher §2.2), a backup also sees
 * each request directly: one that the primary does not copy within
 * `timeoutMs` means the primary stopped, and the backup takes over. Clients
 * see one service: the client role presents every replica's reply as coming
 * from the service and drops repeats.
 *
 * ```ts
 * const pb = new PrimaryBackup(rt, { service: '/mms', timeoutMs: 100 });
 * pb.addReplica('/mms/primary');   // the first replica is the primary
 * pb.addReplica('/mms/backup');
 * pb.addClient('/client');
 * ```
 */
export class PrimaryBackup extends Protocol<PrimaryBackupParams> {
  private readonly replicaList: Path[] = [];
  private readonly replicaRoles = new Map<Path, Replica>();

  constructor(
    host: ProtocolHost,
    params: { service: Path | string; timeoutMs: number; resendWindow?: number },
    id?: string,
  ) {
    const service = Path.parse(params.service);
    if (!(params.timeoutMs > 0)) throw new ProtocolError('primary-backup', `timeoutMs must be positive, got ${params.timeoutMs}`);
    super(host, 'primary-backup', { service, timeoutMs: params.timeoutMs, resendWindow: params.resendWindow ?? 16 }, id);
  }

  /** Operation: `path`, a child of the service, becomes the next replica (the first is the primary). */
  addReplica(path: Path | string): Replica {
    const p = Path.parse(path);
    if (Path.parent(p) !== this.params.service) {
      throw new ProtocolError(this.id, `replica ${p} must be a child of the service ${this.params.service}`);
    }
    const role = this.assume(p, new Replica(this, this.replicaList.length));
    this.replicaList.push(p);
    this.replicaRoles.set(p, role);
    return role;
  }

  /** Operation: `path` talks to the service and should see it as one agent. */
  addClient(path: Path | string): Client {
    return this.assume(path, new Client(this));
  }

  /** Replicas in order; index 0 started as primary. */
  replicas(): readonly Path[] {
    return this.replicaList;
  }

  /** The replica role at `path`, if any. */
  replicaAt(path: Path): Replica | undefined {
    return this.replicaRoles.get(path);
  }

  /** `src` is one of the replicas. */
  isReplica(src: Path): boolean {
    return this.replicaRoles.has(src);
  }
}
