/**
 * Ed25519 keys. A {@link SigningKey} keeps its secret out of every printable
 * form: the secret lives in a module-private WeakMap, so neither
 * `util.inspect`, `JSON.stringify`, string conversion nor property
 * enumeration can reach it. Verification is strict, so every replica reaches
 * the same verdict on the same bytes (see the README, "Strict verification").
 */
import { inspect } from 'node:util';
import { toHex } from './bytes';
import { Domains, type SignatureDomain } from './domain';
import { MalformedEncodingError, WeakPublicKeyError } from './errors';
import { sodium } from './sodium';

/** Algorithm identifier of Ed25519 in encodings (the only one). */
export const ED25519 = 1;
/** Length of an Ed25519 public key. */
export const PUBLIC_KEY_BYTES = 32;
/** Length of an Ed25519 signature. */
export const SIGNATURE_BYTES = 64;
/** Length of the seed a key pair is derived from (what a key file stores). */
export const SEED_BYTES = 32;

/** libsodium's 64-byte secret keys (seed ‖ public key), out of reach of anything that prints objects. */
const secrets = new WeakMap<SigningKey, Uint8Array>();

/** An Ed25519 private key with its public key. Prints as its fingerprint only. */
export class SigningKey {
  readonly algorithm = 'ed25519' as const;

  private constructor(readonly publicKey: Uint8Array, secret: Uint8Array) {
    secrets.set(this, secret);
    Object.freeze(this);
  }

  /** A fresh key from the operating system's random source. */
  static generate(): SigningKey {
    const kp = sodium().crypto_sign_keypair();
    return new SigningKey(kp.publicKey, kp.privateKey);
  }

  /** The key derived from a 32-byte seed (deterministic: the same seed gives the same key). */
  static fromSeed(seed: Uint8Array): SigningKey {
    if (seed.length !== SEED_BYTES) throw new MalformedEncodingError('private key', `seed must be ${SEED_BYTES} bytes`);
    const kp = sodium().crypto_sign_seed_keypair(seed);
    return new SigningKey(kp.publicKey, kp.privateKey);
  }

  /** Short, stable, public name of the key: 16 hex digits of a hash of the public key. */
  get fingerprint(): string {
    return fingerprint(this.publicKey);
  }

  /** Signs `message` in `domain`: the signature covers the domain's prefix followed by the message. */
  sign(domain: SignatureDomain, message: Uint8Array): Uint8Array {
    const secret = secrets.get(this);
    if (secret === undefined) throw new Error('this signing key was destroyed');
    const input = new Uint8Array(domain.prefix.length + message.length);
    input.set(domain.prefix);
    input.set(message, domain.prefix.length);
    return sodium().crypto_sign_detached(input, secret);
  }

  /** Overwrites the secret in memory; the key cannot sign afterwards. */
  destroy(): void {
    const secret = secrets.get(this);
    if (secret !== undefined) sodium().memzero(secret);
    secrets.delete(this);
  }

  toString(): string {
    return `SigningKey(ed25519 ${this.fingerprint})`;
  }

  toJSON(): { algorithm: 'ed25519'; publicKey: string } {
    return { algorithm: 'ed25519', publicKey: toHex(this.publicKey) };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * The 32-byte seed of a key, for the key store to write to its file.
 * Deliberately not exported from the package's index.
 * @internal
 */
export function exportSeed(key: SigningKey): Uint8Array {
  const secret = secrets.get(key);
  if (secret === undefined) throw new Error('this signing key was destroyed');
  return secret.slice(0, SEED_BYTES);
}

/** 16 hex digits naming a public key. */
export function fingerprint(publicKey: Uint8Array): string {
  const input = new Uint8Array(Domains.fingerprint.prefix.length + publicKey.length);
  input.set(Domains.fingerprint.prefix);
  input.set(publicKey, Domains.fingerprint.prefix.length);
  return toHex(sodium().crypto_generichash(8, input, null));
}

/** Public keys already found strict; checking costs a scalar multiplication, so each key is checked once. */
const strictKeys = new Set<string>();
const STRICT_KEYS_MAX = 4096;

/**
 * Why `publicKey` is refused, or `undefined` if it is a canonical encoding
 * of a point of the prime-order subgroup. libsodium's verifier already
 * refuses small-order and non-canonical keys; this also refuses mixed-order
 * keys (a prime-order point plus a small-order one), which libsodium's
 * cofactorless verification would accept, so that a key certified here is
 * valid under every Ed25519 verification rule.
 */
export function publicKeyProblem(publicKey: Uint8Array): string | undefined {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return `length ${publicKey.length}, not ${PUBLIC_KEY_BYTES}`;
  const hex = toHex(publicKey);
  if (strictKeys.has(hex)) return undefined;
  if (!isCanonicalY(publicKey)) return 'non-canonical encoding (y ≥ 2^255 - 19)';
  try {
    // Refuses small-order points, points not on the curve and points outside the prime-order subgroup.
    sodium().crypto_sign_ed25519_pk_to_curve25519(publicKey);
  } catch {
    return 'small-order, mixed-order or not on the curve';
  }
  if (strictKeys.size >= STRICT_KEYS_MAX) strictKeys.clear();
  strictKeys.add(hex);
  return undefined;
}

/** @throws WeakPublicKeyError unless {@link publicKeyProblem} finds nothing. */
export function checkPublicKey(publicKey: Uint8Array, path: string): void {
  const problem = publicKeyProblem(publicKey);
  if (problem !== undefined) throw new WeakPublicKeyError(path, problem);
}

/** y (the low 255 bits, little-endian) is below p = 2^255 - 19. */
function isCanonicalY(b: Uint8Array): boolean {
  if (((b[31] as number) & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (b[i] !== 0xff) return true;
  return (b[0] as number) < 0xed;
}

/**
 * Verifies an Ed25519 signature made with {@link SigningKey.sign} in `domain`.
 * Strict: non-canonical S (S ≥ L), small-order or non-canonical R, and
 * small-order or non-canonical public keys are refused by libsodium (1.0.22,
 * built without ED25519_COMPAT); the public key should come from a verified
 * certificate, whose key was also checked with {@link publicKeyProblem}.
 */
export function verifySignature(publicKey: Uint8Array, domain: SignatureDomain, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  const input = new Uint8Array(domain.prefix.length + message.length);
  input.set(domain.prefix);
  input.set(message, domain.prefix.length);
  try {
    return sodium().crypto_sign_verify_detached(signature, input, publicKey);
  } catch {
    return false;
  }
}
