import { type Continuation, type Envelope, Path, Role } from '@escher/core';
import type { PrimaryBackup } from './primary-backup';

/**
 * Client role: replies from any replica are presented as replies from the
 * service, and a reply already received (from the old primary, say, before
 * the new one answered again) is dropped quietly. The application never
 * learns which replica answered. Escher's identity merge for crash-tolerant
 * replication (μ_s = identity, §2.2) does the same at a refined receiver.
 */
export class Client extends Role<PrimaryBackup> {
  /** Repeated replies dropped. */
  duplicates = 0;

  protected override onDeliver(msg: Envelope, next: Continuation): void {
    const service = this.protocol.params.service;
    if (Path.isAncestorOf(service, msg.src)) {
      msg.src = service;
      if (this.ctx.hasAccepted(msg)) {
        this.duplicates++;
        return;
      }
    }
    next(msg);
  }
}
