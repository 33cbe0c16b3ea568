export { PrimaryBackup, type PrimaryBackupParams } from './primary-backup';
export { Replica } from './replica';
export { Client } from './client';
export type { CopyTag, RequestCopy, TookOver } from './messages';
