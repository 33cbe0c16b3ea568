import { runScenario } from './scenario';
import { describeEvent } from './trace';

/** `npm run demo`: the video-on-demand story in one process, with a readable trace. */
async function main(): Promise<void> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out('Escher video-on-demand demo (DIL Fig. 2): two-phase commit for payment + receipt,');
  out('primary-backup for the multimedia server, all installed as protocol roles.');
  out('Lines with "->" are messages on the bus (with [protocol-instance:tag]); the others are what agents say.');
  const outcome = await runScenario({
    say: (agent, text) => out(`  ${agent.padEnd(9)} ${text}`),
    chapter: (title) => out(`\n== ${title}`),
    trace: (e) => {
      const line = describeEvent(e);
      if (line !== undefined) out(line);
    },
  });
  const { rt, tpc, pb } = outcome.system;
  out('\n== Outcome');
  out(`  client watched:          ${JSON.stringify(outcome.watched)}`);
  out(`  client receipts:         ${JSON.stringify(outcome.receipts)}`);
  out(`  client refused:          ${JSON.stringify(outcome.refused)}`);
  out(`  client balance:          ${outcome.balance} (30 - 12 - 8)`);
  out(`  sources the client saw:  ${JSON.stringify(outcome.sourcesSeenByClient)} (never a replica)`);
  out(`  streams run by /mms/1:   ${JSON.stringify(outcome.servedBy['/mms/1'])}`);
  out(`  streams run by /mms/2:   ${JSON.stringify(outcome.servedBy['/mms/2'])} (/mms/2 is now ${pb.replicaAt('/mms/2' as never)?.mode ?? '?'})`);
  out(`  stack of /client:        ${JSON.stringify(rt.agent('/client')?.stack)}`);
  out(`  protocol instances:      ${tpc.id}, ${pb.id}`);
  out(`  bus counters:            ${JSON.stringify(rt.counters.snapshot())}`);
  rt.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
