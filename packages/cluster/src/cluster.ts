import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsServer } from '@escher/discovery-nats';
import { type Protection, initPki } from '@escher/pki';
import type { SystemDescription } from '@escher/protocol-refinement';
import { Subject } from 'rxjs';
import { ClusterTimeoutError, NodeProcessError } from './errors';
import type { FromNode, NodeConfig, ToNode } from './node-config';
import { type Placement, placementOf } from './placement';
import { provisionKeys } from './provision';

/** Settings of {@link Cluster.start}. */
export interface ClusterOptions {
  readonly description: SystemDescription;
  /** Module exporting `createRegistry(env)`: the code the description names (resolved path). */
  readonly registryModule: string;
  /** Working folder (keys, description, data); default a fresh temporary folder, removed by `stop()`. */
  readonly dir?: string;
  /** System name on NATS (default `escher`). */
  readonly system?: string;
  /** An existing NATS server; default: start `nats-server` on a free 127.0.0.1 port. */
  readonly nats?: string;
  /** Link protection (default `mac`: every process is on this host). */
  readonly protection?: Protection;
  /** Longest wait for a node to report ready (default 20 s). */
  readonly readyTimeoutMs?: number;
  /** Passed to every node's registry (workload sizes and the like). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A message a node process sent, with its node. */
export interface NodeEvent {
  readonly node: string;
  readonly message: FromNode;
}

interface NodeProcess {
  child: ChildProcess;
  incarnation: number;
  ready: boolean;
  exited: boolean;
}

/**
 * A system description run across OS processes on this machine: one
 * process per node named in the description, a NATS server for discovery,
 * and a PKI provisioned for the system (managers offline once their
 * children are certified). Nodes can be killed with SIGKILL and restarted
 * under a new incarnation, as a machine failure and its repair.
 */
export class Cluster {
  /** Every message from every node. */
  readonly events$ = new Subject<NodeEvent>();
  private readonly nodes = new Map<string, NodeProcess>();
  private stopped = false;

  private constructor(
    private readonly options: ClusterOptions,
    readonly dir: string,
    private readonly ownsDir: boolean,
    readonly placement: Placement,
    private readonly natsServer: NatsServer | undefined,
    readonly natsUrl: string,
  ) {}

  /** Provisions keys, starts NATS if needed, then every node, and waits until all are ready. */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const placement = placementOf(options.description);
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'escher-cluster-'));
    mkdirSync(dir, { recursive: true });
    await initPki();
    provisionKeys(join(dir, 'keys'), options.description);
    writeFileSync(join(dir, 'system.json'), JSON.stringify(options.description, null, 2));
    const server = options.nats === undefined ? await NatsServer.start() : undefined;
    const cluster = new Cluster(options, dir, options.dir === undefined, placement, server, options.nats ?? (server as NatsServer).url);
    try {
      await Promise.all([...placement.keys()].map((node) => cluster.launch(node, 1)));
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** Node names, in description order. */
  get nodeNames(): string[] {
    return [...this.placement.keys()];
  }

  /** The node process of `node` is running. */
  isRunning(node: string): boolean {
    const n = this.nodes.get(node);
    return n !== undefined && !n.exited;
  }

  /** Operating-system process id of `node`. */
  pid(node: string): number | undefined {
    return this.nodes.get(node)?.child.pid;
  }

  /** `kill -9` of the node's process: no goodbye, no flush; resolves once it is gone. */
  async kill(node: string): Promise<void> {
    const n = this.require(node);
    if (n.exited) return;
    const gone = new Promise<void>((resolve) => n.child.once('exit', () => resolve()));
    n.child.kill('SIGKILL');
    await gone;
  }

  /** Starts the node again after a kill, under the next incarnation; resolves once it is ready. */
  async restart(node: string): Promise<void> {
    const n = this.require(node);
    if (!n.exited) throw new NodeProcessError(node, 'is still running');
    await this.launch(node, n.incarnation + 1);
  }

  /** Stops every node (asking first, then SIGKILL), the NATS server if it started one, and removes its folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(
      [...this.nodes.entries()].map(async ([, n]) => {
        if (n.exited) return;
        const gone = new Promise<void>((resolve) => n.child.once('exit', () => resolve()));
        const msg: ToNode = { type: 'stop' };
        if (n.child.connected) n.child.send(msg);
        const t = setTimeout(() => n.child.kill('SIGKILL'), 3000);
        await gone;
        clearTimeout(t);
      }),
    );
    await this.natsServer?.stop();
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
    this.events$.complete();
  }

  private require(node: string): NodeProcess {
    const n = this.nodes.get(node);
    if (n === undefined) throw new NodeProcessError(node, 'no such node');
    return n;
  }

  private launch(node: string, incarnation: number): Promise<void> {
    const config: NodeConfig = {
      node,
      system: this.options.system ?? 'escher',
      descriptionFile: join(this.dir, 'system.json'),
      registryModule: this.options.registryModule,
      keyStoreDir: join(this.dir, 'keys'),
      nats: this.natsUrl,
      dataDir: join(this.dir, 'data', node),
      // Wall-clock milliseconds keep incarnations rising across launcher runs too; the counter breaks ties.
      incarnation: Math.max(incarnation, Date.now()),
      protection: this.options.protection ?? 'mac',
      ...(this.options.settings === undefined ? {} : { settings: this.options.settings }),
    };
    mkdirSync(config.dataDir, { recursive: true });
    const child = fork(require.resolve('./node-main'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    const entry: NodeProcess = { child, incarnation: config.incarnation, ready: false, exited: false };
    this.nodes.set(node, entry);
    const timeoutMs = this.options.readyTimeoutMs ?? 20_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ClusterTimeoutError(`node ${node} ready`, timeoutMs)), timeoutMs);
      child.on('message', (message: FromNode) => {
        this.events$.next({ node, message });
        if (message.type === 'ready') {
          entry.ready = true;
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new NodeProcessError(node, message.error));
        }
      });
      child.once('exit', (code, signal) => {
        entry.exited = true;
        clearTimeout(timer);
        if (!entry.ready) reject(new NodeProcessError(node, `exited before it was ready (code ${String(code)}, signal ${String(signal)})`));
      });
      const start: ToNode = { type: 'start', config };
      child.send(start);
    });
  }
}
