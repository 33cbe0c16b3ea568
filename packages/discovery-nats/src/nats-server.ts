/**
 * Starts and stops a local `nats-server` (Debian's package) for tests,
 * examples and multi-process launchers: on 127.0.0.1 only, on a free port,
 * ready when it accepts TCP connections, killed when the process exits.
 * Tests stop and restart it on the same port to exercise server loss.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { DiscoveryError } from './errors';

/** `nats-server` is not installed (Debian: `apt-get install nats-server`). */
export class NatsServerNotInstalledError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_NATS_SERVER_MISSING';
  constructor() {
    super(
      'nats-server is not installed: install Debian\'s package (`apt-get install -y nats-server`; .ci/run does) or set NATS_SERVER_BIN to its path',
    );
  }
}

/** `nats-server` exited early or did not accept connections in time. */
export class NatsServerStartError extends DiscoveryError {
  readonly code = 'ESCHER_DISCOVERY_NATS_SERVER_START';
  constructor(reason: string) {
    super(`nats-server did not start: ${reason}`);
  }
}

/** Settings of {@link NatsServer.start}. */
export interface NatsServerOptions {
  /** Path of the binary (default: `$NATS_SERVER_BIN`, then `nats-server` on PATH, /usr/sbin, /usr/local/sbin, /usr/local/bin). */
  readonly bin?: string;
  /** Port to listen on (default: a free one). */
  readonly port?: number;
  /** Longest wait for the server to accept connections (default 10 s). */
  readonly readyTimeoutMs?: number;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
}

const HOST = '127.0.0.1';
const POLL_MS = 25;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** The path of `nats-server`, or `undefined` if it cannot be found. */
export function findNatsServer(): string | undefined {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return isExecutable(fromEnv) ? fromEnv : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
  for (const d of dirs) {
    if (d === '') continue;
    const candidate = join(d, 'nats-server');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** A `nats-server` child process listening on 127.0.0.1. */
export class NatsServer {
  private child: ChildProcess | undefined;
  private log = '';

  private constructor(
    private readonly bin: string,
    /** The port it listens on (kept across restarts). */
    readonly port: number,
    private readonly options: NatsServerOptions,
  ) {}

  /**
   * Starts a server and resolves once it accepts connections.
   * @throws NatsServerNotInstalledError, NatsServerStartError
   */
  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const bin = options.bin ?? findNatsServer();
    if (bin === undefined || !isExecutable(bin)) throw new NatsServerNotInstalledError();
    // A free port can be taken between the probe and the server's bind: try a few.
    const attempts = options.port === undefined ? 3 : 1;
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      const server = new NatsServer(bin, options.port ?? (await freePort()), options);
      try {
        await server.restart();
        return server;
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  /** `nats://127.0.0.1:<port>`. */
  get url(): string {
    return `nats://${HOST}:${this.port}`;
  }

  /** Whether the process is alive. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** (Re)starts the server on the same port; resolves once it accepts connections. @throws NatsServerStartError */
  async restart(): Promise<void> {
    if (this.child !== undefined) return;
    this.log = '';
    const child = spawn(this.bin, ['-a', HOST, '-p', String(this.port), ...(this.options.args ?? [])], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    running.add(child);
    installExitHook();
    child.stderr?.on('data', (d: Buffer) => {
      // Keep the tail only: enough to explain a failure.
      this.log = (this.log + d.toString('utf8')).slice(-4000);
    });
    let exited = false;
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      if (this.child === child) this.child = undefined;
    });
    const timeout = this.options.readyTimeoutMs ?? 10_000;
    const attempts = Math.ceil(timeout / POLL_MS);
    for (let i = 0; i < attempts; i++) {
      if (exited) throw new NatsServerStartError(`exited early on port ${this.port}: ${this.log.trim().split('\n').slice(-3).join(' | ')}`);
      if (await accepts(this.port)) return;
      await delay(POLL_MS);
    }
    await this.stop();
    throw new NatsServerStartError(`no connection accepted on ${HOST}:${this.port} within ${timeout} ms`);
  }

  /** Stops the server (`SIGKILL` for a crash, default `SIGTERM`) and resolves once it has exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    // Bounded: escalate to SIGKILL if a polite stop takes too long.
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test run that ends or crashes must not leave servers behind.
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}
