import { createHash } from 'node:crypto';
import type { Item, Storage } from '../storage/index.js';
import { readEnvelope, type Envelope } from './envelope.js';
import type { MboxEntry } from './mbox-reader.js';
import { ArchiveDamagedError } from '../errors.js';

/**
 * A source broke part-way (damaged archive): what came before it is stored all the same, and
 * `summary` says what that was.
 */
export class IngestDamagedError extends ArchiveDamagedError {
  constructor(cause: ArchiveDamagedError, readonly summary: IngestSummary) {
    super(cause.message, cause.offset, { cause });
    this.name = 'IngestDamagedError';
  }
}

/** Messages are checked and written in batches: one BatchGet, then parallel S3 puts. */
const BATCH_SIZE = 100;
const S3_PUT_CONCURRENCY = 8;

/** Where a message came from, for the manifest: the archive and where in it. */
export interface SourcedEntry {
  entry: MboxEntry;
  /** e.g. "mbox:/path/week.mbox.gz", "public-inbox:/path/0.git", "lore:linux-block". */
  source: string;
  /** Position inside the source: byte offset, commit id, or file name. */
  position: string;
}

export interface IngestSummary {
  found: number;
  stored: number;
  alreadyStored: number;
  quarantined: number;
  quarantineReasons: Record<string, number>;
  lists: Record<string, number>;
  weeks: Record<string, number>;
  firstDate?: string;
  lastDate?: string;
  bytes: number;
  missingMessageIds: number;
  dateProblems: number;
}

export const rawKey = (sha256: string) => `raw/${sha256.slice(0, 2)}/${sha256}.eml`;
export const quarantineKey = (id: string) => `quarantine/${id}.bin`;

export interface IngestOptions {
  onProgress?: (summary: IngestSummary) => void;
  progressEvery?: number;
}

/**
 * Stores every message of a source in S3 by content hash and indexes it in DynamoDB.
 * Steps: read a batch; hash and read each envelope; ask the table which hashes it knows; put the new
 * raw messages to S3, then their index and week-manifest items (so a crash between the two only
 * repeats idempotent puts); record quarantined entries with their reason and a sample of their bytes;
 * last, write each touched week's manifest object.
 * Invariant: found = stored + alreadyStored + quarantined, also when the source breaks part-way: then
 * everything read before the break is stored, and IngestDamagedError carries the summary.
 */
export async function ingest(entries: AsyncIterable<SourcedEntry>, storage: Storage, options: IngestOptions = {}): Promise<IngestSummary> {
  const summary: IngestSummary = {
    found: 0, stored: 0, alreadyStored: 0, quarantined: 0, quarantineReasons: {}, lists: {}, weeks: {}, bytes: 0,
    missingMessageIds: 0, dateProblems: 0,
  };
  const progressEvery = options.progressEvery ?? 500;
  let nextProgress = progressEvery;
  let batch: { envelope: Envelope; bytes: Buffer; source: string; position: string }[] = [];

  const flush = async () => {
    if (batch.length === 0) return;
    const unique = new Map(batch.map((m) => [m.envelope.sha256, m]));
    const known = await storage.table.batchGet([...unique.keys()].map((sha) => ({ pk: `RAW#${sha}`, sk: 'RAW' })));
    for (const item of known) unique.delete(String(item.pk).slice(4));
    const fresh = [...unique.values()];
    summary.alreadyStored += batch.length - fresh.length;
    summary.stored += fresh.length;
    await inParallel(fresh, S3_PUT_CONCURRENCY, (m) => storage.raw.put(rawKey(m.envelope.sha256), m.bytes, 'message/rfc822'));
    const items: Item[] = [];
    for (const { envelope: e, source, position } of fresh) {
      const common = { messageId: e.messageId, date: e.dateUtc, week: e.week, lists: e.lists, size: e.size, source, position, sha256: e.sha256 };
      items.push({ pk: `RAW#${e.sha256}`, sk: 'RAW', type: 'raw', subject: e.subject, dateProblem: e.dateProblem, missingMessageId: e.missingMessageId || undefined, ...common });
      items.push({ pk: `WEEK#${e.week}`, sk: `MSG#${e.sha256}`, type: 'manifest', ...common });
    }
    await storage.table.batchPut(items);
    batch = [];
  };

  let damage: ArchiveDamagedError | undefined;
  try {
    for await (const { entry, source, position } of entries) {
      summary.found++;
      if (entry.kind === 'quarantine') {
        await quarantine(storage, entry, source, position);
        summary.quarantined++;
        const reason = entry.reason.replace(/\d+/g, 'N');
        summary.quarantineReasons[reason] = (summary.quarantineReasons[reason] ?? 0) + 1;
      } else {
        const envelope = readEnvelope(entry.bytes);
        summary.bytes += entry.bytes.length;
        if (envelope.missingMessageId) summary.missingMessageIds++;
        if (envelope.dateProblem) summary.dateProblems++;
        for (const list of envelope.lists) summary.lists[list] = (summary.lists[list] ?? 0) + 1;
        summary.weeks[envelope.week] = (summary.weeks[envelope.week] ?? 0) + 1;
        if (envelope.dateUtc && !envelope.dateProblem) {
          if (!summary.firstDate || envelope.dateUtc < summary.firstDate) summary.firstDate = envelope.dateUtc;
          if (!summary.lastDate || envelope.dateUtc > summary.lastDate) summary.lastDate = envelope.dateUtc;
        }
        batch.push({ envelope, bytes: entry.bytes, source, position });
        if (batch.length >= BATCH_SIZE) await flush();
      }
      if (summary.found >= nextProgress) {
        nextProgress += progressEvery;
        options.onProgress?.(summary);
      }
    }
  } catch (err) {
    if (!(err instanceof ArchiveDamagedError)) throw err;
    damage = err;
  }
  await flush();
  // The manifest of every week this archive touched, as one object a person or a later stage can read.
  for (const week of Object.keys(summary.weeks)) {
    const entries = (await weekManifest(storage, week)).map((i) => ({ messageId: i.messageId, sha256: i.sha256, date: i.date, lists: i.lists, size: i.size, source: i.source, position: i.position }));
    await storage.raw.put(manifestKey(week), JSON.stringify({ week, messages: entries.length, entries }), 'application/json');
  }
  if (damage) throw new IngestDamagedError(damage, summary);
  return summary;
}

export const manifestKey = (week: string) => `manifests/${week}.json`;

async function quarantine(storage: Storage, entry: Extract<MboxEntry, { kind: 'quarantine' }>, source: string, position: string) {
  const id = createHash('sha256').update(source).update('\0').update(position).update('\0').update(entry.sample).digest('hex');
  await storage.raw.put(quarantineKey(id), entry.sample);
  await storage.table.put({
    pk: 'QUARANTINE', sk: `${source}#${position}#${id.slice(0, 12)}`, type: 'quarantine',
    reason: entry.reason, size: entry.size, source, position, sampleKey: quarantineKey(id), sampleBytes: entry.sample.length,
  });
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

/** The manifest of a week: every stored message with its source, from the table. */
export async function weekManifest(storage: Storage, week: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of storage.table.query(`WEEK#${week}`, 'MSG#')) items.push(item);
  return items;
}
