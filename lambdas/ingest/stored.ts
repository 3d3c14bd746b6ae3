import type { Item, Storage } from '../storage/index.js';
import { rawKey, weekManifest } from './ingest.js';
import type { MboxEntry } from './mbox-reader.js';

/** Raw messages fetched from S3 at once; enough to hide request latency, small enough for Lambda memory. */
const FETCH_CONCURRENCY = 16;

/**
 * The stored raw messages of one week, as reader entries, in manifest order: what the later stages
 * read, locally and in AWS alike. A manifest entry whose object is missing is reported as quarantined
 * rather than skipped.
 */
export async function* storedWeekEntries(storage: Storage, week: string): AsyncGenerator<MboxEntry> {
  yield* storedEntries(storage, await weekManifest(storage, week));
}

/**
 * The raw messages that some of a week's manifest items name (the whole manifest, or one topic's
 * messages: lambdas/thread/topic-loader.ts), fetched FETCH_CONCURRENCY at a time, in the items' order.
 */
export async function* storedEntries(storage: Storage, manifest: Item[]): AsyncGenerator<MboxEntry> {
  for (let i = 0; i < manifest.length; i += FETCH_CONCURRENCY) {
    const slice = manifest.slice(i, i + FETCH_CONCURRENCY);
    const bodies = await Promise.all(slice.map((item) => storage.raw.get(rawKey(String(item.sha256)))));
    for (let j = 0; j < slice.length; j++) {
      const bytes = bodies[j];
      const offset = i + j;
      if (bytes) yield { kind: 'message', offset, bytes };
      else yield { kind: 'quarantine', offset, size: 0, reason: `raw object for ${String(slice[j].messageId)} missing from storage`, sample: Buffer.alloc(0) };
    }
  }
}

/** The ISO week most of an ingest's messages fall in (ties: the later week). */
export function dominantWeek(weeks: Record<string, number>): string | undefined {
  let best: string | undefined;
  for (const [week, count] of Object.entries(weeks)) {
    if (week === 'undated') continue;
    if (best === undefined || count > weeks[best] || (count === weeks[best] && week > best)) best = week;
  }
  return best;
}
