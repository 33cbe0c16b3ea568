import { inspect } from 'node:util';
import type { Path } from '@escher/core';
import { bytesEqual } from './bytes';
import type { CertificateChain } from './chain';
import { MalformedEncodingError } from './errors';
import type { SigningKey } from './keys';

/**
 * A certified agent as its manager holds it: the private key and the chain
 * from the system agent down to the agent's certificate. A runtime holds one
 * per physical agent it manages (or one for a virtual agent whose whole
 * subtree it hosts).
 */
export class Identity {
  /** @throws MalformedEncodingError if the key is not the one the chain's leaf certifies */
  constructor(readonly key: SigningKey, readonly chain: CertificateChain) {
    if (!bytesEqual(key.publicKey, chain.leaf.publicKey)) {
      throw new MalformedEncodingError('private key', `the key ${key.fingerprint} is not the one certified for ${chain.path || '""'}`);
    }
  }

  /** The certified agent. */
  get path(): Path {
    return this.chain.path;
  }

  /** Epoch of the leaf certificate. */
  get epoch(): number {
    return this.chain.leaf.epoch;
  }

  toString(): string {
    return `Identity(${this.path || '""'}, ${this.key.fingerprint}, epoch ${this.epoch})`;
  }

  toJSON(): { path: string; fingerprint: string; epoch: number } {
    return { path: this.path, fingerprint: this.key.fingerprint, epoch: this.epoch };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
