/**
 * Typed errors of NATS discovery. One class per condition, told apart by
 * `name` and by a stable `code`. Errors caused by remote input or by the
 * NATS server are never thrown into callbacks: they are counted by code and
 * published on {@link NatsDiscovery.errors$}. Only local misuse (bad
 * options) is thrown, from the constructor.
 */
import { EscherError, type EscherErrorOptions } from '@escher/core';

/** Base class of every error of this package. */
export abstract class DiscoveryError extends EscherError {}

/** Options that cannot work together (no identities and no explicit insecure mode, a TTL shorter than two heartbeats, …). */
export class DiscoveryConfigError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_CONFIG';
  constructor(reason: string) {
    super(`NATS discovery options: ${reason}`);
  }
}

/** A record that is not what the wire format says: bad JSON, a missing or mistyped field, an invalid path, a subject that does not match it. */
export class MalformedAnnouncementError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_MALFORMED';
  constructor(reason: string, options?: EscherErrorOptions) {
    super(`malformed discovery record: ${reason}`, options);
  }
}

/** A record (or a snapshot) longer than the configured limit; refused before it is parsed. */
export class OversizedAnnouncementError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_OVERSIZED';
  constructor(readonly bytes: number, readonly limit: number) {
    super(`discovery record of ${bytes} bytes exceeds the limit of ${limit}`);
  }
}

/** A record without a certificate chain or signature, received in secure mode. */
export class UnsignedAnnouncementError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_UNSIGNED';
  constructor(readonly runtime: string, readonly subject: string) {
    super(`unsigned discovery record from runtime ${runtime} about ${subject}`);
  }
}

/** The record's certificate chain does not verify against the trust store, or its epoch was retired. `cause` is the PKI's error. */
export class UntrustedAnnouncementError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_UNTRUSTED';
  constructor(readonly runtime: string, readonly subject: string, options?: EscherErrorOptions) {
    super(`discovery record from runtime ${runtime} about ${subject}: certificate chain refused (${describe(options?.cause)})`, options);
  }
}

/** A record for a path that the announcer's verified, current certificate does not cover (the path is neither the certified agent nor under it). */
export class UncertifiedPathError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_UNCERTIFIED_PATH';
  constructor(readonly runtime: string, readonly path: string, readonly certified: string) {
    super(`runtime ${runtime} announced ${path || '""'} but its certificate is for ${certified || '""'}, which does not cover it`);
  }
}

/** A record whose signature does not verify with the key its chain certifies. */
export class AnnouncementSignatureError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_BAD_SIGNATURE';
  constructor(readonly runtime: string, readonly subject: string) {
    super(`discovery record from runtime ${runtime} about ${subject}: bad signature`);
  }
}

/** The learned table is full: a new entry is refused (an announcer flooding the system with paths cannot grow memory without bound). */
export class DiscoveryTableFullError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_TABLE_FULL';
  constructor(readonly limit: number) {
    super(`discovery table holds its limit of ${limit} entries; new announcement refused`);
  }
}

/** This runtime asked to announce a path none of its identities covers: the path stays local (resolvable here) and is not published. */
export class NoIdentityForPathError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_NO_IDENTITY';
  constructor(readonly path: string) {
    super(`no identity of this runtime covers ${path || '""'}; its announcement stays local`);
  }
}

/** The NATS server could not be reached (at start, or on a later first-connect attempt); retried. */
export class NatsUnavailableError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_NATS_UNAVAILABLE';
  constructor(readonly servers: string, options?: EscherErrorOptions) {
    super(`NATS server ${servers} unavailable (${describe(options?.cause)}); retrying`, options);
  }
}

/** The connection to the NATS server was lost mid-run; the client reconnects, the table is kept. */
export class NatsDisconnectedError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_NATS_DISCONNECTED';
  constructor(readonly server: string) {
    super(`lost the connection to NATS server ${server}; reconnecting, keeping the known table`);
  }
}

/** The NATS client reported an error (a protocol or permission error, a slow consumer, a failed sync request). */
export class NatsClientError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_NATS_CLIENT';
  constructor(reason: string, options?: EscherErrorOptions) {
    super(`NATS client: ${reason}`, options);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}
