/**
 * Typed errors of the kernel. One class per condition, told apart by `name`
 * and by a stable `code` (codes cross the wire; names are for humans).
 */

/** Options accepted by every Escher error. */
export interface EscherErrorOptions {
  cause?: unknown;
}

/** Base class of every error Escher raises or publishes. */
export abstract class EscherError extends Error {
  /** Stable, wire-safe identifier of the condition. */
  abstract readonly code: string;
  constructor(message: string, options?: EscherErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A string that is not a valid agent path. */
export class InvalidPathError extends EscherError {
  readonly code = 'ESCHER_INVALID_PATH';
  constructor(readonly input: unknown, reason: string) {
    super(`invalid path ${JSON.stringify(input)}: ${reason}`);
  }
}

/** A send that breaks the sibling rule of Escher §2.2. */
export class SiblingRuleError extends EscherError {
  readonly code = 'ESCHER_SIBLING_RULE';
  constructor(readonly src: string, readonly dst: string) {
    super(`${src || '""'} may not send to ${dst || '""'}: only siblings and siblings of ancestors are reachable`);
  }
}

/** A message whose source is not the agent that transmitted it. */
export class ForgedSourceError extends EscherError {
  readonly code = 'ESCHER_FORGED_SOURCE';
  constructor(readonly claimed: string, readonly actual: string) {
    super(`message claims source ${claimed || '""'} but was transmitted by ${actual || '""'}`);
  }
}

/** No agent, local or remote, receives messages for this destination. */
export class UnknownAgentError extends EscherError {
  readonly code = 'ESCHER_UNKNOWN_AGENT';
  constructor(readonly dst: string) {
    super(`no agent receives messages for ${dst || '""'}`);
  }
}

/** The destination agent has crashed or been stopped. */
export class AgentUnavailableError extends EscherError {
  readonly code = 'ESCHER_AGENT_UNAVAILABLE';
  constructor(readonly path: string, readonly status: string) {
    super(`agent ${path} is ${status}`);
  }
}

/** An agent already exists at this path in this runtime. */
export class AgentExistsError extends EscherError {
  readonly code = 'ESCHER_AGENT_EXISTS';
  constructor(readonly path: string) {
    super(`an agent already exists at ${path}`);
  }
}

/** A minimum depth outside 1..depth(path). */
export class InvalidMinDepthError extends EscherError {
  readonly code = 'ESCHER_INVALID_MIN_DEPTH';
  constructor(readonly path: string, readonly minDepth: unknown) {
    super(`minimum depth ${String(minDepth)} is not within 1..depth(${path})`);
  }
}

/** A message with an id already accepted from the same (src, dst). */
export class DuplicateMessageError extends EscherError {
  readonly code = 'ESCHER_DUPLICATE_MESSAGE';
  constructor(readonly src: string, readonly dst: string, readonly id: number) {
    super(`duplicate message id ${id} from ${src} to ${dst}`);
  }
}

/**
 * A message from an older incarnation of its source than one this agent has
 * already accepted a message from on the same channel: the source restarted,
 * and what its previous incarnation sent must not run after what the new one
 * sent (its ids may collide with the new numbering).
 */
export class StaleIncarnationError extends EscherError {
  readonly code = 'ESCHER_STALE_INCARNATION';
  constructor(
    readonly src: string,
    readonly dst: string,
    readonly incarnation: number,
    readonly current: number,
  ) {
    super(`message from incarnation ${incarnation} of ${src || '""'} to ${dst || '""'}: incarnation ${current} has been heard from since`);
  }
}

/** An incarnation that is not a non-negative safe integer, or not above the one it replaces. */
export class InvalidIncarnationError extends EscherError {
  readonly code = 'ESCHER_INVALID_INCARNATION';
  constructor(readonly path: string, readonly incarnation: unknown, reason: string) {
    super(`incarnation ${String(incarnation)} of ${path}: ${reason}`);
  }
}

/** A message whose fields are not well formed (bad id, bad paths, bad tags). */
export class MalformedMessageError extends EscherError {
  readonly code = 'ESCHER_MALFORMED_MESSAGE';
  constructor(reason: string, options?: EscherErrorOptions) {
    super(`malformed message: ${reason}`, options);
  }
}

/** A frame that the codec could not decode. */
export class MalformedFrameError extends EscherError {
  readonly code = 'ESCHER_MALFORMED_FRAME';
  constructor(reason: string, options?: EscherErrorOptions) {
    super(`malformed frame: ${reason}`, options);
  }
}

/** The application's handler threw; caught at the agent boundary. */
export class HandlerError extends EscherError {
  readonly code = 'ESCHER_HANDLER_FAILED';
  constructor(readonly path: string, options?: EscherErrorOptions) {
    super(`handler of ${path} threw: ${describe(options?.cause)}`, options);
  }
}

/** A metaobject hook threw; caught at the agent boundary. */
export class MetaobjectError extends EscherError {
  readonly code = 'ESCHER_METAOBJECT_FAILED';
  constructor(readonly path: string, readonly metaobject: string, options?: EscherErrorOptions) {
    super(`metaobject ${metaobject} on ${path} threw: ${describe(options?.cause)}`, options);
  }
}

/** Installing a metaobject would leave the stack inconsistent. */
export class RoleRequirementError extends EscherError {
  readonly code = 'ESCHER_ROLE_REQUIREMENT';
  constructor(readonly path: string, readonly metaobject: string, readonly missing: readonly string[], detail?: string) {
    super(
      `cannot install ${metaobject} on ${path}: ${detail ?? `requires ${missing.join(', ')}, which nothing below it provides`}`,
    );
  }
}

/** The metaobject is not on this agent's stack. */
export class MetaobjectNotInstalledError extends EscherError {
  readonly code = 'ESCHER_METAOBJECT_NOT_INSTALLED';
  constructor(readonly path: string, readonly metaobject: string) {
    super(`metaobject ${metaobject} is not installed on ${path}`);
  }
}

/** A control event reached the top of the stack without any role handling it. */
export class UnhandledEventError extends EscherError {
  readonly code = 'ESCHER_UNHANDLED_EVENT';
  constructor(readonly path: string, readonly eventType: string) {
    super(`no metaobject on ${path} handles event ${eventType}`);
  }
}

/** reifyState/reflectState on a behaviour that does not implement them. */
export class StateNotReifiableError extends EscherError {
  readonly code = 'ESCHER_STATE_NOT_REIFIABLE';
  constructor(readonly path: string) {
    super(`agent ${path} does not implement reifyState/reflectState`);
  }
}

/** A protocol operation used wrongly (unknown participant, role assumed twice, ...). */
export class ProtocolError extends EscherError {
  readonly code = 'ESCHER_PROTOCOL';
  constructor(readonly protocol: string, reason: string, options?: EscherErrorOptions) {
    super(`${protocol}: ${reason}`, options);
  }
}

/** The runtime was closed. */
export class RuntimeClosedError extends EscherError {
  readonly code = 'ESCHER_RUNTIME_CLOSED';
  constructor(readonly runtime: string) {
    super(`runtime ${runtime} is closed`);
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/** A message still carrying μ-list tags when it reached an inbox: only merged, untagged messages enter an inbox (Escher §3.3). */
export class UnmergedFragmentError extends EscherError {
  readonly code = 'ESCHER_UNMERGED_FRAGMENT';
  constructor(readonly src: string, readonly dst: string) {
    super(`tagged message ${src || '""'} -> ${dst || '""'} cannot enter an inbox before it is merged`);
  }
}
