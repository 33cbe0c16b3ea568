import { dispatch, type Ref, spawnStateless, start, stop } from 'nact';
import { elapsedNs, now } from '@escher/bench-harness';
import { expectCount, type FanOutSize, fanOutMessages, type Measurement } from './workload';

/** A message between nact actors; the sender travels in the message, as nact's typings recommend. */
interface NactMessage {
  readonly from: Ref<NactMessage>;
  readonly value: number;
}

/** Longest a nact run may take before it is declared stuck. */
const STUCK_AFTER_MS = 120_000;

/**
 * Counts handled messages and notes the time the `expected`-th one is
 * handled. nact runs each message in its own `setImmediate`, so the run is
 * over only when the last handler has run: `done` resolves then, and `end`
 * is taken inside that handler rather than after the promise settles.
 */
class Finish {
  handled = 0;
  end = 0n;
  readonly done: Promise<void>;
  private resolve!: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(workload: string, private readonly expected: number) {
    let reject!: (e: Error) => void;
    this.done = new Promise<void>((res, rej) => {
      this.resolve = res;
      reject = rej;
    });
    this.timer = setTimeout(() => {
      try {
        expectCount(`${workload} (stuck after ${STUCK_AFTER_MS} ms)`, expected, this.handled);
      } catch (e) {
        reject(e as Error);
      }
    }, STUCK_AFTER_MS);
  }

  /** Call once per handled message. */
  tick(): void {
    if (++this.handled === this.expected) {
      this.end = now();
      clearTimeout(this.timer);
      this.resolve();
    }
  }
}

/** Ping-pong between two nact actors. @throws MiscountError */
export async function nactPingPong(messages: number): Promise<Measurement> {
  const system = start();
  const finish = new Finish('nact ping-pong', messages);
  let last = 0;
  const bounce = (msg: NactMessage, ctx: { self: Ref<NactMessage> }): void => {
    if (msg.value < messages) dispatch(msg.from, { from: ctx.self, value: msg.value + 1 });
    else last = msg.value;
    finish.tick();
  };
  try {
    const ping = spawnStateless(system, bounce, 'ping');
    const pong = spawnStateless(system, bounce, 'pong');
    const startNs = now();
    dispatch(pong, { from: ping, value: 1 });
    await finish.done;
    expectCount('nact ping-pong final counter', messages, last);
    return { messages, ns: elapsedNs(startNs, finish.end) };
  } finally {
    stop(system);
  }
}

/** Fan-out with nact actors (see {@link FanOutSize}). @throws MiscountError */
export async function nactFanOut(size: FanOutSize): Promise<Measurement> {
  const system = start();
  const messages = fanOutMessages(size);
  const finish = new Finish('nact fan-out', messages);
  const counts = new Array<number>(size.receivers).fill(0);
  try {
    const receivers = counts.map((_, i) =>
      spawnStateless(
        system,
        (): void => {
          counts[i]++;
          finish.tick();
        },
        `r${i}`,
      ),
    );
    const hub = spawnStateless(
      system,
      (msg: NactMessage, ctx): void => {
        for (let i = 0; i < receivers.length; i++) dispatch(receivers[i] as Ref<NactMessage>, { from: ctx.self, value: msg.value });
        dispatch(msg.from, { from: ctx.self, value: msg.value });
        finish.tick();
      },
      'hub',
    );
    const pacer = spawnStateless(
      system,
      (msg: NactMessage, ctx): void => {
        if (msg.value < size.rounds) dispatch(msg.from, { from: ctx.self, value: msg.value + 1 });
        finish.tick();
      },
      'pacer',
    );
    const startNs = now();
    dispatch(hub, { from: pacer, value: 1 });
    await finish.done;
    expectCount('nact fan-out receipts', size.rounds * size.receivers, counts.reduce((a, b) => a + b, 0));
    return { messages, ns: elapsedNs(startNs, finish.end) };
  } finally {
    stop(system);
  }
}
