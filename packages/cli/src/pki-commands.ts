/**
 * `escher pki …`: a system's keys and certificates in a folder (see
 * @escher/pki's KeyStore for the layout).
 *
 * - `init-root <dir> [--epoch n]` — the system agent's key and self-signed certificate.
 * - `refine <dir> <parent> --children a,b,c --merge spec.json [--epoch n] [--fresh-keys]` —
 *   certify the parent's children with its key, the hash of the MergeSpec
 *   (SHA-256 of its canonical JSON) and a new epoch.
 * - `show <dir> <path> [--json]` — the chain of `path`, root first.
 * - `verify <dir> <path>` — verify that chain against the store's root and epochs.
 *
 * The system agent's path is `""`; `/` is accepted for it on the command
 * line. Nothing printed ever includes a private key.
 */
import * as fs from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { Path } from '@escher/core';
import {
  type Certificate,
  KeyStore,
  type MergeSpecHasher,
  PkiError,
  canonicalJson,
  initPki,
  initRootInStore,
  refineInStore,
} from '@escher/pki';
import { type Output, UsageError } from './output';

export const PKI_USAGE = [
  'usage: escher pki init-root <dir> [--epoch <n>]',
  '       escher pki refine <dir> <parent-path> --children <a,b,c> --merge <spec.json> [--epoch <n>] [--fresh-keys]',
  '       escher pki show <dir> <path> [--json]',
  '       escher pki verify <dir> <path>',
  '',
  '  <dir>     the system\'s key store folder (created by init-root)',
  '  <path>    an agent path such as /kv/1; "/" or "" is the system agent',
  '  --merge   the parent\'s MergeSpec as JSON; certificates carry SHA-256 of its canonical JSON',
  '  --epoch   epoch of the new refinement (default: one above the last)',
].join('\n');

/** Settings of {@link runPki}; the refinement protocol's own hasher can replace the default. */
export interface PkiCommandOptions {
  readonly hasher?: MergeSpecHasher;
}

/**
 * Runs `escher pki <argv…>` and returns the exit code: 0 on success, 1 when
 * the PKI refuses (a chain does not verify, a key is missing), 2 for a bad
 * command line.
 */
export async function runPki(argv: readonly string[], output: Output, options: PkiCommandOptions = {}): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined) {
      output.err(PKI_USAGE);
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      output.out(PKI_USAGE);
      return 0;
    }
    await initPki();
    switch (command) {
      case 'init-root':
        return initRoot(rest, output);
      case 'refine':
        return refine(rest, output, options);
      case 'show':
        return show(rest, output);
      case 'verify':
        return verify(rest, output);
      default:
        throw new UsageError(`unknown pki command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      output.err(`escher pki: ${e.message}\n${PKI_USAGE}`);
      return 2;
    }
    if (e instanceof PkiError) {
      output.err(`escher pki: ${e.code}: ${e.message}`);
      return 1;
    }
    if (e instanceof RangeError || e instanceof SyntaxError) {
      output.err(`escher pki: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

interface Parsed {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

function parse(args: readonly string[], positionals: number, options: NonNullable<ParseArgsConfig['options']> = {}): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true }) as Parsed;
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`expected ${positionals} argument(s), got ${parsed.positionals.length}`);
  }
  return parsed;
}

function agentPath(arg: string): Path {
  const p = arg === '/' ? '' : arg;
  if (!Path.isValid(p)) throw new UsageError(`${JSON.stringify(arg)} is not an agent path`);
  return p;
}

function epochOption(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--epoch must be a non-negative integer`);
  return n;
}

function openExisting(dir: string): KeyStore {
  if (!fs.existsSync(dir)) throw new UsageError(`${dir} does not exist (run escher pki init-root ${dir} first)`);
  return KeyStore.open(dir);
}

function name(p: string): string {
  return p === '' ? '"" (system agent)' : p;
}

function initRoot(args: readonly string[], output: Output): number {
  const { positionals, values } = parse(args, 1, { epoch: { type: 'string' } });
  const dir = positionals[0] as string;
  const epoch = epochOption(values.epoch);
  const root = initRootInStore(KeyStore.open(dir), epoch === undefined ? {} : { epoch });
  output.out(`created the system agent in ${dir}`);
  output.out(`  key ${root.key.fingerprint} (private key: agents/+/private.key, mode 600)`);
  return 0;
}

function refine(args: readonly string[], output: Output, options: PkiCommandOptions): number {
  const { positionals, values } = parse(args, 2, {
    children: { type: 'string' },
    merge: { type: 'string' },
    epoch: { type: 'string' },
    'fresh-keys': { type: 'boolean' },
  });
  const [dir, parentArg] = positionals as [string, string];
  const parent = agentPath(parentArg);
  if (typeof values.children !== 'string' || values.children === '') throw new UsageError('--children is required, such as --children 1,2,3');
  if (typeof values.merge !== 'string') throw new UsageError('--merge is required: a JSON file with the MergeSpec');
  const children = values.children.split(',').map((c) => c.trim());
  let mergeSpec: unknown;
  try {
    mergeSpec = JSON.parse(fs.readFileSync(values.merge, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read the MergeSpec ${values.merge}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const epoch = epochOption(values.epoch);
  const store = openExisting(dir);
  const r = refineInStore(store, parent, {
    children,
    mergeSpec,
    ...(epoch === undefined ? {} : { epoch }),
    ...(options.hasher === undefined ? {} : { hasher: options.hasher }),
    freshKeys: values['fresh-keys'] === true,
  });
  output.out(`refined ${name(parent)} at epoch ${r.epoch}`);
  output.out(`  merge spec ${canonicalJson(mergeSpec)}`);
  output.out(`  merge spec hash ${Buffer.from(r.mergeSpecHash).toString('hex')}${options.hasher === undefined ? ' (sha256 of canonical JSON)' : ''}`);
  for (const c of r.certificates) output.out(`  ${c.path}  key ${c.fingerprint}`);
  return 0;
}

function describe(c: Certificate, hasKey: boolean): string[] {
  const j = c.toJSON();
  return [
    `${name(c.path)}`,
    `  issuer      ${name(c.issuer)}${c.isRoot ? ' (self-signed)' : ''}`,
    `  algorithm   ed25519`,
    `  epoch       ${c.epoch}`,
    `  public key  ${String(j.publicKey)}`,
    `  fingerprint ${c.fingerprint}`,
    `  merge spec  ${String(j.parentMergeSpecHash)}`,
    `  private key ${hasKey ? 'held in this store' : 'not in this store'}`,
  ];
}

function show(args: readonly string[], output: Output): number {
  const { positionals, values } = parse(args, 2, { json: { type: 'boolean' } });
  const [dir, pathArg] = positionals as [string, string];
  const store = openExisting(dir);
  const chain = store.chain(agentPath(pathArg));
  if (values.json === true) {
    output.out(JSON.stringify(chain.certificates.map((c) => ({ ...c.toJSON(), privateKeyHeld: store.hasPrivateKey(c.path) })), null, 2));
    return 0;
  }
  for (const c of chain.certificates) for (const line of describe(c, store.hasPrivateKey(c.path))) output.out(line);
  return 0;
}

function verify(args: readonly string[], output: Output): number {
  const { positionals } = parse(args, 2);
  const [dir, pathArg] = positionals as [string, string];
  const store = openExisting(dir);
  const path = agentPath(pathArg);
  const v = store.trustStore().verifyChain(store.chain(path));
  output.out(`ok ${name(v.path)}: ${v.chain.certificates.length} certificate(s) verified up to the system agent ${v.chain.root.fingerprint}, epoch ${v.epoch}`);
  return 0;
}
