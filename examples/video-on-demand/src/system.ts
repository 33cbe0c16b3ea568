import { type Runtime, createRuntime } from '@escher/core';
import { PrimaryBackup } from '@escher/protocol-primary-backup';
import { TwoPhaseCommit } from '@escher/protocol-two-phase-commit';
import { BankApp, ClientApp, MediaLibraryApp, MultimediaServerApp } from './apps';
import type { Say } from './messages';

/** Settings of the video-on-demand system. */
export interface VodOptions {
  readonly say?: Say;
  /** Starting balance of the client's account. */
  readonly balance?: number;
  readonly catalogue?: Record<string, number>;
  /** How long the multimedia backup waits for the primary. */
  readonly failoverMs?: number;
  readonly runtime?: Runtime;
}

/** The running system, with handles the demo and the tests inspect. */
export interface VodSystem {
  readonly rt: Runtime;
  readonly tpc: TwoPhaseCommit;
  readonly pb: PrimaryBackup;
  readonly client: ClientApp;
  readonly library: MediaLibraryApp;
  readonly bank: BankApp;
  readonly mms: readonly MultimediaServerApp[];
}

export const DEFAULT_CATALOGUE: Record<string, number> = {
  Metropolis: 12,
  'Lawrence of Arabia': 40,
  Nosferatu: 8,
};

/**
 * Builds DIL's video-on-demand system (Fig. 2) on one runtime. The
 * applications are plain behaviours; all distribution policy is installed
 * afterwards as protocol roles, exactly as DIL's `newProtocol … addServer …`:
 *
 * - two-phase commit: initiator `/library`, servers `/client` and `/bank`;
 * - primary-backup: the multimedia service `/mms` refined into `/mms/1`
 *   (primary) and `/mms/2` (backup), with `/client` and `/library` as clients.
 *
 * `/client` carries two roles of two protocols on one stack.
 */
export function buildVideoOnDemand(options: VodOptions = {}): VodSystem {
  const say: Say = options.say ?? (() => {});
  const rt = options.runtime ?? createRuntime({ id: 'vod' });
  const catalogue = new Map(Object.entries(options.catalogue ?? DEFAULT_CATALOGUE));

  let tpc!: TwoPhaseCommit;
  const client = new ClientApp(say);
  const library = new MediaLibraryApp(catalogue, () => tpc, say);
  const bank = new BankApp({ '/client': options.balance ?? 30 }, say);
  const mms = [new MultimediaServerApp('/mms/1', say), new MultimediaServerApp('/mms/2', say)];
  rt.spawn('/client', client);
  rt.spawn('/library', library);
  rt.spawn('/bank', bank);
  rt.spawn('/mms/1', mms[0] as MultimediaServerApp);
  rt.spawn('/mms/2', mms[1] as MultimediaServerApp);

  // ProtocolInstance *tp = newProtocol Two-Phase(MediaLibrary); tp->addServer(Client); tp->addServer(Bank);
  tpc = new TwoPhaseCommit(rt, { initiator: '/library', voteTimeoutMs: 1000 }, 'payment');
  tpc.addServer('/client');
  tpc.addServer('/bank');

  const pb = new PrimaryBackup(rt, { service: '/mms', timeoutMs: options.failoverMs ?? 50 }, 'mms-replication');
  pb.addReplica('/mms/1');
  pb.addReplica('/mms/2');
  pb.addClient('/client');
  pb.addClient('/library');

  return { rt, tpc, pb, client, library, bank, mms };
}

/** Lets queued messages run, then waits `ms` for timers (failover) and lets the result run. */
export async function settle(rt: Runtime, ms = 0): Promise<void> {
  await rt.idle();
  if (ms > 0) {
    await new Promise((r) => setTimeout(r, ms));
    await rt.idle();
  }
}
