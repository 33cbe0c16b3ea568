/** A request to the key-value store; `req` is the client's own request number. */
export type KvRequest =
  | { readonly op: 'put'; readonly req: number; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly req: number; readonly key: string };

/** The store's answer to request `req`. */
export interface KvReply {
  readonly req: number;
  readonly op: 'put' | 'get';
  readonly key: string;
  /** The value after a put, or the value read (null if absent). */
  readonly value: string | null;
  /** Puts applied so far by this copy of the store (the same on every replica). */
  readonly applied: number;
}

/** What the client tells whoever watches it (the launcher, through its process). */
export type ClientReport =
  | { readonly kind: 'progress'; readonly answered: number; readonly total: number }
  | { readonly kind: 'done'; readonly answered: number; readonly wrong: readonly string[]; readonly duplicates: number; readonly elapsedMs: number };
