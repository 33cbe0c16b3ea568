import { type Case, defineBenchmark, interleave, median, timeSync } from '@escher/bench-harness';
import { type PrimaryBackupVariant, dilPrimaryBackup, handPrimaryBackup } from './primary-backup';
import { type TwoPhaseVariant, dilTwoPhaseCommit, handTwoPhaseCommit } from './two-phase-commit';

/** DIL's measurement unit: 1000 interactions. */
const INTERACTIONS = 1000;

type Variant = PrimaryBackupVariant | TwoPhaseVariant;

/**
 * DIL's benchmark (Astley, Sturman, Agha, "Implementation"): the time for
 * 1000 interactions with the protocol installed as roles, against the same
 * protocol hand-coded in the application, in one run, alternating, medians.
 * The figure is the ratio DIL / hand-coded (1.00 = no overhead).
 */
export const benchmark = defineBenchmark({
  name: 'dil-vs-hand-coded',
  description: 'primary-backup and 2PC as DIL roles vs hand-coded in the application: time per 1000 interactions',
  targets: [
    { name: 'primary-backup overhead ≤ 1.05×', figure: 'primaryBackup', comparison: '<=', threshold: 1.05 },
    { name: '2PC overhead ≤ 1.10×', figure: 'twoPhaseCommit', comparison: '<=', threshold: 1.1 },
  ],
  chart: {
    title: 'Time per 1000 interactions (median), DIL roles vs hand-coded',
    unit: 'µs',
    bars: [
      { label: 'primary-backup, DIL roles', figure: 'primaryBackupDilUs' },
      { label: 'primary-backup, hand-coded', figure: 'primaryBackupHandUs' },
      { label: '2PC, DIL roles', figure: 'twoPhaseCommitDilUs' },
      { label: '2PC, hand-coded', figure: 'twoPhaseCommitHandUs' },
    ],
  },
  async run(ctx) {
    const rounds = ctx.quick ? 5 : 101;
    const warmup = ctx.quick ? 1 : 10;
    const pair = async (protocol: string, dil: Variant, hand: Variant, key: string) => {
      const cases: Case<number>[] = [
        { label: `${protocol} DIL`, measure: () => timeSync(() => dil.run(INTERACTIONS)) },
        { label: `${protocol} hand-coded`, measure: () => timeSync(() => hand.run(INTERACTIONS)) },
      ];
      const [dilNs, handNs] = (await interleave(ctx, { rounds, warmup }, cases)) as [number[], number[]];
      // The work really happened, in both variants, the same amount.
      const perRun = protocol === '2PC' ? 2 * INTERACTIONS : INTERACTIONS;
      const expected = (rounds + warmup) * perRun;
      if (dil.applied() !== expected || hand.applied() !== expected) {
        throw new Error(`${protocol}: applied ${dil.applied()} (DIL) and ${hand.applied()} (hand) interactions, expected ${expected}`);
      }
      const dilUs = median(dilNs) / 1000;
      const handUs = median(handNs) / 1000;
      // Median of per-round ratios: each round's pair ran back to back under the same conditions.
      const ratio = median(dilNs.map((d, i) => d / (handNs[i] as number)));
      ctx.record({ protocol, variant: 'DIL roles', interactions: INTERACTIONS, rounds, medianUs: dilUs, nsPerInteraction: (dilUs * 1000) / INTERACTIONS });
      ctx.record({ protocol, variant: 'hand-coded', interactions: INTERACTIONS, rounds, medianUs: handUs, nsPerInteraction: (handUs * 1000) / INTERACTIONS });
      ctx.figure(key, ratio);
      ctx.figure(`${key}DilUs`, dilUs);
      ctx.figure(`${key}HandUs`, handUs);
    };
    await pair('primary-backup', dilPrimaryBackup(), handPrimaryBackup(), 'primaryBackup');
    await pair('2PC', dilTwoPhaseCommit(), handTwoPhaseCommit(), 'twoPhaseCommit');
  },
});
