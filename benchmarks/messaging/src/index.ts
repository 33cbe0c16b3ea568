import {
  type BenchContext,
  type Case,
  defineBenchmark,
  formatNumber,
  interleave,
  median,
  perSecond,
} from '@escher/bench-harness';
import { escherFanOut, escherPingPong } from './escher';
import { handWrittenFanOut, handWrittenPingPong } from './hand-written';
import { nactFanOut, nactPingPong } from './nact';
import type { FanOutSize, Measurement } from './workload';

export { Probe, type ProbeRoles, Sequencer, LamportClock, DispatchAudit } from './probe';
export { escherFanOut, escherPingPong, type StackKind } from './escher';
export { RunQueueLoop, handWrittenFanOut, handWrittenPingPong } from './hand-written';
export { nactFanOut, nactPingPong } from './nact';
export { type FanOutSize, type Measurement, MiscountError, fanOutMessages } from './workload';

/**
 * Sizes of one run. nact handles each message in its own `setImmediate`, so
 * it gets fewer messages to stay within time; a rate does not depend on the
 * count once a run lasts a few hundred milliseconds.
 */
interface Sizes {
  readonly rounds: number;
  readonly warmup: number;
  readonly pingPong: number;
  readonly fanOut: FanOutSize;
  readonly nactPingPong: number;
  readonly nactFanOut: FanOutSize;
}

const FULL: Sizes = {
  rounds: 7,
  warmup: 1,
  pingPong: 2_000_000,
  fanOut: { receivers: 100, rounds: 20_000 },
  nactPingPong: 100_000,
  nactFanOut: { receivers: 100, rounds: 3_000 },
};

const QUICK: Sizes = {
  rounds: 3,
  warmup: 1,
  pingPong: 100_000,
  fanOut: { receivers: 100, rounds: 1_000 },
  nactPingPong: 10_000,
  nactFanOut: { receivers: 100, rounds: 100 },
};

/** One contender: how it runs each scenario, and the prefix of its summary figures. */
interface Contender {
  readonly key: 'emptyStack' | 'threeRoles' | 'handWritten' | 'nact';
  readonly label: string;
  pingPong(): Measurement | Promise<Measurement>;
  fanOut(): Measurement | Promise<Measurement>;
}

const LABELS: Readonly<Record<Contender['key'], string>> = {
  emptyStack: 'escher, empty stack',
  threeRoles: 'escher, 3 roles',
  handWritten: 'hand-written loop',
  nact: 'nact',
};

function contenders(s: Sizes): Contender[] {
  return [
    {
      key: 'emptyStack',
      label: LABELS.emptyStack,
      pingPong: () => escherPingPong(s.pingPong, 'empty'),
      fanOut: () => escherFanOut(s.fanOut, 'empty'),
    },
    {
      key: 'threeRoles',
      label: LABELS.threeRoles,
      pingPong: () => escherPingPong(s.pingPong, 'three-roles'),
      fanOut: () => escherFanOut(s.fanOut, 'three-roles'),
    },
    {
      key: 'handWritten',
      label: LABELS.handWritten,
      pingPong: () => handWrittenPingPong(s.pingPong),
      fanOut: () => handWrittenFanOut(s.fanOut),
    },
    {
      key: 'nact',
      label: LABELS.nact,
      pingPong: () => nactPingPong(s.nactPingPong),
      fanOut: () => nactFanOut(s.nactFanOut),
    },
  ];
}

const SCENARIOS = [
  { name: 'ping-pong', figurePrefix: '', run: (c: Contender) => c.pingPong() },
  { name: 'fan-out', figurePrefix: 'fanOut', run: (c: Contender) => c.fanOut() },
] as const;

/** Summary key of a contender's median throughput in a scenario: `emptyStackMsgsPerSec`, `fanOutNactMsgsPerSec`. */
function figureName(prefix: string, key: Contender['key']): string {
  const base = prefix === '' ? key : `${prefix}${key[0]?.toUpperCase()}${key.slice(1)}`;
  return `${base}MsgsPerSec`;
}

async function run(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? QUICK : FULL;
  const cs = contenders(sizes);
  ctx.note(
    `ping-pong ${formatNumber(sizes.pingPong)} msgs (nact ${formatNumber(sizes.nactPingPong)}); ` +
      `fan-out ${sizes.fanOut.receivers} receivers × ${formatNumber(sizes.fanOut.rounds)} rounds ` +
      `(nact ${formatNumber(sizes.nactFanOut.rounds)}); ${sizes.rounds} rounds after ${sizes.warmup} warm-up`,
  );

  const cases: Case<Measurement>[] = SCENARIOS.flatMap((sc) =>
    cs.map((c) => ({ label: `${sc.name} ${c.label}`, measure: () => sc.run(c) })),
  );
  const samples = await interleave(ctx, { rounds: sizes.rounds, warmup: sizes.warmup }, cases);

  SCENARIOS.forEach((sc, si) => {
    const rates = cs.map((_, ci) => (samples[si * cs.length + ci] as Measurement[]).map((m) => perSecond(m.messages, m.ns)));
    const handWritten = median(rates[cs.findIndex((c) => c.key === 'handWritten')] as number[]);
    cs.forEach((c, ci) => {
      const r = rates[ci] as number[];
      const m = samples[si * cs.length + ci] as Measurement[];
      const rate = median(r);
      ctx.record({
        scenario: sc.name,
        configuration: c.label,
        messagesPerRun: (m[0] as Measurement).messages,
        runs: r.length,
        medianMsgsPerSec: Math.round(rate),
        minMsgsPerSec: Math.round(Math.min(...r)),
        maxMsgsPerSec: Math.round(Math.max(...r)),
        nsPerMsg: Number((1e9 / rate).toFixed(1)),
        relativeToHandWritten: Number((rate / handWritten).toFixed(3)),
      });
      ctx.figure(figureName(sc.figurePrefix, c.key), Math.round(rate));
    });
  });
}

/** The `messaging` benchmark. */
export const benchmark = defineBenchmark({
  name: 'messaging',
  description: 'ping-pong and fan-out throughput: Escher (empty and 3-role stacks), a hand-written run-queue loop, nact',
  columns: [
    { key: 'scenario', header: 'scenario' },
    { key: 'configuration', header: 'configuration' },
    { key: 'messagesPerRun', header: 'msgs/run' },
    { key: 'runs', header: 'runs' },
    { key: 'medianMsgsPerSec', header: 'median msgs/s' },
    { key: 'minMsgsPerSec', header: 'min msgs/s' },
    { key: 'maxMsgsPerSec', header: 'max msgs/s' },
    { key: 'nsPerMsg', header: 'ns/msg' },
    { key: 'relativeToHandWritten', header: '× hand-written' },
  ],
  targets: [
    { name: 'emptyStack', figure: 'emptyStackMsgsPerSec', comparison: '>=', threshold: 10_000_000 },
    { name: 'threeRoles', figure: 'threeRolesMsgsPerSec', comparison: '>=', threshold: 5_000_000 },
  ],
  chart: {
    title: 'Messaging throughput (median)',
    unit: 'msgs/s',
    bars: SCENARIOS.flatMap((sc) =>
      (['emptyStack', 'threeRoles', 'handWritten', 'nact'] as const).map((key) => ({
        label: `${sc.name}: ${LABELS[key]}`,
        figure: figureName(sc.figurePrefix, key),
      })),
    ),
  },
  run,
});
