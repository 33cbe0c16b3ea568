/** How a link waits between reconnection attempts. */
export interface BackoffOptions {
  /** Delay before the first retry (default 25 ms). */
  readonly initialDelayMs?: number;
  /** Largest delay (default 2 000 ms). */
  readonly maxDelayMs?: number;
  /** Attempts before the link gives up and drops what it holds (default 10). */
  readonly maxAttempts?: number;
  /** Fraction of each delay drawn at random, 0..1 (default 0.5): peers that lost a link together do not retry in step. */
  readonly jitter?: number;
}

/** {@link BackoffOptions} with every default filled in. */
export type BackoffSettings = Required<BackoffOptions>;

/** The defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: BackoffSettings = { initialDelayMs: 25, maxDelayMs: 2000, maxAttempts: 10, jitter: 0.5 };

/**
 * Exponential backoff with jitter: attempt `n` (1-based) waits
 * `min(max, initial·2^(n-1))`, of which a `jitter` fraction is random.
 */
export function backoffDelay(settings: BackoffSettings, attempt: number, random: () => number): number {
  const base = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const j = Math.min(1, Math.max(0, settings.jitter));
  return Math.round(base * (1 - j) + base * j * random());
}
