import { type BenchContext, type Case, defineBenchmark, formatNumber, interleave, median, percentile, perSecond } from '@escher/bench-harness';
import { EscherLink, type Measurement } from './escher-link';
import { FRAMES_PER_TICK, FRAME_MESSAGES, MESSAGES_PER_TICK, messageBytes } from './messages';
import { PeerProcess } from './peer';
import { RawTcpLink, RawWsLink } from './raw-links';

export { EscherLink, type Measurement } from './escher-link';
export { RawTcpLink, RawWsLink } from './raw-links';
export { PeerProcess } from './peer';
export { RecordCounter, frameOf, messageBytes, recordBatch } from './messages';

/** Sizes of one run. */
interface Sizes {
  readonly rounds: number;
  readonly warmup: number;
  /** Messages per throughput run, per link (each run lasts about a second in a full run). */
  readonly escher: number;
  readonly ws: number;
  readonly tcp: number;
  /** Round trips per round. */
  readonly roundTrips: number;
}

const FULL: Sizes = { rounds: 5, warmup: 1, escher: 2_000_000, ws: 4_000_000, tcp: 10_000_000, roundTrips: 2_000 };
const QUICK: Sizes = { rounds: 1, warmup: 1, escher: 100_000, ws: 200_000, tcp: 500_000, roundTrips: 200 };

const LABELS = {
  escher: '(a) our link: uWS + ws, msgpack, MAC, per-tick batches',
  ws: '(b) raw ws link, per-tick batches',
  tcp: '(c) raw TCP, length-prefixed per-tick batches',
  rtt: '(d) round trip over our link',
  wsRtt: '(e) round trip over a raw ws link',
} as const;

async function run(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? QUICK : FULL;
  const recordBytes = messageBytes();
  ctx.note(
    `loopback, sender here and receiver in a child process; ${FRAME_MESSAGES} messages per frame, up to ${FRAMES_PER_TICK} frames ` +
      `(${MESSAGES_PER_TICK} messages) per tick; ${recordBytes} bytes per message; ${sizes.rounds} rounds after ${sizes.warmup} warm-up`,
  );
  const peer = PeerProcess.start();
  try {
    const escher = await EscherLink.open(peer, 'sink', 'client', 'server');
    const ws = await RawWsLink.open(peer, 'sink', recordBytes);
    const tcp = await RawTcpLink.open(peer, recordBytes);
    const cases: Case<Measurement>[] = [
      { label: LABELS.escher, measure: () => escher.throughput(sizes.escher) },
      { label: LABELS.ws, measure: () => ws.throughput(sizes.ws) },
      { label: LABELS.tcp, measure: () => tcp.throughput(sizes.tcp) },
    ];
    const samples = await interleave(ctx, { rounds: sizes.rounds, warmup: sizes.warmup }, cases);
    const figures = ['msgsPerSec', 'rawWsMsgsPerSec', 'rawTcpMsgsPerSec'] as const;
    samples.forEach((ms, i) => {
      const rates = ms.map((m) => perSecond(m.messages, m.ns));
      const rate = median(rates);
      ctx.record({
        link: cases[i]?.label ?? '',
        messagesPerRun: ms[0]?.messages ?? 0,
        runs: rates.length,
        medianMsgsPerSec: Math.round(rate),
        minMsgsPerSec: Math.round(Math.min(...rates)),
        maxMsgsPerSec: Math.round(Math.max(...rates)),
        nsPerMsg: Number((1e9 / rate).toFixed(1)),
      });
      ctx.figure(figures[i] as string, Math.round(rate));
    });
    await escher.close();
    ws.close();
    tcp.close();

    const echo = await EscherLink.open(peer, 'echo', 'rtt-client', 'rtt-server');
    const wsEcho = await RawWsLink.open(peer, 'echo', recordBytes);
    const rttCases: Case<number[]>[] = [
      { label: LABELS.rtt, measure: () => echo.roundTrips(sizes.roundTrips) },
      { label: LABELS.wsRtt, measure: () => wsEcho.roundTrips(sizes.roundTrips) },
    ];
    const rtts = await interleave(ctx, { rounds: sizes.rounds, warmup: sizes.warmup }, rttCases);
    const prefixes = ['rtt', 'rawWsRtt'] as const;
    rtts.forEach((rounds, i) => {
      const all = rounds.flat();
      const p50 = percentile(all, 50);
      const p99 = percentile(all, 99);
      ctx.record({
        link: rttCases[i]?.label ?? '',
        roundTrips: all.length,
        p50us: Number(p50.toFixed(1)),
        p90us: Number(percentile(all, 90).toFixed(1)),
        p99us: Number(p99.toFixed(1)),
        maxUs: Number(Math.max(...all).toFixed(1)),
      });
      ctx.figure(`${prefixes[i]}P50us`, Number(p50.toFixed(1)));
      ctx.figure(`${prefixes[i]}P99us`, Number(p99.toFixed(1)));
    });
    await echo.close();
    wsEcho.close();
    ctx.figure('bytesPerMessage', recordBytes);
    ctx.note(`round trips: ${formatNumber(sizes.roundTrips * sizes.rounds)} per link, one message each way, sequential`);
  } finally {
    await peer.stop();
  }
}

/** The `network` benchmark. */
export const benchmark = defineBenchmark({
  name: 'network',
  description: 'one link over loopback (uWS + ws, msgpack frames, SecureNetwork MAC, per-tick batches) vs raw ws and raw TCP: msgs/s and round trips',
  columns: [
    { key: 'link', header: 'link' },
    { key: 'messagesPerRun', header: 'msgs/run' },
    { key: 'runs', header: 'runs' },
    { key: 'medianMsgsPerSec', header: 'median msgs/s' },
    { key: 'minMsgsPerSec', header: 'min msgs/s' },
    { key: 'maxMsgsPerSec', header: 'max msgs/s' },
    { key: 'nsPerMsg', header: 'ns/msg' },
    { key: 'roundTrips', header: 'round trips' },
    { key: 'p50us', header: 'p50 µs' },
    { key: 'p90us', header: 'p90 µs' },
    { key: 'p99us', header: 'p99 µs' },
    { key: 'maxUs', header: 'max µs' },
  ],
  targets: [
    { name: 'authenticated msgs/s over our link', figure: 'msgsPerSec', comparison: '>=', threshold: 2_000_000 },
    { name: 'round trip p50 (µs)', figure: 'rttP50us', comparison: '<=', threshold: 100 },
    { name: 'round trip p99 (µs)', figure: 'rttP99us', comparison: '<=', threshold: 250 },
  ],
  chart: {
    title: 'Messages per second over one loopback link (median)',
    unit: 'msgs/s',
    bars: [
      { label: LABELS.escher, figure: 'msgsPerSec' },
      { label: LABELS.ws, figure: 'rawWsMsgsPerSec' },
      { label: LABELS.tcp, figure: 'rawTcpMsgsPerSec' },
    ],
  },
  run,
});
