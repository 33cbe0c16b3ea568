import type { Envelope } from './envelope';
import { MetaobjectNotInstalledError, RoleRequirementError } from './errors';
import type { Continuation, EventContinuation, MetaContext, Metaobject } from './metaobject';
import type { Path } from './path';
import type { ProtocolEvent } from './protocol-event';

/** The ends of the stack: what happens below the bottom and above the top. */
export interface StackEnds {
  readonly path: Path;
  /** Above the top of `transmit`: hand to the bus. */
  toBus(msg: Envelope): void;
  /** Below the bottom of `deliver`: DIL's default deliver, queue in the inbox. */
  accept(msg: Envelope): void;
  /** Below the bottom of `dispatch`: run the application's handler. */
  runBase(msg: Envelope): void;
  /** Above the top of `control`: nobody handled the event. */
  unhandledControl(event: ProtocolEvent): unknown;
  /** Below the bottom of `notify`: the application's `onEvent`. */
  notifyBase(event: ProtocolEvent): unknown;
  /** Capabilities the application provides. */
  baseCapabilities(): ReadonlySet<string>;
  /** A context for one metaobject. */
  contextFor(layer: Layer): MetaContext;
  /** The stack changed (for tracing). */
  stackChanged(): void;
}

/** Where to put a metaobject: on top (the default, DIL's order of assumption), at the bottom, or at an index. */
export type StackPosition = 'top' | 'bottom' | number;

/**
 * One metaobject's place in a stack, with its continuations. Continuations
 * resolve neighbours by the current index when called, so they stay right
 * after the stack changes, even for a message held across the change.
 */
export class Layer {
  index = -1;
  /** Set when removed: where the layer was, so held continuations still reach the right neighbours. */
  removedAt = -1;
  readonly transmitNext: Continuation;
  readonly deliverNext: Continuation;
  readonly dispatchNext: Continuation;
  readonly controlNext: EventContinuation;
  readonly notifyNext: EventContinuation;
  /** Which hooks the metaobject customises; the others are skipped. */
  readonly tx: boolean;
  readonly dv: boolean;
  readonly dp: boolean;
  readonly ctl: boolean;
  readonly nt: boolean;

  constructor(readonly meta: Metaobject, stack: MetaStack) {
    this.tx = meta.intercepts('transmit');
    this.dv = meta.intercepts('deliver');
    this.dp = meta.intercepts('dispatch');
    this.ctl = meta.intercepts('control');
    this.nt = meta.intercepts('notify');
    this.transmitNext = (m) => stack.transmitAt(this.above(), m);
    this.deliverNext = (m) => stack.deliverAt(this.below(), m);
    this.dispatchNext = (m) => stack.dispatchAt(this.below(), m);
    this.controlNext = (e) => stack.controlAt(this.above(), e);
    this.notifyNext = (e) => stack.notifyAt(this.below(), e);
  }

  above(): number {
    return this.index >= 0 ? this.index + 1 : this.removedAt;
  }

  below(): number {
    return this.index >= 0 ? this.index - 1 : this.removedAt - 1;
  }
}

/**
 * An agent's metaobject stack (DIL). Index 0 is the bottom, next to the
 * application. Installing checks the requirements of every metaobject against
 * what the application and the metaobjects below it provide; an inconsistent
 * stack is refused with {@link RoleRequirementError} and left unchanged.
 */
export class MetaStack {
  private layers: Layer[] = [];
  /** Number of layers that customise each message hook (0 = the hook is a straight pass). */
  transmitters = 0;
  deliverers = 0;
  dispatchers = 0;

  constructor(private readonly ends: StackEnds) {}

  get size(): number {
    return this.layers.length;
  }

  /** Metaobjects bottom to top. */
  list(): Metaobject[] {
    return this.layers.map((l) => l.meta);
  }

  /** Installs `meta` on a live agent; if its `onInstall` throws, the stack is left unchanged and the error rethrown. @throws RoleRequirementError */
  install(meta: Metaobject, position: StackPosition = 'top'): void {
    if (meta.installed) throw new RoleRequirementError(this.ends.path, meta.label, [], 'it is already installed on a stack');
    const at = position === 'top' ? this.layers.length : position === 'bottom' ? 0 : position;
    if (!Number.isInteger(at) || at < 0 || at > this.layers.length) {
      throw new RoleRequirementError(this.ends.path, meta.label, [], `position ${String(position)} is outside the stack`);
    }
    const key = meta.key;
    if (key !== undefined && this.layers.some((l) => l.meta.key === key)) {
      throw new RoleRequirementError(this.ends.path, meta.label, [], `a metaobject with key ${key} is already installed`);
    }
    const proposed = this.layers.map((l) => l.meta);
    proposed.splice(at, 0, meta);
    this.check(proposed);
    const layer = new Layer(meta, this);
    this.layers.splice(at, 0, layer);
    this.reindex();
    try {
      meta.attach(this.ends.contextFor(layer));
    } catch (e) {
      // A role that refuses to start (bad state on disk, say) leaves the stack as it was.
      this.layers.splice(layer.index, 1);
      this.reindex();
      layer.index = -1;
      layer.removedAt = at;
      throw e;
    }
    this.ends.stackChanged();
  }

  /** Removes `meta` from a live agent. @throws MetaobjectNotInstalledError, RoleRequirementError */
  remove(meta: Metaobject): void {
    const at = this.layers.findIndex((l) => l.meta === meta);
    if (at < 0) throw new MetaobjectNotInstalledError(this.ends.path, meta.label);
    const proposed = this.layers.map((l) => l.meta);
    proposed.splice(at, 1);
    this.check(proposed);
    const [layer] = this.layers.splice(at, 1) as [Layer];
    this.reindex();
    layer.index = -1;
    layer.removedAt = at;
    meta.detach();
    this.ends.stackChanged();
  }

  /** Removes every metaobject, top first, without requirement checks (crash or stop). */
  clear(): void {
    while (this.layers.length > 0) {
      const layer = this.layers.pop() as Layer;
      layer.index = -1;
      layer.removedAt = this.layers.length;
      try {
        layer.meta.detach();
      } catch {
        // A crashing agent's metaobjects are going away regardless.
      }
    }
  }

  /** Entry point of `transmit` (from the application). */
  transmit(msg: Envelope): void {
    this.transmitAt(0, msg);
  }

  /** Entry point of `deliver` (from the bus). */
  deliver(msg: Envelope): void {
    this.deliverAt(this.layers.length - 1, msg);
  }

  /** Entry point of `dispatch` (from the scheduler). */
  dispatch(msg: Envelope): void {
    this.dispatchAt(this.layers.length - 1, msg);
  }

  /** Entry point of `control` (from the application). */
  control(event: ProtocolEvent): unknown {
    return this.controlAt(0, event);
  }

  transmitAt(i: number, msg: Envelope): void {
    const layers = this.layers;
    for (; i < layers.length; i++) {
      const l = layers[i] as Layer;
      if (l.tx) {
        l.meta.transmit(msg, l.transmitNext);
        return;
      }
    }
    this.ends.toBus(msg);
  }

  deliverAt(i: number, msg: Envelope): void {
    const layers = this.layers;
    for (i = Math.min(i, layers.length - 1); i >= 0; i--) {
      const l = layers[i] as Layer;
      if (l.dv) {
        l.meta.deliver(msg, l.deliverNext);
        return;
      }
    }
    this.ends.accept(msg);
  }

  dispatchAt(i: number, msg: Envelope): void {
    const layers = this.layers;
    for (i = Math.min(i, layers.length - 1); i >= 0; i--) {
      const l = layers[i] as Layer;
      if (l.dp) {
        l.meta.dispatch(msg, l.dispatchNext);
        return;
      }
    }
    this.ends.runBase(msg);
  }

  controlAt(i: number, event: ProtocolEvent): unknown {
    const layers = this.layers;
    for (; i < layers.length; i++) {
      const l = layers[i] as Layer;
      if (l.ctl) return l.meta.control(event, l.controlNext);
    }
    return this.ends.unhandledControl(event);
  }

  notifyAt(i: number, event: ProtocolEvent): unknown {
    const layers = this.layers;
    for (i = Math.min(i, layers.length - 1); i >= 0; i--) {
      const l = layers[i] as Layer;
      if (l.nt) return l.meta.notify(event, l.notifyNext);
    }
    return this.ends.notifyBase(event);
  }

  private reindex(): void {
    let tx = 0;
    let dv = 0;
    let dp = 0;
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i] as Layer;
      l.index = i;
      if (l.tx) tx++;
      if (l.dv) dv++;
      if (l.dp) dp++;
    }
    this.transmitters = tx;
    this.deliverers = dv;
    this.dispatchers = dp;
  }

  /** Every metaobject's requirements must be provided by the application or a metaobject below it. */
  private check(proposed: readonly Metaobject[]): void {
    const available = new Set(this.ends.baseCapabilities());
    for (const meta of proposed) {
      const missing = meta.requires.filter((r) => !available.has(r));
      if (missing.length > 0) throw new RoleRequirementError(this.ends.path, meta.label, missing);
      for (const p of meta.provides) available.add(p);
    }
  }
}
