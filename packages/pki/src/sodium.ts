import sodiumModule = require('libsodium-wrappers');
import { PkiNotReadyError } from './errors';

/** The libsodium API as libsodium-wrappers exposes it once ready. */
export type Sodium = typeof sodiumModule;

let ready = false;
let loading: Promise<void> | undefined;

/**
 * Loads libsodium (a WebAssembly module) once. Every other function of this
 * package is synchronous and throws {@link PkiNotReadyError} if called before
 * this promise has resolved. Calling it again is cheap and returns the same
 * promise.
 */
export function initPki(): Promise<void> {
  if (loading === undefined) {
    loading = sodiumModule.ready.then(() => {
      ready = true;
    });
  }
  return loading;
}

/** Whether {@link initPki} has completed. */
export function isPkiReady(): boolean {
  return ready;
}

/** The loaded libsodium. @throws PkiNotReadyError before {@link initPki} resolved */
export function sodium(): Sodium {
  if (!ready) throw new PkiNotReadyError();
  return sodiumModule;
}

/** Version of the libsodium C library inside libsodium-wrappers, such as `1.0.22`. */
export function libsodiumVersion(): string {
  return sodium().sodium_version_string();
}
