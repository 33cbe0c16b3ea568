/** What the benchmark process asks its peer process (over the IPC channel of `fork`). */
export type Command =
  | { readonly cmd: 'escher-listen'; readonly name: string; readonly mode: 'sink' | 'echo'; readonly clientName: string; readonly clientUrl: string }
  | { readonly cmd: 'escher-certify'; readonly name: string; readonly chain: string; readonly root: string }
  | { readonly cmd: 'ws-listen'; readonly mode: 'sink' | 'echo' }
  | { readonly cmd: 'tcp-listen' }
  | { readonly cmd: 'expect'; readonly n: number }
  | { readonly cmd: 'stop' };

/** A command with the id its reply will carry. */
export type Request = Command & { readonly id: number };

/** The peer's answer to a request. */
export interface Reply {
  readonly id: number;
  readonly error?: string;
  readonly url?: string;
  readonly port?: number;
  readonly publicKey?: string;
}

/** Sent by the peer, unasked, once it counted the messages it was told to expect. */
export interface DoneEvent {
  readonly event: 'done';
  readonly count: number;
}
