import type { Observable } from 'rxjs';
import type { RuntimeId } from '@escher/core';

/** A runtime's address appeared (`announced`, or changed) or went away (`withdrawn`). */
export interface AddressChange {
  readonly kind: 'announced' | 'withdrawn';
  readonly runtime: RuntimeId;
  readonly address: string;
}

/**
 * Runtime id → network address (such as `ws://127.0.0.1:7001`), which a
 * transport needs before it can dial a runtime that discovery named. Runtime
 * ids are addresses, not identities: a transport still authenticates the
 * peer it reaches (the PKI's handshake).
 */
export interface RuntimeDirectory {
  /** Tells the others that `runtime` listens at `address` (replaces an earlier address). */
  announceRuntime(runtime: RuntimeId, address: string): void;
  /** Retracts the address of `runtime`. */
  withdrawRuntime(runtime: RuntimeId): void;
  /** The address `runtime` listens at, if known; synchronous, from what has been learned. */
  addressOf(runtime: RuntimeId): string | undefined;
  /** Every address change, for transports to redial. */
  readonly addresses$: Observable<AddressChange>;
}

/** Injection token for {@link RuntimeDirectory}. */
export const RUNTIME_DIRECTORY = Symbol.for('escher.RuntimeDirectory');
