export { main } from './main';
export { runPki, PKI_USAGE, type PkiCommandOptions } from './pki-commands';
export { type Output, processOutput, UsageError } from './output';
