#!/usr/bin/env node
/**
 * The `escher` command. Each group of commands lives in its own file
 * (`pki-commands.ts` for `escher pki …`); this file only dispatches.
 */
import { type Output, processOutput } from './output';
import { CLUSTER_USAGE, runCluster } from './cluster-commands';
import { PKI_USAGE, runPki } from './pki-commands';

const USAGE = [
  'usage: escher <group> <command> [arguments]',
  '',
  'groups:',
  '  pki      keys and certificates of a system',
  '  cluster  run a system description across processes',
  '',
  PKI_USAGE,
  '',
  CLUSTER_USAGE,
].join('\n');

/** Runs the command line and returns the exit code (0 ok, 1 refused, 2 bad command line). */
export async function main(argv: readonly string[], output: Output = processOutput): Promise<number> {
  const [group, ...rest] = argv;
  switch (group) {
    case 'pki':
      return runPki(rest, output);
    case 'cluster':
      return runCluster(rest, output);
    case '--help':
    case '-h':
    case 'help':
      output.out(USAGE);
      return 0;
    default:
      output.err(group === undefined ? USAGE : `escher: unknown command group ${JSON.stringify(group)}\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`escher: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
