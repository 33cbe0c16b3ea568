/**
 * `npm run demo:cluster`: the replicated key-value store across four OS
 * processes on this machine, with `kill -9` of a replica's process halfway
 * and its restart. Exits non-zero unless every request got exactly one
 * correct reply.
 */
import { runKvCluster } from './run';

async function main(): Promise<void> {
  const requests = Number(process.env.KV_REQUESTS ?? 2000);
  const run = await runKvCluster({ requests, log: (line) => console.log(line) });
  console.log(
    `${run.answered}/${run.requests} requests answered across ${run.processes} processes in ${run.elapsedMs} ms; ` +
      `${run.wrong.length} wrong, ${run.duplicates} duplicate replies; failures: ${run.steps.join(', ') || 'none'}`,
  );
  for (const w of run.wrong.slice(0, 10)) console.log(`  wrong: ${w}`);
  if (run.answered !== run.requests || run.wrong.length > 0 || run.duplicates > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
