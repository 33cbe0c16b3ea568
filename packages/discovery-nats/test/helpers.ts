import { Path, type RuntimeId } from '@escher/core';
import type { Observable } from 'rxjs';
import { type DiscoveryHarness, DISCOVERY_CONTRACT_ROOTS } from '@escher/conformance';
import { Identity, NO_MERGE_SPEC, SigningKey, TrustStore, certifyChildren, createRoot, initPki } from '@escher/pki';
import { NatsDiscovery, type NatsDiscoveryOptions, NatsServer } from '../src';

/**
 * Starts one nats-server for the specs of the calling `describe` and stops it
 * after them. Fails the suite, with the installation hint, if nats-server is
 * missing (CI installs it; nothing is skipped).
 */
export function useNatsServer(): () => NatsServer {
  let server: NatsServer | undefined;
  before(async function () {
    this.timeout(30_000);
    await initPki();
    server = await NatsServer.start();
  });
  after(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error('nats-server was not started');
    return server;
  };
}

/**
 * Timings small enough for tests: heartbeat 100 ms, TTL 800 ms (eight
 * heartbeats, so a busy CI machine's pauses do not expire live entries),
 * quick reconnects and syncs.
 */
export const FAST = { heartbeatMs: 100, ttlMs: 800, reconnectWaitMs: 50, syncTimeoutMs: 1000, syncStallMs: 80 } as const;

/** A system agent and its trust, certifying paths for runtimes. */
export class TestPki {
  readonly root = createRoot();

  /** A fresh trust store for one runtime (each runtime keeps its own epoch floors). */
  trust(): TrustStore {
    return new TrustStore({ roots: [this.root.chain.leaf] });
  }

  /** An identity for `path`, certified level by level from the root (epoch of every level: `epoch`). */
  identity(path: string, epoch = 1): Identity {
    let id = this.root;
    for (const seg of path.split('/').slice(1)) id = this.child(id, seg, epoch);
    return id;
  }

  /** An identity for the child `name` of `parent`. */
  child(parent: Identity, name: string, epoch = 1): Identity {
    const key = SigningKey.generate();
    const [cert] = certifyChildren(
      { path: parent.path, key: parent.key },
      { children: [{ path: Path.child(parent.path, name), publicKey: key.publicKey }], parentMergeSpecHash: NO_MERGE_SPEC, epoch },
    );
    return new Identity(key, parent.chain.extend(cert!));
  }
}

let systems = 0;

/** A system name no other test uses, so tests never see each other's records. */
export function freshSystem(label = 'test'): string {
  systems++;
  return `${label}-${process.pid}-${systems}`;
}

/** Discoveries of one system on one server, each runtime secure with its own identities and trust store. */
export class NatsTestSystem {
  readonly system: string;
  readonly pki = new TestPki();
  readonly all: NatsDiscovery[] = [];

  constructor(
    private readonly url: () => string,
    private readonly defaults: Partial<NatsDiscoveryOptions> = FAST,
  ) {
    this.system = freshSystem();
  }

  /** A started discovery holding identities for `paths` (or these identities; default: the contract's roots). */
  async discovery(paths: readonly (string | Identity)[] = DISCOVERY_CONTRACT_ROOTS, options: Partial<NatsDiscoveryOptions> = {}): Promise<NatsDiscovery> {
    const d = this.create(paths, options);
    await d.start();
    return d;
  }

  /** A discovery, not started. */
  create(paths: readonly (string | Identity)[] = DISCOVERY_CONTRACT_ROOTS, options: Partial<NatsDiscoveryOptions> = {}): NatsDiscovery {
    const insecure = (options.insecure ?? this.defaults.insecure) === true;
    const d = new NatsDiscovery({
      servers: this.url(),
      system: this.system,
      ...(insecure ? {} : { identities: paths.map((p) => (typeof p === 'string' ? this.pki.identity(p) : p)), trust: this.pki.trust() }),
      ...this.defaults,
      ...options,
    });
    this.all.push(d);
    return d;
  }

  /** Every discovery's publications have reached the server, then every discovery has heard the server after them. */
  async settle(): Promise<void> {
    for (const d of this.all) await d.flush();
    for (const d of this.all) await d.flush();
  }

  async close(): Promise<void> {
    for (const d of this.all) await d.close();
  }
}

/** A {@link DiscoveryHarness} over {@link NatsTestSystem}. */
export function natsHarness(url: () => string, options: Partial<NatsDiscoveryOptions> = {}): DiscoveryHarness {
  const sys = new NatsTestSystem(url, { ...FAST, ...options });
  const byId = new Map<RuntimeId, NatsDiscovery>();
  return {
    async discovery(id) {
      let d = byId.get(id);
      if (d === undefined) {
        d = await sys.discovery();
        byId.set(id, d);
      }
      return d;
    },
    settle: () => sys.settle(),
    close: () => sys.close(),
  };
}

/**
 * Polls `cond` every 20 ms until it holds; fails with `what` after
 * `timeoutMs`. For conditions that wait on real time (TTL expiry, a server
 * coming back), never as a performance assertion.
 */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const rounds = Math.ceil(timeoutMs / 20);
  for (let i = 0; i < rounds; i++) {
    if (cond()) return;
    await delay(20);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}

/** Waits `ms` of real time. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Everything an observable emits from now on, until `stop()`. */
export function collect<T>(o: Observable<T>): { items: T[]; stop(): void } {
  const items: T[] = [];
  const sub = o.subscribe((x) => items.push(x));
  return { items, stop: () => sub.unsubscribe() };
}

/** Sorted copy. */
export function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}
