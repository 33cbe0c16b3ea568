/**
 * `escher cluster run <system.json> --registry <module>`: one command that
 * starts a system description across OS processes on this machine (one per
 * node named in the description), prints what the nodes report, injects
 * `kill -9` failures on a schedule, and stops when a node reports
 * `{ kind: 'done' }` or after `--for` seconds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from '@escher/cluster';
import type { SystemDescription } from '@escher/protocol-refinement';
import { type Output, UsageError } from './output';

export const CLUSTER_USAGE = [
  'usage: escher cluster run <system.json> --registry <module.js> [--settings <json>] [--nats <url>]',
  '                          [--kill <node>@<seconds>[+<restart-ms>]]… [--for <seconds>] [--aead]',
  '',
  '  <system.json>  a system description; every physical agent names its node',
  '  --registry     module exporting createRegistry(env): the behaviours and wrappers the description names',
  '  --settings     JSON handed to every node\'s registry',
  '  --nats         an existing NATS server (default: start nats-server on a free 127.0.0.1 port)',
  '  --kill         SIGKILL the node\'s process that many seconds after start; restart it after <restart-ms>',
  '  --for          stop after this many seconds (default: when a node reports {"kind":"done"}, at most 600 s)',
  '  --aead         encrypt frames between processes (default: MAC only, all processes on this host)',
].join('\n');

/** One scheduled failure. */
interface Kill {
  readonly node: string;
  readonly atMs: number;
  readonly restartMs: number | undefined;
}

function parseKill(spec: string): Kill {
  const m = /^([^@]+)@(\d+(?:\.\d+)?)(?:\+(\d+))?$/.exec(spec);
  if (m === null) throw new UsageError(`--kill ${spec}: expected <node>@<seconds>[+<restart-ms>]`);
  return { node: m[1] as string, atMs: Number(m[2]) * 1000, restartMs: m[3] === undefined ? undefined : Number(m[3]) };
}

/** Runs `escher cluster <argv…>`; exit code 0 when the run ended as asked, 1 on a node failure, 2 for a bad command line. */
export async function runCluster(argv: readonly string[], output: Output): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    (command === undefined ? output.err : output.out)(CLUSTER_USAGE);
    return command === undefined ? 2 : 0;
  }
  let description: SystemDescription;
  let options: { registry: string; settings: Record<string, unknown>; nats: string | undefined; kills: Kill[]; forMs: number | undefined; aead: boolean };
  try {
    if (command !== 'run') throw new UsageError(`unknown cluster command ${JSON.stringify(command)}`);
    const { values, positionals } = parseArgs({
      args: [...rest],
      allowPositionals: true,
      options: {
        registry: { type: 'string' },
        settings: { type: 'string' },
        nats: { type: 'string' },
        kill: { type: 'string', multiple: true },
        for: { type: 'string' },
        aead: { type: 'boolean' },
      },
    });
    if (positionals.length !== 1) throw new UsageError('give exactly one system description');
    if (values.registry === undefined) throw new UsageError('--registry is required');
    description = JSON.parse(fs.readFileSync(positionals[0] as string, 'utf8')) as SystemDescription;
    const forMs = values.for === undefined ? undefined : Number(values.for) * 1000;
    if (forMs !== undefined && !(forMs > 0)) throw new UsageError('--for takes a positive number of seconds');
    options = {
      registry: path.resolve(values.registry),
      settings: values.settings === undefined ? {} : (JSON.parse(values.settings) as Record<string, unknown>),
      nats: values.nats,
      kills: (values.kill ?? []).map(parseKill),
      forMs,
      aead: values.aead === true,
    };
  } catch (e) {
    output.err(`escher cluster: ${e instanceof Error ? e.message : String(e)}\n${CLUSTER_USAGE}`);
    return 2;
  }

  const cluster = await Cluster.start({
    description,
    registryModule: options.registry,
    settings: options.settings,
    protection: options.aead ? 'aead' : 'mac',
    ...(options.nats === undefined ? {} : { nats: options.nats }),
  });
  output.out(`nats ${cluster.natsUrl}`);
  for (const n of cluster.nodeNames) output.out(`node ${n} pid ${String(cluster.pid(n))} hosts ${(cluster.placement.get(n) ?? []).join(' ')}`);
  const started = Date.now();
  const timers: NodeJS.Timeout[] = [];
  let failed = false;
  try {
    await new Promise<void>((resolve) => {
      cluster.events$.subscribe((e) => {
        const m = e.message;
        if (m.type === 'report') {
          output.out(`${e.node} ${JSON.stringify(m.report)}`);
          if ((m.report as { kind?: unknown } | null)?.kind === 'done' && options.forMs === undefined) resolve();
        } else if (m.type === 'failed') {
          output.err(`${e.node} failed: ${m.error}`);
          failed = true;
          resolve();
        }
      });
      for (const k of options.kills) {
        timers.push(
          setTimeout(() => {
            void (async () => {
              output.out(`${((Date.now() - started) / 1000).toFixed(1)} s: kill -9 ${k.node} (pid ${String(cluster.pid(k.node))})`);
              await cluster.kill(k.node);
              if (k.restartMs !== undefined) {
                await new Promise((r) => setTimeout(r, k.restartMs));
                await cluster.restart(k.node);
                output.out(`${((Date.now() - started) / 1000).toFixed(1)} s: ${k.node} restarted (pid ${String(cluster.pid(k.node))})`);
              }
            })().catch((err: unknown) => {
              output.err(`${k.node}: ${err instanceof Error ? err.message : String(err)}`);
              failed = true;
              resolve();
            });
          }, k.atMs),
        );
      }
      timers.push(setTimeout(resolve, options.forMs ?? 600_000));
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    await cluster.stop();
  }
  output.out(`stopped after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return failed ? 1 : 0;
}
