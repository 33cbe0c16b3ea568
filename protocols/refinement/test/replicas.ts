import type { AgentContext, DeterministicBehavior, Envelope } from '@escher/core';

/** An honest replica for the Byzantine tests: doubles each request's value. */
export class Doubler implements DeterministicBehavior {
  readonly deterministic = true;
  receive(msg: Envelope, ctx: AgentContext): void {
    ctx.reply(msg, { v: (msg.payload as { v: number }).v * 2 });
  }
}
