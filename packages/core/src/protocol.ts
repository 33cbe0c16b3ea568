import type { Envelope } from './envelope';
import { ProtocolError } from './errors';
import { type Continuation, type EventContinuation, type Hook, Metaobject } from './metaobject';
import { Path } from './path';
import type { ProtocolEvent } from './protocol-event';
import type { StackPosition } from './stack';

/** What a protocol needs to put roles on agents: implemented by the runtime (and later by remote management). */
export interface ProtocolHost {
  /** Installs `meta` on the stack of the agent at `path`. */
  install(path: Path, meta: Metaobject, position?: StackPosition): void;
  /** Removes `meta` from the stack of the agent at `path`. */
  remove(path: Path, meta: Metaobject): void;
}

let instanceCounter = 0;

/** The participant-scoped method behind each raw hook of a role. */
const SCOPED: Record<Hook, string | undefined> = {
  transmit: 'onTransmit',
  deliver: 'onDeliver',
  dispatch: 'onDispatch',
  control: 'onControl',
  notify: undefined,
};

/**
 * A DIL protocol instance: parameters fixed at instantiation, roles assumed by
 * participants through operations (such as `addServer`). Instances are
 * independent; their roles key their tags by {@link Protocol.id}. Give an
 * explicit id when peers in other processes must agree on it.
 */
export abstract class Protocol<Params extends object = object> {
  /** Unique id of this instance: the key of its roles' tag slots. */
  readonly id: string;
  /** Parameters, fixed for the life of the instance. */
  readonly params: Readonly<Params>;
  private readonly roles = new Map<Path, Role[]>();
  private readonly participantCache = new Map<Path, boolean>();
  private lastAsked: Path | undefined;
  private lastAnswer = false;
  /** Changes whenever the participants change; roles compare it to keep their own answers fresh. */
  participantsVersion = 0;

  protected constructor(
    protected readonly host: ProtocolHost,
    readonly name: string,
    params: Params,
    id?: string,
  ) {
    this.params = Object.freeze({ ...params });
    this.id = id ?? `${name}#${++instanceCounter}`;
  }

  /** Participants, in the order they assumed their roles. */
  participants(): Path[] {
    return [...this.roles.keys()];
  }

  /** The roles `path` has assumed in this instance. */
  rolesOf(path: Path | string): readonly Role[] {
    return this.roles.get(path as Path) ?? [];
  }

  /**
   * `path` takes part in this instance: it is a participant, or a descendant
   * of one (a participant refined into children still takes part).
   */
  isParticipant(path: Path): boolean {
    if (path === this.lastAsked) return this.lastAnswer;
    let known = this.participantCache.get(path);
    if (known === undefined) {
      known = false;
      for (let p: Path | undefined = path; p !== undefined; p = Path.parent(p)) {
        if (this.roles.has(p)) {
          known = true;
          break;
        }
      }
      this.participantCache.set(path, known);
    }
    this.lastAsked = path;
    this.lastAnswer = known;
    return known;
  }

  private forgetParticipants(): void {
    this.participantCache.clear();
    this.lastAsked = undefined;
    this.participantsVersion++;
  }

  /** Removes every role of this instance from its agents. */
  dispose(): void {
    for (const [path, roles] of this.roles) {
      for (const r of roles) if (r.installed) this.host.remove(path, r);
    }
    this.roles.clear();
    this.forgetParticipants();
  }

  /**
   * Operation helper: `path` assumes `role` (installed on top of its stack,
   * DIL's order of assumption). @throws RoleRequirementError, ProtocolError
   */
  protected assume<R extends Role>(path: Path | string, role: R, position?: StackPosition): R {
    if (role.protocol !== this) throw new ProtocolError(this.id, `role ${role.label} belongs to another instance`);
    const p = Path.parse(path);
    this.host.install(p, role, position);
    const list = this.roles.get(p);
    if (list === undefined) this.roles.set(p, [role]);
    else list.push(role);
    this.forgetParticipants();
    return role;
  }
}

/**
 * A role of a protocol instance: a metaobject that affects only messages
 * exchanged with other participants of its instance, and only events
 * addressed to its instance (or to no instance). Override the `on*` hooks;
 * each receives only what is in scope. A role that must see every message of
 * its agent (a replica silencing its application, say) overrides the raw
 * hooks of {@link Metaobject} instead and says why.
 */
export abstract class Role<P extends Protocol = Protocol> extends Metaobject {
  constructor(readonly protocol: P) {
    super();
  }

  /** This instance's tag slot on messages. */
  get slot(): string {
    return this.protocol.id;
  }

  override get key(): string {
    return `${this.protocol.id}/${this.constructor.name}`;
  }

  override get label(): string {
    return `${this.constructor.name}(${this.protocol.id})`;
  }

  /** A role intercepts a hook if its class overrides the scoped `on*` method or the raw hook. */
  override intercepts(hook: Hook): boolean {
    const scoped = SCOPED[hook];
    const proto = Role.prototype as unknown as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    return self[hook] !== proto[hook] || (scoped !== undefined && self[scoped] !== proto[scoped]);
  }

  // Each role remembers its last answer: an agent usually talks to the same
  // peer many times in a row, while the instance is shared by all its agents.
  private peer: Path | undefined;
  private peerIn = false;
  private peerVersion = -1;

  /** `path` takes part in this role's instance (memoised per role). */
  protected inScope(path: Path): boolean {
    const version = this.protocol.participantsVersion;
    if (path !== this.peer || version !== this.peerVersion) {
      this.peer = path;
      this.peerVersion = version;
      this.peerIn = this.protocol.isParticipant(path);
    }
    return this.peerIn;
  }

  override transmit(msg: Envelope, next: Continuation): void {
    if (this.inScope(msg.dst)) this.onTransmit(msg, next);
    else next(msg);
  }

  override deliver(msg: Envelope, next: Continuation): void {
    if (this.inScope(msg.src)) this.onDeliver(msg, next);
    else next(msg);
  }

  override dispatch(msg: Envelope, next: Continuation): void {
    if (this.inScope(msg.src)) this.onDispatch(msg, next);
    else next(msg);
  }

  override control(event: ProtocolEvent, next: EventContinuation): unknown {
    return event.instance === undefined || event.instance === this.protocol.id ? this.onControl(event, next) : next(event);
  }

  /** An outgoing message to a participant. */
  protected onTransmit(msg: Envelope, next: Continuation): void {
    next(msg);
  }
  /** An incoming message from a participant. */
  protected onDeliver(msg: Envelope, next: Continuation): void {
    next(msg);
  }
  /** A message from a participant about to run. */
  protected onDispatch(msg: Envelope, next: Continuation): void {
    next(msg);
  }
  /** An event from the application for this instance (or for no instance). */
  protected onControl(event: ProtocolEvent, next: EventContinuation): unknown {
    return next(event);
  }

  /** This role's tag on `msg`. */
  protected tagOf<T>(msg: Envelope): T | undefined {
    return msg.tag<T>(this.slot);
  }

  /** Sets this role's tag on `msg`. */
  protected tag(msg: Envelope, value: unknown): Envelope {
    return msg.setTag(this.slot, value);
  }

  /** A new message from this agent carrying this role's tag, sent from this layer up. */
  protected sendTagged(dst: Path, payload: unknown, tag: unknown): Envelope {
    const msg = this.ctx.message(dst, payload);
    msg.setTag(this.slot, tag);
    this.ctx.transmit(msg);
    return msg;
  }
}
