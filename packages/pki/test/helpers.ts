import { Path, type Runtime } from '@escher/core';
import { type Identity, SigningKey, TrustStore, certifyChildren, createRoot, initPki, sha256CanonicalJson } from '../src';
import { Identity as IdentityClass } from '../src/identity';

/** Loads libsodium before the specs of the file that calls it. */
export function usePki(): void {
  before(async () => {
    await initPki();
  });
}

/** The hash of a sample MergeSpec. */
export function specHash(spec: unknown = { waitForMatching: 1, from: ['/kv/1', '/kv/2', '/kv/3'] }): Uint8Array {
  return sha256CanonicalJson(spec);
}

/** A system agent, a trust store for it, and helpers to certify descendants. */
export class TestSystem {
  readonly root: Identity = createRoot();
  readonly trust = new TrustStore({ roots: [this.root.chain.leaf] });

  /** Certifies `parent/name` with a fresh key (or `key`). */
  certify(parent: Identity, name: string, options: { epoch?: number; hash?: Uint8Array; key?: SigningKey } = {}): Identity {
    const key = options.key ?? SigningKey.generate();
    const [cert] = certifyChildren(
      { path: parent.path, key: parent.key },
      { children: [{ path: Path.child(parent.path, name), publicKey: key.publicKey }], parentMergeSpecHash: options.hash ?? specHash(), epoch: options.epoch ?? 1 },
    );
    return new IdentityClass(key, parent.chain.extend(cert as NonNullable<typeof cert>));
  }

  /** Certifies every segment of `path` in turn from the root. */
  path(path: string, options: { epoch?: number } = {}): Identity {
    let id = this.root;
    for (const seg of path.split('/').slice(1)) id = this.certify(id, seg, options);
    return id;
  }
}

/** Lets microtask-delivered frames land and runtimes run, a few rounds. */
export async function settle(...rts: Runtime[]): Promise<void> {
  for (let i = 0; i < 8; i++) {
    for (const rt of rts) await rt.idle();
    await new Promise((r) => setImmediate(r));
  }
}

/** A few macrotask turns (for networks without runtimes). */
export async function turns(n = 4): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}
