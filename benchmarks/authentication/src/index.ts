import { type BenchContext, type Case, defineBenchmark, formatNumber, interleave, median, perSecond } from '@escher/bench-harness';
import { Domains, SigningKey, initPki, verifySignature } from '@escher/pki';
import { LinkBench, MODES, type Measurement, type Mode } from './workload';

export { LinkBench, MODES, type Measurement, type Mode, MiscountError } from './workload';

/** Messages per run of each mode, for one frame size. */
type Counts = Readonly<Record<Mode, number>>;

interface Sizes {
  readonly rounds: number;
  readonly warmup: number;
  /** Frames of 64 messages (what a busy runtime sends) and of 1 (the worst case). */
  readonly batched: Counts;
  readonly single: Counts;
}

const FULL: Sizes = {
  rounds: 5,
  warmup: 1,
  batched: { none: 200_000, mac: 200_000, aead: 200_000, signPerMessage: 3_000, signPerBatch: 40_000 },
  single: { none: 40_000, mac: 40_000, aead: 40_000, signPerMessage: 2_000, signPerBatch: 2_000 },
};

const QUICK: Sizes = {
  rounds: 2,
  warmup: 1,
  batched: { none: 10_000, mac: 10_000, aead: 10_000, signPerMessage: 200, signPerBatch: 2_000 },
  single: { none: 2_000, mac: 2_000, aead: 2_000, signPerMessage: 100, signPerBatch: 100 },
};

const BATCH = 64;

const LABELS: Readonly<Record<Mode, string>> = {
  none: '(a) no authentication',
  mac: '(b) per-frame MAC',
  aead: '(c) per-frame AEAD',
  signPerMessage: '(d) Ed25519 per message',
  signPerBatch: '(e) Ed25519 per batch',
};

const SCENARIOS = [
  { name: `frames of ${BATCH}`, batch: BATCH, sizes: (s: Sizes) => s.batched, prefix: '' },
  { name: 'frames of 1', batch: 1, sizes: (s: Sizes) => s.single, prefix: 'single' },
] as const;

function key(prefix: string, mode: Mode): string {
  return prefix === '' ? mode : `${prefix}${mode[0]?.toUpperCase()}${mode.slice(1)}`;
}

/** Microseconds per Ed25519 signature and per verification (median of a few hundred). */
function ed25519Costs(n: number): { signUs: number; verifyUs: number } {
  const key = SigningKey.generate();
  const msg = new Uint8Array(100);
  const signs: number[] = [];
  const verifies: number[] = [];
  for (let i = 0; i < n; i++) {
    msg[0] = i & 0xff;
    let t = process.hrtime.bigint();
    const sig = key.sign(Domains.message, msg);
    signs.push(Number(process.hrtime.bigint() - t) / 1000);
    t = process.hrtime.bigint();
    if (!verifySignature(key.publicKey, Domains.message, msg, sig)) throw new Error('a fresh signature did not verify');
    verifies.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return { signUs: median(signs), verifyUs: median(verifies) };
}

async function run(ctx: BenchContext): Promise<void> {
  await initPki();
  const sizes = ctx.quick ? QUICK : FULL;
  const links = new Map<Mode, LinkBench>();
  for (const m of MODES) links.set(m, await LinkBench.create(m));
  ctx.note(
    `in-memory link, JSON codec; frames of ${BATCH} and of 1 message; ` +
      `${formatNumber(sizes.batched.none)} messages per run without signatures; ${sizes.rounds} rounds after ${sizes.warmup} warm-up`,
  );

  for (const sc of SCENARIOS) {
    const counts = sc.sizes(sizes);
    const cases: Case<Measurement>[] = MODES.map((m) => ({
      label: `${sc.name} ${LABELS[m]}`,
      measure: () => (links.get(m) as LinkBench).run(counts[m], sc.batch),
    }));
    const samples = await interleave(ctx, { rounds: sizes.rounds, warmup: sizes.warmup }, cases);
    const rates = samples.map((ms) => ms.map((m) => perSecond(m.messages, m.ns)));
    const base = rates[0] as number[];
    MODES.forEach((m, i) => {
      const r = rates[i] as number[];
      const rate = median(r);
      // Each round's cases ran back to back: the median of per-round ratios is steadier than a ratio of medians.
      const ratio = median(r.map((x, j) => x / (base[j] as number)));
      ctx.record({
        frames: sc.name,
        configuration: LABELS[m],
        messagesPerRun: counts[m],
        runs: r.length,
        medianMsgsPerSec: Math.round(rate),
        minMsgsPerSec: Math.round(Math.min(...r)),
        maxMsgsPerSec: Math.round(Math.max(...r)),
        nsPerMsg: Number((1e9 / rate).toFixed(1)),
        relativeToNone: Number(ratio.toFixed(4)),
      });
      ctx.figure(`${key(sc.prefix, m)}MsgsPerSec`, Math.round(rate));
      if (m !== 'none') ctx.figure(key(sc.prefix, m), Number(ratio.toFixed(4)));
    });
  }
  for (const l of links.values()) l.close();

  const costs = ed25519Costs(ctx.quick ? 50 : 500);
  ctx.figure('ed25519SignUs', Number(costs.signUs.toFixed(1)));
  ctx.figure('ed25519VerifyUs', Number(costs.verifyUs.toFixed(1)));
  ctx.note(`Ed25519 (libsodium, WebAssembly): sign ${costs.signUs.toFixed(1)} µs, verify ${costs.verifyUs.toFixed(1)} µs (medians)`);
}

/** The `authentication` benchmark. */
export const benchmark = defineBenchmark({
  name: 'authentication',
  description: 'msgs/s over an in-memory link: no authentication, per-frame MAC, per-frame AEAD, Ed25519 per message, Ed25519 per batch',
  columns: [
    { key: 'frames', header: 'frames' },
    { key: 'configuration', header: 'configuration' },
    { key: 'messagesPerRun', header: 'msgs/run' },
    { key: 'runs', header: 'runs' },
    { key: 'medianMsgsPerSec', header: 'median msgs/s' },
    { key: 'minMsgsPerSec', header: 'min msgs/s' },
    { key: 'maxMsgsPerSec', header: 'max msgs/s' },
    { key: 'nsPerMsg', header: 'ns/msg' },
    { key: 'relativeToNone', header: '× none' },
  ],
  targets: [{ name: 'per-frame MAC keeps half the throughput', figure: 'mac', comparison: '>=', threshold: 0.5 }],
  chart: {
    title: `Messages per second over an in-memory link (median, frames of ${BATCH})`,
    unit: 'msgs/s',
    bars: MODES.map((m) => ({ label: LABELS[m], figure: `${m}MsgsPerSec` })),
  },
  run,
});
