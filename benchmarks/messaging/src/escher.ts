import { type AgentContext, createRuntime, type Envelope, type Runtime } from '@escher/core';
import { elapsedNs, now } from '@escher/bench-harness';
import { Probe } from './probe';
import { expectCount, type FanOutSize, fanOutMessages, type Measurement } from './workload';

/** What sits on every agent's metaobject stack. */
export type StackKind = 'empty' | 'three-roles';

/** A fresh runtime with the given agents, each joined to one {@link Probe} when the stack has three roles. */
function runtimeWith(stack: StackKind, agents: readonly [string, (msg: Envelope, ctx: AgentContext) => void][]): Runtime {
  const rt = createRuntime({ id: 'bench' });
  for (const [path, handler] of agents) rt.spawn(path, handler);
  if (stack === 'three-roles') {
    const probe = new Probe(rt);
    for (const [path] of agents) probe.join(path);
  }
  return rt;
}

// Every handler counts what it handles: `drain()` returns scheduler turns,
// which are not messages once a stack has deliver hooks.

/**
 * Ping-pong on an Escher runtime, run synchronously with `drain()`: two
 * agents bounce a counter until it reaches `messages`.
 * @throws MiscountError
 */
export function escherPingPong(messages: number, stack: StackKind): Measurement {
  let last = 0;
  let handled = 0;
  const bounce = (msg: Envelope, ctx: AgentContext): void => {
    handled++;
    const n = msg.payload as number;
    if (n < messages) ctx.reply(msg, n + 1);
    else last = n;
  };
  const rt = runtimeWith(stack, [
    ['/ping', bounce],
    ['/pong', bounce],
  ]);
  try {
    const start = now();
    rt.send('/ping', '/pong', 1);
    rt.drain();
    const ns = elapsedNs(start);
    expectCount(`escher ping-pong (${stack})`, messages, handled);
    expectCount(`escher ping-pong (${stack}) final counter`, messages, last);
    return { messages, ns };
  } finally {
    rt.close();
  }
}

/**
 * Fan-out on an Escher runtime (see {@link FanOutSize}), run synchronously with `drain()`.
 * @throws MiscountError
 */
export function escherFanOut(size: FanOutSize, stack: StackKind): Measurement {
  const receivers = Array.from({ length: size.receivers }, (_, i) => `/r${i}`);
  const counts = new Array<number>(size.receivers).fill(0);
  let handled = 0;
  const agents: [string, (msg: Envelope, ctx: AgentContext) => void][] = [
    [
      '/hub',
      (msg, ctx) => {
        handled++;
        for (let i = 0; i < receivers.length; i++) ctx.send(receivers[i] as string, msg.payload);
        ctx.reply(msg, msg.payload);
      },
    ],
    [
      '/pacer',
      (msg, ctx) => {
        handled++;
        const round = msg.payload as number;
        if (round < size.rounds) ctx.reply(msg, round + 1);
      },
    ],
    ...receivers.map((path, i): [string, () => void] => [
      path,
      () => {
        handled++;
        counts[i]++;
      },
    ]),
  ];
  const rt = runtimeWith(stack, agents);
  try {
    const start = now();
    rt.send('/pacer', '/hub', 1);
    rt.drain();
    const ns = elapsedNs(start);
    const messages = fanOutMessages(size);
    expectCount(`escher fan-out (${stack})`, messages, handled);
    expectCount(`escher fan-out (${stack}) receipts`, size.rounds * size.receivers, counts.reduce((a, b) => a + b, 0));
    return { messages, ns };
  } finally {
    rt.close();
  }
}
