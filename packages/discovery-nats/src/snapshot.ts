/**
 * Late joiners (and runtimes back from a disconnection) ask everyone for
 * their records at once instead of waiting a heartbeat: a NATS request on
 * `escher.<system>.sync` whose payload names the subject patterns the asker
 * listens to; every runtime answers with one or more snapshot messages, each
 * a list of its records (the exact JSON text it publishes, signatures
 * included, so the asker checks them as if they had been published), and
 * always at least one message, possibly empty, so the asker's collection can
 * end as soon as replies stop.
 *
 * Request: `{"v":1,"patterns":[…]}` (no `patterns`: everything).
 * Reply: `{"v":1,"records":["<record JSON>", …]}`.
 */
import { MalformedAnnouncementError, OversizedAnnouncementError } from './errors';
import { subjectMatches } from './subjects';

/** Most patterns a sync request may carry. */
export const MAX_SYNC_PATTERNS = 1024;
/** Target size of one snapshot reply (NATS refuses payloads above its max_payload, 1 MiB by default). */
export const SNAPSHOT_CHUNK_BYTES = 256 * 1024;

/** A record as held for publication: its subject and encoded text. */
export interface PublishedRecord {
  readonly subject: string;
  readonly text: string;
}

/** The request a joiner sends. */
export function encodeSyncRequest(patterns: readonly string[] | undefined): string {
  return JSON.stringify(patterns === undefined ? { v: 1 } : { v: 1, patterns });
}

/** Parses a sync request. @throws MalformedAnnouncementError */
export function parseSyncRequest(bytes: Uint8Array): readonly string[] | undefined {
  if (bytes.length > 4 * 1024 * 1024) throw new OversizedAnnouncementError(bytes.length, 4 * 1024 * 1024);
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new MalformedAnnouncementError('sync request is not JSON', { cause });
  }
  if (typeof o !== 'object' || o === null || (o as { v?: unknown }).v !== 1) throw new MalformedAnnouncementError('sync request of unknown version');
  const patterns = (o as { patterns?: unknown }).patterns;
  if (patterns === undefined) return undefined;
  if (!Array.isArray(patterns) || patterns.length > MAX_SYNC_PATTERNS || patterns.some((p) => typeof p !== 'string' || p.length === 0 || p.length > 4096)) {
    throw new MalformedAnnouncementError('sync request patterns must be a list of subjects');
  }
  return patterns as string[];
}

/** The replies to a request: the records matching its patterns, in chunks; at least one reply. */
export function encodeSnapshots(records: Iterable<PublishedRecord>, patterns: readonly string[] | undefined): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const r of records) {
    if (patterns !== undefined && !patterns.some((p) => subjectMatches(p, r.subject))) continue;
    const item = JSON.stringify(r.text);
    if (chunk.length > 0 && size + item.length > SNAPSHOT_CHUNK_BYTES) {
      out.push(wrap(chunk));
      chunk = [];
      size = 0;
    }
    chunk.push(item);
    size += item.length + 1;
  }
  out.push(wrap(chunk));
  return out;
}

/** The record texts of one reply. @throws MalformedAnnouncementError, OversizedAnnouncementError */
export function parseSnapshot(bytes: Uint8Array, maxBytes: number): string[] {
  if (bytes.length > maxBytes) throw new OversizedAnnouncementError(bytes.length, maxBytes);
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw new MalformedAnnouncementError('snapshot is not JSON', { cause });
  }
  const records = typeof o === 'object' && o !== null && (o as { v?: unknown }).v === 1 ? (o as { records?: unknown }).records : undefined;
  if (!Array.isArray(records) || records.some((r) => typeof r !== 'string')) throw new MalformedAnnouncementError('snapshot must list records as strings');
  return records as string[];
}

function wrap(items: string[]): string {
  return `{"v":1,"records":[${items.join(',')}]}`;
}
