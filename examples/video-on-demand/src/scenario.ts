import type { BusEvent } from '@escher/core';
import { buildVideoOnDemand, settle, type VodOptions, type VodSystem } from './system';

/** What the demo's story produced. */
export interface ScenarioOutcome {
  readonly system: VodSystem;
  readonly balance: number;
  readonly watched: Record<string, number>;
  readonly refused: readonly string[];
  readonly receipts: readonly string[];
  readonly sourcesSeenByClient: readonly string[];
  readonly servedBy: Record<string, readonly string[]>;
}

/**
 * The demo's story: a purchase that commits, one the bank refuses for lack
 * of funds, then the primary multimedia server crashes and a third purchase
 * is streamed by the backup without the client noticing.
 */
export async function runScenario(
  options: VodOptions & { chapter?: (title: string) => void; trace?: (e: BusEvent) => void } = {},
): Promise<ScenarioOutcome> {
  const chapter = options.chapter ?? (() => {});
  const failoverMs = options.failoverMs ?? 50;
  const system = buildVideoOnDemand({ ...options, failoverMs });
  const { rt } = system;
  if (options.trace !== undefined) rt.events$.subscribe(options.trace);

  chapter('1. The client orders "Metropolis" (12); the account holds 30');
  rt.send('/client', '/library', { type: 'order', movie: 'Metropolis' });
  await settle(rt);

  chapter('2. The client orders "Lawrence of Arabia" (40): the bank votes abort');
  rt.send('/client', '/library', { type: 'order', movie: 'Lawrence of Arabia' });
  await settle(rt);

  chapter('3. The primary multimedia server /mms/1 crashes; the client orders "Nosferatu" (8)');
  rt.crash('/mms/1');
  rt.send('/client', '/library', { type: 'order', movie: 'Nosferatu' });
  await settle(rt, failoverMs * 3);

  const { client, bank, mms } = system;
  return {
    system,
    balance: bank.balances.get('/client') ?? 0,
    watched: Object.fromEntries(client.watched),
    refused: [...client.refusals],
    receipts: [...client.receipts],
    sourcesSeenByClient: [...client.chunkSources],
    servedBy: { '/mms/1': [...(mms[0]?.served ?? [])], '/mms/2': [...(mms[1]?.served ?? [])] },
  };
}
