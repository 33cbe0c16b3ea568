import { type AgentContext, type Behavior, type Continuation, type Envelope, Metaobject, type Path, type RoleTags } from '@escher/core';
import type { Rng } from './rng';

/** What a Byzantine agent may do instead of following its state machine (Escher §2.1). */
export type Attack =
  /** Drop everything it should send. */
  | 'silence'
  /** Send again, later, messages it received, to their senders and to others. */
  | 'replay'
  /** Answer the same request with different payloads to different agents. */
  | 'equivocate'
  /** Send payloads that are not what the protocol expects (wrong types, huge, empty, tags of any shape). */
  | 'garbage'
  /** Bursts of messages. */
  | 'flood'
  /** Copy the role tags of messages it saw onto messages of its own (a forged protocol step). */
  | 'forge-tags';

/** Settings of an {@link Adversary}. */
export interface AdversaryOptions {
  readonly rng: Rng;
  readonly attacks: readonly Attack[];
  /** Agents it may address (it is still bound by the sibling rule, like any agent on the bus). */
  readonly peers: readonly (Path | string)[];
  /** Largest flood burst. */
  readonly floodSize?: number;
}

/**
 * A Byzantine agent: it goes through the same bus as everyone (its sends
 * pass its stack and the runtime's checks: it cannot put another agent's
 * path as source), but it ignores any protocol and, on each message it
 * receives, picks an attack with its seeded generator. Counters say what it
 * tried, so tests can check that something was attempted and refused.
 */
export class Adversary implements Behavior {
  readonly attempted = new Map<Attack, number>();
  private readonly seen: Envelope[] = [];
  /** Install this on the adversary's own stack: it puts forged tags on the way out. */
  readonly forger = new TagForger();

  constructor(private readonly options: AdversaryOptions) {}

  receive(msg: Envelope, ctx: AgentContext): void {
    const { rng, attacks, peers } = this.options;
    if (this.seen.length < 64) this.seen.push(msg);
    else this.seen[rng.int(0, 63)] = msg;
    const attack = rng.pick(attacks);
    this.attempted.set(attack, (this.attempted.get(attack) ?? 0) + 1);
    switch (attack) {
      case 'silence':
        return;
      case 'replay': {
        const old = rng.pick(this.seen);
        ctx.send(rng.chance(0.5) ? old.src : rng.pick(peers), old.payload);
        return;
      }
      case 'equivocate':
        for (const p of peers) ctx.send(p, { equivocation: rng.u32(), about: msg.payload });
        return;
      case 'garbage':
        ctx.send(rng.pick(peers), rng.pick(GARBAGE)());
        return;
      case 'flood': {
        const n = rng.int(1, this.options.floodSize ?? 50);
        for (let i = 0; i < n; i++) ctx.send(rng.pick(peers), { flood: i });
        return;
      }
      case 'forge-tags': {
        const victim = rng.pick(this.seen);
        // Reuse another protocol step's tags on a message of our own: roles must check who may send them.
        this.forger.next = victim.roleTags;
        ctx.send(rng.pick(peers), victim.payload);
        this.forger.next = undefined;
        return;
      }
      default: {
        const never: never = attack;
        throw new Error(`unknown attack ${String(never)}`);
      }
    }
  }
}

const GARBAGE: readonly (() => unknown)[] = [
  () => null,
  () => undefined,
  () => 42,
  () => 'x'.repeat(10_000),
  () => ({ k: 'commit', txn: -1 }),
  () => ({ id: 'not a number', src: 42, dst: null }),
  () => [[[[[]]]]],
  () => ({ __proto__: { polluted: true } }),
];

/** The adversary's own metaobject: stamps the tags it was told to forge onto the next outgoing message. */
export class TagForger extends Metaobject {
  next: RoleTags | undefined;
  override transmit(msg: Envelope, next: Continuation): void {
    if (this.next !== undefined) msg.roleTags = { ...this.next };
    next(msg);
  }
}
