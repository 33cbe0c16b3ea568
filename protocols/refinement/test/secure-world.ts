import { type Network, Path, type RuntimeId } from '@escher/core';
import {
  CertificateChain,
  Identity,
  NO_MERGE_SPEC,
  SecureNetwork,
  SigningKey,
  TrustStore,
  type Protection,
  certifyChildren,
  mergeSpecHashFromHex,
  selfSignRoot,
} from '@escher/pki';
import { type FaultLayer, type Rng, SimClock, Simulator } from '@escher/sim';
import { CertifiedMergeAuthority, CompiledMergeSpec, Manager } from '../src';

/** Bytes from a seeded generator, so keys and session secrets replay with the seed. */
export function seededBytes(rng: Rng): (n: number) => Uint8Array {
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const w = rng.u32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (w >>> (8 * j)) & 0xff;
    }
    return out;
  };
}

/** Settings of a {@link SecureWorld}. */
export interface SecureWorldOptions {
  readonly protection?: Protection;
  /** Retransmission of the refinement outbox (ms). */
  readonly retransmitMs?: number;
}

/**
 * A simulated system in which every runtime talks through a SecureNetwork
 * and merges are checked against certificates: the system agent's key is
 * the root of trust, each parent certifies its children with the hash of
 * its merge spec, and a {@link CertifiedMergeAuthority} learns the chains
 * every handshake proves. One runtime per agent, named after its path.
 */
export class SecureWorld {
  readonly root: Identity;
  readonly authority: CertifiedMergeAuthority;
  readonly mgr: Manager;
  /** Each runtime's SecureNetwork, by runtime id. */
  readonly nets = new Map<RuntimeId, SecureNetwork>();
  /** The identity each runtime presents (set before the runtime starts). */
  readonly identities = new Map<RuntimeId, Identity>();
  /** Every trust store, so a test can retire an epoch everywhere. */
  readonly trusts: TrustStore[] = [];
  private readonly floors = new Map<string, number>();
  private readonly keys: (n: number) => Uint8Array;

  /**
   * Over `sim`, which must have been made with {@link SecureWorld.wrapping}
   * pointing at this world (or by {@link SecureWorld.create}).
   */
  constructor(readonly sim: Simulator, readonly options: SecureWorldOptions = {}) {
    this.keys = seededBytes(sim.rng.fork('keys'));
    const rootKey = SigningKey.fromSeed(this.keys(32));
    this.root = new Identity(rootKey, new CertificateChain([selfSignRoot(rootKey)]));
    this.authority = new CertifiedMergeAuthority(this.trust());
    this.mgr = new Manager(this.sim, {
      now: () => this.sim.now,
      refinement: { authority: this.authority, retransmitMs: options.retransmitMs ?? 20 },
    });
  }

  /** A simulator and a secure world over it. */
  static create(seed: number, faults: FaultLayer[] = [], options: SecureWorldOptions = {}): SecureWorld {
    let world: SecureWorld | undefined;
    const sim = new Simulator({ seed, trace: false, faults, wrapNetwork: SecureWorld.wrapping(() => world) });
    world = new SecureWorld(sim, options);
    return world;
  }

  /** The simulator's `wrapNetwork` for a world made after the simulator (as the seed harness does). */
  static wrapping(world: () => SecureWorld | undefined): (inner: Network, runtime: RuntimeId) => Network {
    return (inner, runtime) => {
      const w = world();
      if (w === undefined) throw new Error('the secure world is not built yet');
      return w.secure(inner, runtime);
    };
  }

  /** A trust store for the system agent (one per runtime, as separate processes would have). */
  trust(): TrustStore {
    const t = new TrustStore({ roots: [this.root.chain.leaf] });
    for (const [issuer, epoch] of this.floors) t.advanceEpoch(issuer, epoch);
    this.trusts.push(t);
    return t;
  }

  /** `issuer`'s manager retired its refinements before `epoch`: every trust store, now and later, refuses them. */
  retire(issuer: string, epoch: number): void {
    this.floors.set(issuer, epoch);
    for (const t of this.trusts) t.advanceEpoch(issuer, epoch);
  }

  /** `parent` certifies `path` with a seeded key; `hash` is the hex hash of `parent`'s merge spec (none for the system agent's children). */
  certify(parent: Identity, path: string, options: { hash?: string; epoch?: number } = {}): Identity {
    const key = SigningKey.fromSeed(this.keys(32));
    const [cert] = certifyChildren(
      { path: parent.path, key: parent.key },
      {
        children: [{ path, publicKey: key.publicKey }],
        parentMergeSpecHash: options.hash === undefined ? NO_MERGE_SPEC : mergeSpecHashFromHex(options.hash),
        epoch: options.epoch ?? 1,
      },
    );
    return new Identity(key, parent.chain.extend(cert as NonNullable<typeof cert>));
  }

  /** A SecureNetwork for `runtime` over `inner`, presenting its identity, learned from by the authority. */
  secure(inner: Network, runtime: RuntimeId, identity?: Identity, learn = true): SecureNetwork {
    const id = identity ?? this.identities.get(runtime);
    if (id === undefined) throw new Error(`no identity for runtime ${runtime}: certify it before it starts`);
    const net = new SecureNetwork(inner, {
      identities: [id],
      trust: this.trust(),
      protection: this.options.protection ?? 'aead',
      clock: new SimClock(this.sim),
      randomBytes: this.keys,
      handshakeRetryMs: 50,
    });
    if (learn) this.authority.follow(net);
    this.nets.set(runtime, net);
    return net;
  }

  /**
   * Spawns a physical agent certified by `identity`, with the merge specs
   * of its ancestors given to the authority (as its manager would hand them
   * over with the certificate).
   */
  spawn(identity: Identity, specs: Record<string, CompiledMergeSpec>, behavior: Parameters<Manager['spawn']>[1]): void {
    const path = identity.path;
    this.identities.set(path, identity);
    this.authority.addLocal(identity.chain, Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, v.spec])));
    this.mgr.spawn(path, behavior);
  }

  /** Rejections counted by every SecureNetwork, by code. */
  linkRejections(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const n of this.nets.values()) for (const [k, v] of Object.entries(n.rejections.snapshot())) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  /** The merge spec a parent with these children and threshold has. */
  static spec(parent: string, names: readonly string[], waitForMatching: number): CompiledMergeSpec {
    return CompiledMergeSpec.from({ waitForMatching, from: names.map((n) => Path.child(Path.parse(parent), n)) });
  }
}
