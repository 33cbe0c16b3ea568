import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { Path } from '@escher/core';
import { CorruptRaftStorageError, RaftStorageError } from '../errors';
import type { Command } from '../messages';
import type { PersistedRaftState, RaftStorage } from './raft-storage';
import { HEADER_BYTES, RecordKind, type StorageRecord, checkHeader, encodeHeader, encodeRecord, readRecord } from './record-format';

/** The file operations {@link FileStorage} uses: node's `fs` by default; tests count or fail them. */
export type FileIo = Pick<
  typeof fs,
  'openSync' | 'closeSync' | 'readFileSync' | 'writeSync' | 'fsyncSync' | 'ftruncateSync' | 'mkdirSync'
>;

/** Options of {@link FileStorage}. */
export interface FileStorageOptions {
  /** File operations (default: node's `fs`). */
  readonly io?: FileIo;
}

/**
 * {@link RaftStorage} in an append-only file per replica (format in
 * `record-format.ts`: versioned header, records with lengths and CRC-32
 * checksums). `save*` calls only buffer records; {@link FileStorage.sync}
 * writes them with `fs.writeSync` and makes them durable with
 * `fs.fsyncSync`: one write and one fsync per batch, however many entries
 * the batch holds.
 *
 * Opening reads the whole file. A torn last write (a record cut short, or
 * zeros, at the end) is dropped and the file truncated to the last whole
 * record — the state says so in `repaired`. Anything else that does not
 * read back (a bad checksum with records after it, an unknown format or
 * version, a gap in the log) throws {@link CorruptRaftStorageError}: never
 * skipped silently.
 *
 * The file only grows (no snapshots yet): a restarted replica replays the
 * whole log into its fresh application.
 */
export class FileStorage<C = Command> implements RaftStorage<C> {
  private readonly io: FileIo;
  private fd: number | undefined;
  /** Bytes of the file that are whole records (where the next write goes). */
  private size = 0;
  private inc = -1;
  private loaded: PersistedRaftState<C> | undefined;
  /** Records saved since the last sync. */
  private pending: Buffer[] = [];
  /** Entries saved since the last record was cut: one record per contiguous run. */
  private runFirst = 0;
  private runTerms: number[] = [];
  private runCmds: C[] = [];
  /** An incarnation saved since the last sync: it becomes `incarnation` once synced. */
  private pendingIncarnation: number | undefined;

  /** Syncs that wrote something (each one `fsync`). */
  syncs = 0;
  /** Bytes written. */
  bytesWritten = 0;

  /**
   * Opens (creating it and its directory if needed) the file of one replica.
   * @throws CorruptRaftStorageError, RaftStorageError
   */
  constructor(
    readonly file: string,
    options: FileStorageOptions = {},
  ) {
    this.io = options.io ?? fs;
    this.loaded = this.open();
  }

  /** The storage of replica `replica` in directory `dir`: one file per replica path. */
  static inDirectory<C = Command>(dir: string, replica: Path | string, options: FileStorageOptions = {}): FileStorage<C> {
    return new FileStorage<C>(join(dir, FileStorage.fileName(replica)), options);
  }

  /** File name for a replica path: its segments joined by `~` (which a segment never holds), e.g. `kv~1.raft`. */
  static fileName(replica: Path | string): string {
    const p = Path.parse(replica);
    if (p === '') throw new RaftStorageError('file storage', 'the system agent has no replica storage');
    return `${p.slice(1).split('/').join('~')}.raft`;
  }

  get incarnation(): number {
    return this.inc;
  }

  load(): PersistedRaftState<C> {
    this.dropPending();
    const state = this.loaded;
    this.loaded = undefined;
    if (state !== undefined) return state;
    this.closeFd();
    return this.open();
  }

  saveTermAndVote(term: number, votedFor: number): void {
    this.cutRun();
    this.pending.push(encodeRecord({ kind: RecordKind.TermAndVote, term, votedFor }));
  }

  saveEntry(index: number, term: number, cmd: C): void {
    if (this.runTerms.length !== 0 && index !== this.runFirst + this.runTerms.length) this.cutRun();
    if (this.runTerms.length === 0) this.runFirst = index;
    this.runTerms.push(term);
    this.runCmds.push(cmd);
  }

  saveIncarnation(incarnation: number): void {
    this.cutRun();
    this.pending.push(encodeRecord({ kind: RecordKind.Incarnation, incarnation }));
    this.pendingIncarnation = incarnation;
  }

  sync(): void {
    this.cutRun();
    if (this.pending.length === 0) return;
    const fd = this.requireFd();
    const bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    try {
      for (let off = 0; off < bytes.length; ) off += this.io.writeSync(fd, bytes, off, bytes.length - off, this.size + off);
      this.io.fsyncSync(fd);
    } catch (cause) {
      // What reached the file may be a torn write: the next open drops it. This instance is done.
      this.dropPending();
      this.closeFd();
      throw new RaftStorageError(this.file, 'write or fsync failed', { cause });
    }
    this.size += bytes.length;
    this.bytesWritten += bytes.length;
    this.syncs++;
    this.pending = [];
    if (this.pendingIncarnation !== undefined) this.inc = this.pendingIncarnation;
    this.pendingIncarnation = undefined;
  }

  /** Closes the file; changes not synced are dropped (a crash loses them too). */
  close(): void {
    this.dropPending();
    this.closeFd();
  }

  private dropPending(): void {
    this.pending = [];
    this.runTerms = [];
    this.runCmds = [];
    this.pendingIncarnation = undefined;
  }

  private cutRun(): void {
    if (this.runTerms.length === 0) return;
    this.pending.push(encodeRecord({ kind: RecordKind.Entries, first: this.runFirst, terms: this.runTerms, cmds: this.runCmds }));
    this.runTerms = [];
    this.runCmds = [];
  }

  private requireFd(): number {
    if (this.fd === undefined) throw new RaftStorageError(this.file, 'the file is closed');
    return this.fd;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      this.io.closeSync(this.fd);
    } catch {
      // Closing after a failed write may fail too; the descriptor is gone either way.
    }
    this.fd = undefined;
  }

  /** Opens the file, reads it whole, repairs a torn tail. */
  private open(): PersistedRaftState<C> {
    let bytes: Buffer;
    let created = false;
    try {
      this.io.mkdirSync(dirname(this.file), { recursive: true });
      this.fd = this.io.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT);
      bytes = this.io.readFileSync(this.fd);
    } catch (cause) {
      this.closeFd();
      throw new RaftStorageError(this.file, 'cannot open', { cause });
    }
    const fd = this.fd;
    if (bytes.length < HEADER_BYTES && encodeHeader().subarray(0, bytes.length).equals(bytes)) {
      // A new file, or one whose creation a crash interrupted: start it.
      this.writeAt(fd, encodeHeader(), 0, true);
      bytes = encodeHeader();
      created = true;
    }
    const bad = checkHeader(bytes);
    if (bad !== undefined) {
      this.closeFd();
      throw new CorruptRaftStorageError(this.file, bad, 0);
    }
    let term = 0;
    let votedFor = -1;
    let inc = -1;
    const terms: number[] = [];
    const cmds: C[] = [];
    let repaired: string | undefined;
    let at = HEADER_BYTES;
    for (;;) {
      const r = readRecord(bytes, at);
      if (r.kind === 'end') break;
      if (r.kind === 'corrupt') {
        this.closeFd();
        throw new CorruptRaftStorageError(this.file, r.why, r.at);
      }
      if (r.kind === 'torn') {
        repaired = `${bytes.length - r.at} byte(s) at offset ${r.at} (${r.why})`;
        this.truncate(fd, r.at);
        break;
      }
      const why = apply(r.record, terms, cmds);
      if (why !== undefined) {
        this.closeFd();
        throw new CorruptRaftStorageError(this.file, why, at);
      }
      if (r.record.kind === RecordKind.TermAndVote) {
        term = r.record.term;
        votedFor = r.record.votedFor;
      } else if (r.record.kind === RecordKind.Incarnation) inc = r.record.incarnation;
      at = r.next;
    }
    this.size = at;
    this.inc = inc;
    if (created) this.syncDirectory();
    return { term, votedFor, terms, cmds, incarnation: inc, ...(repaired === undefined ? {} : { repaired }) };
  }

  private writeAt(fd: number, bytes: Buffer, position: number, sync: boolean): void {
    try {
      for (let off = 0; off < bytes.length; ) off += this.io.writeSync(fd, bytes, off, bytes.length - off, position + off);
      if (sync) this.io.fsyncSync(fd);
    } catch (cause) {
      this.closeFd();
      throw new RaftStorageError(this.file, 'cannot write the header', { cause });
    }
  }

  private truncate(fd: number, length: number): void {
    try {
      this.io.ftruncateSync(fd, length);
      this.io.fsyncSync(fd);
    } catch (cause) {
      this.closeFd();
      throw new RaftStorageError(this.file, 'cannot drop a torn tail', { cause });
    }
  }

  /** A new file's name must survive a crash too: sync its directory (where the platform allows it). */
  private syncDirectory(): void {
    let dfd: number | undefined;
    try {
      dfd = this.io.openSync(dirname(this.file), fs.constants.O_RDONLY);
      this.io.fsyncSync(dfd);
    } catch {
      // Some platforms cannot fsync a directory; the file's own fsync is the best they offer.
    } finally {
      if (dfd !== undefined) this.io.closeSync(dfd);
    }
  }
}

/** Applies one entries record to the log being rebuilt; why it cannot be applied, if so. */
function apply<C>(r: StorageRecord, terms: number[], cmds: C[]): string | undefined {
  if (r.kind !== RecordKind.Entries) return undefined;
  if (r.first > terms.length + 1) return `entries from ${r.first} after ${terms.length}: a gap in the log`;
  terms.length = r.first - 1;
  cmds.length = r.first - 1;
  for (let i = 0; i < r.terms.length; i++) {
    terms.push(r.terms[i] as number);
    cmds.push(r.cmds[i] as C);
  }
  return undefined;
}
