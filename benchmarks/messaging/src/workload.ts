/** One timed run of a workload. */
export interface Measurement {
  /** Messages handled by the run, every hop counted once. */
  readonly messages: number;
  /** Wall-clock time from the first send until the last message was handled, in nanoseconds. */
  readonly ns: number;
}

/**
 * Fan-out: a hub sends one message to each of `receivers` agents per round,
 * then tells a pacer agent; the pacer starts the next round by messaging the
 * hub, for `rounds` rounds. Each round is `receivers + 2` messages.
 */
export interface FanOutSize {
  readonly receivers: number;
  readonly rounds: number;
}

/** Messages a fan-out of `size` handles: per round, the pacer's, the hub's K and the hub's reply. */
export function fanOutMessages(size: FanOutSize): number {
  return size.rounds * (size.receivers + 2);
}

/** A workload handled a different number of messages than it should have: its figure would be meaningless. */
export class MiscountError extends Error {
  constructor(readonly workload: string, readonly expected: number, readonly actual: number) {
    super(`${workload} handled ${actual} messages, expected ${expected}`);
    this.name = 'MiscountError';
  }
}

/** @throws MiscountError unless `actual === expected` */
export function expectCount(workload: string, expected: number, actual: number): void {
  if (actual !== expected) throw new MiscountError(workload, expected, actual);
}
