import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Command, DoneEvent, Reply } from './protocol';

/** Longest a request to the peer process may take (a hang guard). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The peer process (`child.ts`), seen from the benchmark: requests with
 * replies, and the `done` event a sink sends once it counted what it was
 * told to expect.
 */
export class PeerProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: Reply): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private doneWaiters: ((count: number) => void)[] = [];
  private exited: Error | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: Reply | DoneEvent) => {
      if ('event' in m) {
        const waiters = this.doneWaiters;
        this.doneWaiters = [];
        for (const w of waiters) w(m.count);
        return;
      }
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined) p.reject(new Error(`peer process: ${m.error}`));
      else p.resolve(m);
    });
    child.on('exit', (code) => {
      this.exited = new Error(`peer process exited with code ${String(code)}`);
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(this.exited);
      }
      this.pending.clear();
    });
  }

  /** Starts the peer process (compiled `child.js` next to this file). */
  static start(): PeerProcess {
    return new PeerProcess(fork(join(__dirname, 'child.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  request(command: Command): Promise<Reply> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`peer process did not answer ${command.cmd} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.child.send({ ...command, id });
    });
  }

  /** Tells the sink to count to `n` from zero; `done` resolves with the count once it got there. */
  async expect(n: number): Promise<{ done: Promise<number> }> {
    await this.request({ cmd: 'expect', n });
    // Wrapped: an async function returning a bare promise would wait for it.
    return { done: new Promise((resolve) => this.doneWaiters.push(resolve)) };
  }

  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.request({ cmd: 'stop' });
    } catch {
      // Exiting anyway.
    }
    this.child.disconnect();
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 2000))]);
    if (this.exited === undefined) this.child.kill();
  }
}
