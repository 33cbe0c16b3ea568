import type { Protection } from '@escher/pki';

/** Everything a node process needs to join the system (sent by the launcher over IPC). */
export interface NodeConfig {
  /** The node's name in the description; also its runtime id on the network. */
  readonly node: string;
  /** The system's name: NATS subjects are scoped by it. */
  readonly system: string;
  /** JSON file holding the system description. */
  readonly descriptionFile: string;
  /** Module exporting `createRegistry(env: NodeEnv): SystemRegistry`. */
  readonly registryModule: string;
  /** Key store made by `provisionKeys` (on one machine all nodes read the same folder; across hosts, copy each node's agents). */
  readonly keyStoreDir: string;
  /** The NATS server(s) for discovery. */
  readonly nats: string;
  /** Where the node's agents keep durable state (Raft logs). */
  readonly dataDir: string;
  /** Incarnation of this node's agents: above every earlier run of the node. */
  readonly incarnation: number;
  /** Frame protection of links (`mac` between processes of one host, `aead` across hosts). */
  readonly protection: Protection;
  /** Host to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Settings for the registry (workload sizes and the like), as the launcher was given them. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** What a registry gets from the node process it runs in. */
export interface NodeEnv {
  readonly node: string;
  readonly dataDir: string;
  readonly incarnation: number;
  readonly settings: Readonly<Record<string, unknown>>;
  /** Sends a report to the launcher (for clients: progress and verdicts). */
  readonly report: (report: unknown) => void;
}

/** Messages from the launcher to a node process. */
export type ToNode = { readonly type: 'start'; readonly config: NodeConfig } | { readonly type: 'stop' };

/** Messages from a node process to the launcher. */
export type FromNode =
  | { readonly type: 'ready'; readonly node: string; readonly address: string; readonly agents: readonly string[] }
  | { readonly type: 'report'; readonly node: string; readonly report: unknown }
  | { readonly type: 'failed'; readonly node: string; readonly error: string }
  | { readonly type: 'stopped'; readonly node: string; readonly stats: Record<string, unknown> };
