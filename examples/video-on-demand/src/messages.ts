/** What the agents of the video-on-demand system say to each other (application payloads). */
export type VodMessage =
  | { readonly type: 'order'; readonly movie: string }
  | { readonly type: 'charge'; readonly account: string; readonly amount: number; readonly movie: string }
  | { readonly type: 'receipt'; readonly movie: string; readonly price: number }
  | { readonly type: 'refused'; readonly movie: string; readonly reason: string }
  | { readonly type: 'stream'; readonly movie: string; readonly to: string }
  | { readonly type: 'streaming'; readonly movie: string; readonly chunks: number }
  | { readonly type: 'chunk'; readonly movie: string; readonly n: number; readonly of: number };

/** Narration hook: each application says what it does, for the demo's trace. */
export type Say = (agent: string, text: string) => void;
