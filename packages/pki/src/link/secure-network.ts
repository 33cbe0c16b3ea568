import {
  type Clock,
  type Network,
  type NetworkEndpoint,
  Path,
  type RuntimeId,
  SystemClock,
  type TimerHandle,
} from '@escher/core';
import { bytesEqual } from '../bytes';
import { RejectionCounters } from '../counters';
import {
  AlreadyAttachedError,
  HandshakeError,
  HandshakeRateLimitedError,
  HandshakeTimeoutError,
  MalformedEncodingError,
  PkiError,
  QueueFullError,
  TruncatedEncodingError,
  UnknownSessionError,
  UnsupportedVersionError,
} from '../errors';
import type { Identity } from '../identity';
import { sodium } from '../sodium';
import type { TrustStore, VerifiedChain } from '../trust-store';
import { Handshake, type LocalSide } from './handshake';
import { Session } from './session';
import {
  DATA_HEADER_BYTES,
  KIND_DATA,
  KIND_HELLO,
  KIND_PROOF,
  LINK_VERSION,
  type Protection,
  SESSION_TAG_BYTES,
  decodeHello,
  decodeProof,
} from './wire';

/** Settings of a {@link SecureNetwork}. */
export interface SecureNetworkOptions {
  /** What this runtime proves in every handshake: at least one certified identity. */
  readonly identities: readonly Identity[];
  /** Roots and epoch floors the peers' chains are verified against. */
  readonly trust: TrustStore;
  /**
   * Protection this side asks for (default `aead`). A session uses the
   * stronger of the two sides' choices, so `mac` is used only when both ask
   * for it (runtimes on one host); the choice is in the signed transcript,
   * so nobody in between can lower it.
   */
  readonly protection?: Protection;
  /** Frames held per peer while its handshake runs (default 1024); more are dropped and counted. */
  readonly maxQueuedFrames?: number;
  /** Frames from a peer held while its PROOF is still to come (default 64). */
  readonly maxEarlyFrames?: number;
  /** Replay window, in frames (default 1024). */
  readonly replayWindow?: number;
  /** Time for handshake retries (default: real time). The simulator passes its virtual clock. */
  readonly clock?: Clock;
  /** Delay before a HELLO is sent again (default 250 ms). */
  readonly handshakeRetryMs?: number;
  /** HELLOs sent before a handshake is given up (default 8). */
  readonly handshakeAttempts?: number;
  /** Source of the ephemeral key seeds (default: the OS's). A deterministic simulation passes its seeded generator. */
  readonly randomBytes?: (n: number) => Uint8Array;
  /**
   * New handshakes a peer may start per second (default 4, with bursts of
   * twice that). Verifying a HELLO costs one Ed25519 verification per
   * certificate, so HELLOs beyond the budget are dropped unverified.
   */
  readonly handshakesPerSecond?: number;
  /** Called with every rejection, after it is counted. */
  readonly onRejected?: (error: PkiError, peer: RuntimeId) => void;
}

/** Counts of what a {@link SecureNetwork} did. */
export interface SecureNetworkStats {
  handshakesStarted: number;
  handshakesCompleted: number;
  framesSealed: number;
  framesOpened: number;
  /** Frames dropped unsent (queue full, handshake given up). */
  framesDropped: number;
}

/** Everything known about one peer runtime. */
interface PeerLink {
  readonly peer: RuntimeId;
  current: Session | undefined;
  /** The session before `current`, kept so frames the peer sealed before switching still open. */
  previous: Session | undefined;
  pending: Handshake | undefined;
  retry: TimerHandle | undefined;
  /** Frames to send once a session exists. */
  queue: Uint8Array[];
  /** Frames received for the pending session before its PROOF. */
  early: Uint8Array[];
}

const CLAIM_CACHE_MAX = 4096;
/** Peers a runtime starts handshakes with on its own initiative after losing their sessions (bounds state made for unknown senders). */
const MAX_LINKS = 4096;
/** Peers whose handshake budget is tracked at once; beyond, the oldest are forgotten (they start with a full budget). */
const BUDGETS_MAX = 4096;

/** A token bucket of handshakes for one peer. */
interface Budget {
  tokens: number;
  at: number;
}

/** Called when a session with `peer` is installed, with the identities the peer proved. */
export type AuthenticatedListener = (peer: RuntimeId, identities: readonly VerifiedChain[]) => void;

/**
 * A {@link Network} that authenticates every link and protects every frame,
 * by decorating another Network (in-process, simulated or sockets). Create
 * one per runtime, over the shared inner network:
 *
 * ```ts
 * const net = new SecureNetwork(memory, { identities, trust });
 * const rt = createRuntime({ id: 'r1', network: net, discovery });
 * ```
 *
 * On first contact with a peer it runs a handshake over the inner network
 * (see `handshake.ts`); frames sent meanwhile wait in a bounded queue. Then
 * every frame is sealed with the session's keys (`session.ts`). Everything
 * refused (bad chains, bad proofs, tampered, replayed, truncated or
 * misdirected frames) is dropped, counted in {@link rejections} by code and
 * reported to `onRejected`; nothing is thrown into the inner network.
 */
export class SecureNetwork implements Network {
  private self: RuntimeId | undefined;
  private endpoint: NetworkEndpoint | undefined;
  private receive: ((from: RuntimeId, bytes: Uint8Array) => void) | undefined;
  private closed = false;
  private readonly links = new Map<RuntimeId, PeerLink>();
  private identities: Identity[];
  private chains: Uint8Array[];
  private readonly protection: Protection;
  private readonly maxQueued: number;
  private readonly maxEarly: number;
  private readonly windowSize: number;
  private readonly clock: Clock;
  private readonly retryMs: number;
  private readonly attempts: number;
  private readonly perSecond: number;
  private readonly budgets = new Map<RuntimeId, Budget>();
  private readonly listeners = new Set<AuthenticatedListener>();
  /** Rejections by error code. */
  readonly rejections = new RejectionCounters();
  readonly stats: SecureNetworkStats = { handshakesStarted: 0, handshakesCompleted: 0, framesSealed: 0, framesOpened: 0, framesDropped: 0 };

  constructor(private readonly inner: Network, private readonly options: SecureNetworkOptions) {
    if (options.identities.length === 0) throw new RangeError('a SecureNetwork needs at least one identity');
    this.identities = [...options.identities];
    this.chains = this.identities.map((i) => i.chain.encode());
    this.protection = options.protection ?? 'aead';
    this.maxQueued = options.maxQueuedFrames ?? 1024;
    this.maxEarly = options.maxEarlyFrames ?? 64;
    this.windowSize = options.replayWindow ?? 1024;
    this.clock = options.clock ?? new SystemClock();
    this.retryMs = options.handshakeRetryMs ?? 250;
    this.attempts = options.handshakeAttempts ?? 8;
    this.perSecond = options.handshakesPerSecond ?? 4;
    if (!(this.perSecond > 0)) throw new RangeError(`handshakesPerSecond must be positive, got ${this.perSecond}`);
  }

  /**
   * Calls `listener` with every session installed from now on and the
   * chains the peer proved (each verified against the trust store). A
   * certificate-backed merge authority learns which merge-spec hashes each
   * parent certified this way. @returns a function that unsubscribes
   */
  onAuthenticated(listener: AuthenticatedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Attaches the one runtime this network serves. @throws AlreadyAttachedError, PkiNotReadyError */
  attach(runtime: RuntimeId, receive: (from: RuntimeId, bytes: Uint8Array) => void): NetworkEndpoint {
    if (this.self !== undefined) throw new AlreadyAttachedError(runtime, this.self);
    sodium();
    this.self = runtime;
    this.receive = receive;
    this.endpoint = this.inner.attach(runtime, (from, bytes) => this.onInner(from, bytes));
    return { send: (to, bytes) => this.send(to, bytes), close: () => this.close() };
  }

  /**
   * The peer authenticated, in its current session, a certificate for `src`
   * or for an ancestor of it, and that certificate's epochs are still
   * accepted. The runtime asks this for every message from `peer` and drops
   * those whose source the peer may not speak for.
   */
  mayClaim(peer: RuntimeId, src: Path | string): boolean {
    const s = this.links.get(peer)?.current;
    if (s === undefined) return false;
    const version = this.options.trust.version;
    if (s.claimCacheVersion !== version) {
      s.claimCache.clear();
      s.claimCacheVersion = version;
    }
    const known = s.claimCache.get(src);
    if (known !== undefined) return known;
    const ok = Path.isValid(src) && s.peerIdentities.some((id) => Path.isAncestorOrSelf(id.path, src) && this.options.trust.isCurrent(id));
    if (s.claimCache.size >= CLAIM_CACHE_MAX) s.claimCache.clear();
    s.claimCache.set(src, ok);
    return ok;
  }

  /** The identities `peer` proved in its current session (empty without one). */
  peerIdentities(peer: RuntimeId): readonly VerifiedChain[] {
    return this.links.get(peer)?.current?.peerIdentities ?? [];
  }

  /** A session with `peer` is established. */
  isEstablished(peer: RuntimeId): boolean {
    return this.links.get(peer)?.current !== undefined;
  }

  /** The protection of the current session with `peer`, if any. */
  protectionWith(peer: RuntimeId): Protection | undefined {
    return this.links.get(peer)?.current?.protection;
  }

  /** The identities this side presents. */
  get localIdentities(): readonly Identity[] {
    return this.identities;
  }

  /** Presents one more identity (an agent spawned here); established peers learn it through a new handshake. */
  addIdentity(identity: Identity): void {
    this.identities = [...this.identities.filter((i) => i.path !== identity.path), identity];
    this.identitiesChanged();
  }

  /** Stops presenting the identity of `path` (an agent that left); established peers re-handshake. */
  removeIdentity(path: Path | string): void {
    const rest = this.identities.filter((i) => i.path !== path);
    if (rest.length === this.identities.length) return;
    if (rest.length === 0) throw new RangeError('a SecureNetwork needs at least one identity');
    this.identities = rest;
    this.identitiesChanged();
  }

  /** Starts a new handshake with `peer` (fresh keys; re-checks its chains against the current epochs). */
  rekey(peer: RuntimeId): void {
    const link = this.linkOf(peer);
    if (link.pending === undefined) this.startHandshake(link);
  }

  // ---- sending ---------------------------------------------------------------

  private send(to: RuntimeId, bytes: Uint8Array): void {
    if (this.closed) return;
    if (to === this.self) {
      // Never leaves the process: nothing to protect.
      const receive = this.receive as (from: RuntimeId, bytes: Uint8Array) => void;
      const self = this.self;
      queueMicrotask(() => receive(self, bytes));
      return;
    }
    const link = this.linkOf(to);
    if (link.current !== undefined) {
      this.sendSealed(link, link.current, bytes);
      return;
    }
    if (link.queue.length >= this.maxQueued) {
      this.stats.framesDropped++;
      this.reject(new QueueFullError(to, this.maxQueued), to);
      return;
    }
    link.queue.push(bytes);
    if (link.pending === undefined) this.startHandshake(link);
  }

  private sendSealed(link: PeerLink, session: Session, bytes: Uint8Array): void {
    this.stats.framesSealed++;
    (this.endpoint as NetworkEndpoint).send(link.peer, session.seal(bytes));
  }

  // ---- receiving -------------------------------------------------------------

  private onInner(from: RuntimeId, bytes: Uint8Array): void {
    if (this.closed) return;
    let plain: Uint8Array | undefined;
    try {
      if (bytes.length < 2) throw new TruncatedEncodingError('frame', 2, bytes.length);
      if (bytes[0] !== LINK_VERSION) throw new UnsupportedVersionError('frame', bytes[0] as number);
      switch (bytes[1]) {
        case KIND_DATA:
          plain = this.openData(from, bytes);
          break;
        case KIND_HELLO:
          this.onHello(from, bytes);
          break;
        case KIND_PROOF:
          this.onProof(from, bytes);
          break;
        default:
          throw new MalformedEncodingError('frame', `unknown link message kind ${String(bytes[1])}`);
      }
    } catch (e) {
      this.reject(e, from);
      return;
    }
    if (plain !== undefined) (this.receive as (from: RuntimeId, bytes: Uint8Array) => void)(from, plain);
  }

  /** @returns the plaintext, or `undefined` if the frame was held for a session still completing */
  private openData(from: RuntimeId, bytes: Uint8Array): Uint8Array | undefined {
    if (bytes.length < DATA_HEADER_BYTES) throw new TruncatedEncodingError('frame', DATA_HEADER_BYTES, bytes.length);
    const link = this.links.get(from);
    let session: Session | undefined;
    if (link?.current?.owns(bytes)) session = link.current;
    else if (link?.previous?.owns(bytes)) session = link.previous;
    if (session === undefined) {
      const tag = link?.pending?.tag;
      if (link !== undefined && tag !== undefined && bytesEqual(tag, bytes.subarray(2, 2 + SESSION_TAG_BYTES))) {
        // The peer finished first and already sends; its PROOF is still on its way (reordering network).
        if (link.early.length >= this.maxEarly) throw new QueueFullError(from, this.maxEarly);
        link.early.push(bytes);
        return undefined;
      }
      // The peer seals with a session this side does not hold: this runtime restarted (or lost it).
      // Offer a new one; frames sealed under the old session are lost, the bus retransmits them.
      if (link?.pending === undefined && (link !== undefined || this.links.size < MAX_LINKS)) this.startHandshake(link ?? this.linkOf(from));
      throw new UnknownSessionError(from);
    }
    const plain = session.open(bytes);
    this.stats.framesOpened++;
    return plain;
  }

  private onHello(from: RuntimeId, bytes: Uint8Array): void {
    const hello = decodeHello(bytes);
    if (hello.from !== from || hello.to !== this.self) {
      throw new HandshakeError(from, `hello from ${hello.from} to ${hello.to} arrived from ${from} at ${String(this.self)}`);
    }
    const known = this.links.get(from);
    const endpoint = this.endpoint as NetworkEndpoint;
    if (known?.current !== undefined && bytesEqual(known.current.theirHello, bytes)) {
      // The peer sends its HELLO again: it has not seen our PROOF.
      endpoint.send(from, known.current.myProof);
      return;
    }
    const pending = known?.pending;
    if (pending?.theirHello !== undefined && bytesEqual(pending.theirHello, bytes)) {
      if (pending.myProof !== undefined) endpoint.send(from, pending.myProof);
      return;
    }
    if (!this.spendHandshake(from)) throw new HandshakeRateLimitedError(from, this.perSecond);
    // Verified before any state is kept for the peer: a refused HELLO leaves nothing behind.
    const verified = hello.chains.map((c) => this.options.trust.verifyChain(c));
    const link = known ?? this.linkOf(from);
    const created = pending === undefined;
    const hs = pending ?? this.newHandshake(link);
    const replacing = hs.theirHello !== undefined;
    hs.accept(bytes, hello, verified);
    // Our HELLO goes out unless the peer is answering the one we sent first.
    if (created || replacing) endpoint.send(from, hs.myHello);
    endpoint.send(from, hs.myProof as Uint8Array);
    if (created) this.armRetry(link, hs);
    const early = hs.earlyProof;
    if (early !== undefined) {
      hs.earlyProof = undefined;
      this.onProof(from, early);
    }
  }

  private onProof(from: RuntimeId, bytes: Uint8Array): void {
    const proof = decodeProof(bytes);
    const link = this.links.get(from);
    if (link?.current !== undefined && bytesEqual(proof.transcript, link.current.transcript)) return; // a retransmission
    const hs = link?.pending;
    if (link === undefined || hs === undefined) throw new HandshakeError(from, 'proof without a handshake in progress');
    if (hs.transcript === undefined) {
      hs.earlyProof = bytes;
      return;
    }
    if (!bytesEqual(proof.transcript, hs.transcript)) throw new HandshakeError(from, 'proof for another transcript');
    this.install(link, new Session(hs.complete(proof)));
  }

  // ---- handshakes --------------------------------------------------------------

  private local(): LocalSide {
    return {
      self: this.self as RuntimeId,
      identities: this.identities,
      chains: this.chains,
      protection: this.protection,
      randomBytes: this.options.randomBytes,
      windowSize: this.windowSize,
    };
  }

  private newHandshake(link: PeerLink): Handshake {
    const hs = new Handshake(this.local(), link.peer);
    link.pending = hs;
    this.stats.handshakesStarted++;
    return hs;
  }

  private startHandshake(link: PeerLink): void {
    const hs = this.newHandshake(link);
    (this.endpoint as NetworkEndpoint).send(link.peer, hs.myHello);
    this.armRetry(link, hs);
  }

  private armRetry(link: PeerLink, hs: Handshake): void {
    if (link.retry !== undefined) this.clock.clearTimer(link.retry);
    link.retry = this.clock.setTimer(this.retryMs, () => {
      link.retry = undefined;
      if (this.closed || link.pending !== hs) return;
      if (hs.attempts >= this.attempts) {
        link.pending = undefined;
        link.early = [];
        if (link.current === undefined) {
          this.stats.framesDropped += link.queue.length;
          link.queue = [];
        }
        this.reject(new HandshakeTimeoutError(link.peer, hs.attempts), link.peer);
        return;
      }
      hs.attempts++;
      const endpoint = this.endpoint as NetworkEndpoint;
      endpoint.send(link.peer, hs.myHello);
      if (hs.myProof !== undefined) endpoint.send(link.peer, hs.myProof);
      this.armRetry(link, hs);
    });
  }

  private install(link: PeerLink, session: Session): void {
    if (link.retry !== undefined) this.clock.clearTimer(link.retry);
    link.retry = undefined;
    link.pending = undefined;
    link.previous?.destroy();
    link.previous = link.current;
    link.current = session;
    this.stats.handshakesCompleted++;
    const queued = link.queue;
    link.queue = [];
    for (const f of queued) this.sendSealed(link, session, f);
    const early = link.early;
    link.early = [];
    for (const listener of this.listeners) listener(link.peer, session.peerIdentities);
    const receive = this.receive as (from: RuntimeId, bytes: Uint8Array) => void;
    for (const f of early) {
      let plain: Uint8Array;
      try {
        plain = session.open(f);
        this.stats.framesOpened++;
      } catch (e) {
        this.reject(e, link.peer);
        continue;
      }
      receive(link.peer, plain);
    }
  }

  private identitiesChanged(): void {
    this.chains = this.identities.map((i) => i.chain.encode());
    if (this.self === undefined) return;
    for (const link of this.links.values()) if (link.current !== undefined && link.pending === undefined) this.startHandshake(link);
  }

  // ---- helpers ---------------------------------------------------------------

  /** Takes one handshake from `peer`'s bucket; false if it is empty. */
  private spendHandshake(peer: RuntimeId): boolean {
    const now = this.clock.now();
    const burst = 2 * this.perSecond;
    let b = this.budgets.get(peer);
    if (b === undefined) {
      if (this.budgets.size >= BUDGETS_MAX) this.budgets.delete(this.budgets.keys().next().value as RuntimeId);
      b = { tokens: burst, at: now };
      this.budgets.set(peer, b);
    }
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private linkOf(peer: RuntimeId): PeerLink {
    let link = this.links.get(peer);
    if (link === undefined) {
      link = { peer, current: undefined, previous: undefined, pending: undefined, retry: undefined, queue: [], early: [] };
      this.links.set(peer, link);
    }
    return link;
  }

  private reject(e: unknown, peer: RuntimeId): void {
    const error = e instanceof PkiError ? e : new MalformedEncodingError('frame', e instanceof Error ? e.message : String(e), { cause: e });
    this.rejections.count(error);
    this.options.onRejected?.(error, peer);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const link of this.links.values()) {
      if (link.retry !== undefined) this.clock.clearTimer(link.retry);
      link.current?.destroy();
      link.previous?.destroy();
    }
    this.links.clear();
    this.endpoint?.close();
  }
}
