/**
 * Keys and certificates of one system on disk. Layout of the store folder:
 *
 * ```
 * <dir>/
 *   agents/
 *     +/              the system agent ""
 *       certificate   its self-signed certificate (binary, canonical encoding)
 *       private.key   its private key, mode 600, if this store holds it
 *       refinement.json  epoch, children and MergeSpec hash of its latest refinement
 *       merge-spec.json  that MergeSpec, in canonical JSON
 *     +kv/            /kv
 *     +kv+1/          /kv/1
 * ```
 *
 * `+` cannot appear in a path segment, so folder names are unambiguous.
 * Private key files hold a version byte, an algorithm byte and the 32-byte
 * seed; they are written with mode 600 through a temporary file and a
 * rename, and refused on load if anyone but the owner may read them. Nothing
 * here prints or logs a key.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { Path } from '@escher/core';
import { ByteReader, toHex } from './bytes';
import { Certificate } from './certificate';
import { CertificateChain } from './chain';
import { InsecureKeyFileError, MalformedEncodingError, NotInStoreError, UnknownAlgorithmError, UnsupportedVersionError } from './errors';
import { Identity } from './identity';
import { ED25519, SEED_BYTES, SigningKey, exportSeed } from './keys';
import { sodium } from './sodium';
import { TrustStore } from './trust-store';

/** Version of the private key file format. */
export const KEY_FILE_VERSION = 1;
const CERTIFICATE_FILE = 'certificate';
const KEY_FILE = 'private.key';
const REFINEMENT_FILE = 'refinement.json';
const MERGE_SPEC_FILE = 'merge-spec.json';

/** What `refinement.json` records about an agent's latest refinement. */
export interface RefinementRecord {
  readonly version: 1;
  readonly epoch: number;
  readonly children: readonly string[];
  /** Hex of the MergeSpec hash certified in the children's certificates. */
  readonly mergeSpecHash: string;
}

/** The folder name of a path's files: `+` for the system agent, `+kv+1` for `/kv/1`. */
export function folderName(path: Path): string {
  return `+${path.split('/').slice(1).join('+')}`;
}

/** A system's keys and certificates in a folder. */
export class KeyStore {
  private constructor(readonly dir: string) {}

  /** Opens (creating if needed, mode 700) the store in `dir`. */
  static open(dir: string): KeyStore {
    fs.mkdirSync(nodePath.join(dir, 'agents'), { recursive: true, mode: 0o700 });
    return new KeyStore(dir);
  }

  private folder(path: Path | string): string {
    return nodePath.join(this.dir, 'agents', folderName(Path.parse(path)));
  }

  private file(path: Path | string, name: string): string {
    return nodePath.join(this.folder(path), name);
  }

  private ensureFolder(path: Path | string): string {
    const f = this.folder(path);
    fs.mkdirSync(f, { recursive: true, mode: 0o700 });
    return f;
  }

  /** The store holds a certificate for `path`. */
  hasCertificate(path: Path | string): boolean {
    return fs.existsSync(this.file(path, CERTIFICATE_FILE));
  }

  /** The store holds a private key for `path`. */
  hasPrivateKey(path: Path | string): boolean {
    return fs.existsSync(this.file(path, KEY_FILE));
  }

  /** @throws NotInStoreError, or a PkiError if the file is not a valid certificate */
  certificate(path: Path | string): Certificate {
    const f = this.file(path, CERTIFICATE_FILE);
    if (!fs.existsSync(f)) throw new NotInStoreError('certificate', path);
    return Certificate.decode(new Uint8Array(fs.readFileSync(f)));
  }

  /** Writes a certificate (replacing the one for the same path). */
  saveCertificate(cert: Certificate): void {
    this.ensureFolder(cert.path);
    atomicWrite(this.file(cert.path, CERTIFICATE_FILE), cert.bytes, 0o644);
  }

  /** The chain from the system agent down to `path`, from the stored certificates. @throws NotInStoreError */
  chain(path: Path | string): CertificateChain {
    const p = Path.parse(path);
    const paths = [...Path.ancestors(p).reverse(), p];
    return new CertificateChain(paths.map((q) => this.certificate(q)));
  }

  /** Loads a private key. @throws NotInStoreError, InsecureKeyFileError, or a PkiError for a malformed file */
  signingKey(path: Path | string): SigningKey {
    const f = this.file(path, KEY_FILE);
    if (!fs.existsSync(f)) throw new NotInStoreError('private key', path);
    const mode = fs.statSync(f).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) throw new InsecureKeyFileError(f, mode);
    const bytes = new Uint8Array(fs.readFileSync(f));
    try {
      const r = new ByteReader(bytes, 'private key');
      const version = r.u8();
      if (version !== KEY_FILE_VERSION) throw new UnsupportedVersionError('private key', version);
      const algorithm = r.u8();
      if (algorithm !== ED25519) throw new UnknownAlgorithmError(algorithm);
      const seed = r.raw(SEED_BYTES);
      r.end();
      return SigningKey.fromSeed(seed);
    } finally {
      sodium().memzero(bytes);
    }
  }

  /** Writes a private key, readable by the owner only (mode 600). */
  savePrivateKey(path: Path | string, key: SigningKey): void {
    this.ensureFolder(path);
    const seed = exportSeed(key);
    const bytes = new Uint8Array(2 + SEED_BYTES);
    bytes[0] = KEY_FILE_VERSION;
    bytes[1] = ED25519;
    bytes.set(seed, 2);
    try {
      atomicWrite(this.file(path, KEY_FILE), bytes, 0o600);
    } finally {
      sodium().memzero(seed);
      sodium().memzero(bytes);
    }
  }

  /** Deletes a private key (a manager going offline keeps only certificates). */
  deletePrivateKey(path: Path | string): void {
    fs.rmSync(this.file(path, KEY_FILE), { force: true });
  }

  /** The key and chain of `path`. @throws NotInStoreError, InsecureKeyFileError, MalformedEncodingError */
  identity(path: Path | string): Identity {
    return new Identity(this.signingKey(path), this.chain(path));
  }

  /** The latest refinement of `path` recorded here, if any. */
  refinement(path: Path | string): RefinementRecord | undefined {
    const f = this.file(path, REFINEMENT_FILE);
    if (!fs.existsSync(f)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (cause) {
      throw new MalformedEncodingError('refinement record', `${f} is not valid JSON`, { cause });
    }
    const r = value as Partial<RefinementRecord>;
    if (r.version !== 1 || !Number.isSafeInteger(r.epoch) || !Array.isArray(r.children) || typeof r.mergeSpecHash !== 'string') {
      throw new MalformedEncodingError('refinement record', `${f} is not a refinement record`);
    }
    return r as RefinementRecord;
  }

  /** Records a refinement of `path` and its MergeSpec (canonical JSON text). */
  saveRefinement(path: Path | string, record: RefinementRecord, canonicalMergeSpec: string): void {
    this.ensureFolder(path);
    atomicWrite(this.file(path, REFINEMENT_FILE), new TextEncoder().encode(`${JSON.stringify(record, null, 2)}\n`), 0o644);
    atomicWrite(this.file(path, MERGE_SPEC_FILE), new TextEncoder().encode(`${canonicalMergeSpec}\n`), 0o644);
  }

  /** Every path with a certificate here, sorted. */
  paths(): Path[] {
    const agents = nodePath.join(this.dir, 'agents');
    if (!fs.existsSync(agents)) return [];
    return fs
      .readdirSync(agents, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name.startsWith('+') && fs.existsSync(nodePath.join(agents, d.name, CERTIFICATE_FILE)))
      .map((d) => (d.name === '+' ? '' : `/${d.name.slice(1).split('+').join('/')}`))
      .filter((p): p is Path => Path.isValid(p))
      .sort();
  }

  /**
   * A trust store for this system: its root certificate trusted, and for
   * every refinement recorded here, epochs below the recorded one refused.
   * @throws NotInStoreError without a root
   */
  trustStore(): TrustStore {
    const trust = new TrustStore({ roots: [this.certificate(Path.root)] });
    for (const p of this.paths()) {
      const r = this.refinement(p);
      if (r !== undefined) trust.advanceEpoch(p, r.epoch);
    }
    return trust;
  }

  /** Hex fingerprint and hex public key of `path`'s certified key (for printing). */
  describeKey(path: Path | string): { fingerprint: string; publicKey: string } {
    const c = this.certificate(path);
    return { fingerprint: c.fingerprint, publicKey: toHex(c.publicKey) };
  }
}

/** Writes through a temporary file with the final mode set before any byte, then renames over the target. */
function atomicWrite(file: string, bytes: Uint8Array, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    fs.fchmodSync(fd, mode); // exactly this mode, whatever the umask
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
