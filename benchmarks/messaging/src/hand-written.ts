import { elapsedNs, now } from '@escher/bench-harness';
import { expectCount, type FanOutSize, fanOutMessages, type Measurement } from './workload';

/** A message of the hand-written loop: who sent it and a number. */
interface LoopMessage {
  readonly from: LoopActor;
  readonly value: number;
}

/**
 * An actor of the hand-written loop: a mailbox (an array read at `head` and
 * written at `tail`) and a closure. The indices go back to 0 whenever the
 * mailbox empties, so the array keeps its storage instead of being truncated.
 */
interface LoopActor {
  readonly mailbox: (LoopMessage | undefined)[];
  head: number;
  tail: number;
  scheduled: boolean;
  readonly handle: (msg: LoopMessage, self: LoopActor) => void;
}

/**
 * The least an actor runtime must do, written by hand as the baseline: one
 * message at a time per actor, mailboxes as arrays with head indices, and a
 * ready queue of actors with mail. No paths, ids, done box, stack or events.
 */
export class RunQueueLoop {
  private readonly ready: (LoopActor | undefined)[] = [];
  private readyHead = 0;
  private readyTail = 0;

  spawn(handle: (msg: LoopMessage, self: LoopActor) => void): LoopActor {
    return { mailbox: [], head: 0, tail: 0, scheduled: false, handle };
  }

  send(from: LoopActor, to: LoopActor, value: number): void {
    to.mailbox[to.tail++] = { from, value };
    if (!to.scheduled) {
      to.scheduled = true;
      this.ready[this.readyTail++] = to;
    }
  }

  /** Runs until no actor has mail; returns how many messages ran. */
  run(): number {
    let steps = 0;
    while (this.readyHead < this.readyTail) {
      const actor = this.ready[this.readyHead] as LoopActor;
      this.ready[this.readyHead++] = undefined;
      if (this.readyHead === this.readyTail) this.readyHead = this.readyTail = 0;
      actor.scheduled = false;
      const box = actor.mailbox;
      const msg = box[actor.head] as LoopMessage;
      box[actor.head++] = undefined;
      if (actor.head === actor.tail) actor.head = actor.tail = 0;
      actor.handle(msg, actor);
      steps++;
      if (!actor.scheduled && actor.head < actor.tail) {
        actor.scheduled = true;
        this.ready[this.readyTail++] = actor;
      }
    }
    return steps;
  }
}

/** Ping-pong on the hand-written loop. @throws MiscountError */
export function handWrittenPingPong(messages: number): Measurement {
  const loop = new RunQueueLoop();
  let last = 0;
  const bounce = (msg: LoopMessage, self: LoopActor): void => {
    if (msg.value < messages) loop.send(self, msg.from, msg.value + 1);
    else last = msg.value;
  };
  const ping = loop.spawn(bounce);
  const pong = loop.spawn(bounce);
  const start = now();
  loop.send(ping, pong, 1);
  const steps = loop.run();
  const ns = elapsedNs(start);
  expectCount('hand-written ping-pong', messages, steps);
  expectCount('hand-written ping-pong final counter', messages, last);
  return { messages, ns };
}

/** Fan-out on the hand-written loop (see {@link FanOutSize}). @throws MiscountError */
export function handWrittenFanOut(size: FanOutSize): Measurement {
  const loop = new RunQueueLoop();
  const counts = new Array<number>(size.receivers).fill(0);
  const receivers = counts.map((_, i) => loop.spawn(() => void counts[i]++));
  const hub = loop.spawn((msg, self) => {
    for (let i = 0; i < receivers.length; i++) loop.send(self, receivers[i] as LoopActor, msg.value);
    loop.send(self, msg.from, msg.value);
  });
  const pacer = loop.spawn((msg, self) => {
    if (msg.value < size.rounds) loop.send(self, msg.from, msg.value + 1);
  });
  const start = now();
  loop.send(pacer, hub, 1);
  const steps = loop.run();
  const ns = elapsedNs(start);
  expectCount('hand-written fan-out', fanOutMessages(size), steps);
  expectCount('hand-written fan-out receipts', size.rounds * size.receivers, counts.reduce((a, b) => a + b, 0));
  return { messages: fanOutMessages(size), ns };
}
