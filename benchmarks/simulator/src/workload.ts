import type { AgentContext, Envelope } from '@escher/core';
import { Delay, Simulator } from '@escher/sim';

/** What one simulated run did. */
export interface SimRun {
  /** Messages delivered to applications. */
  readonly messages: number;
  /** Virtual time the run covered, in ms. */
  readonly virtualMs: number;
  /** Wall time, in ns. */
  readonly wallNs: number;
  readonly traceHash: string;
}

/**
 * `pairs` pairs of agents, each agent on a runtime of its own (so every
 * message crosses the simulated network), bounce a counter `rounds` times
 * with a fixed 1 ms link delay and no faults. With `trace` the simulator
 * hashes every bus step, as the determinism check needs.
 */
export function pingPong(pairs: number, rounds: number, trace: boolean): SimRun {
  const sim = new Simulator({ seed: 1, trace, faults: [new Delay({ kind: 'fixed', ms: 1 })] });
  let messages = 0;
  const bounce = (m: Envelope, ctx: AgentContext) => {
    messages++;
    if ((m.payload as number) < rounds) ctx.reply(m, (m.payload as number) + 1);
  };
  for (let i = 0; i < pairs; i++) {
    sim.spawn(`/p${i}/b`, bounce);
    sim.spawn(`/p${i}/a`, { onStart: (ctx) => ctx.send(`/p${i}/b`, 1), receive: bounce });
  }
  const start = process.hrtime.bigint();
  sim.run();
  const wallNs = Number(process.hrtime.bigint() - start);
  return { messages, virtualMs: sim.now, wallNs, traceHash: sim.traceHash() };
}
