import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ingest } from '../ingest/ingest.js';
import { mboxSource } from '../ingest/sources.js';
import { dominantWeek } from '../ingest/stored.js';
import { isoWeek, weekRange } from '../mail/dates.js';
import { DEFAULT_LORE_URL, loreExportSource } from '../ingest/lore.js';
import type { IngestSummary } from '../ingest/ingest.js';
import { fromEnv, InvalidEventError, logger, parseEvent, WeekSchema, type StageDeps } from './runtime.js';

const FetchEvent = z.object({
  /** The week to build; default: the ISO week before the one the run starts in. */
  week: WeekSchema.optional(),
  /** An archive uploaded to the raw bucket under imports/ (mbox, mboxrd, mboxcl2, plain or gzip). */
  archiveKey: z.string().regex(/^imports\/[^/]+$/, 'a key under imports/ in the raw bucket').optional(),
});

export interface FetchResult {
  week: string;
  found: number;
  stored: number;
  alreadyStored: number;
  quarantined: number;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/**
 * The Fetch state. Steps: read the archive uploaded under imports/ to /tmp (the reader streams a
 * file); ingest it (content-addressed, so a re-run stores nothing twice); name the week: the one
 * asked for, else the one most of the archive falls in, else last week.
 */
export function createFetchHandler(deps: StageDeps, now: () => number = Date.now, env: NodeJS.ProcessEnv = process.env) {
  return async (event: unknown): Promise<FetchResult> => {
    const input = parseEvent(FetchEvent, event, 'fetch');
    if (!input.archiveKey) return fetchFromLore(deps, input.week ?? isoWeek(now() - WEEK_MS), env);
    const bytes = await deps.storage.raw.get(input.archiveKey);
    if (!bytes) throw new InvalidEventError(`fetch: ${input.archiveKey} is not in the raw bucket; upload it first`);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fetch-'));
    try {
      const file = path.join(dir, path.basename(input.archiveKey));
      await fs.writeFile(file, bytes);
      const summary = await ingest(mboxSource(file, deps.config.maxMessageBytes), deps.storage);
      const week = input.week ?? dominantWeek(summary.weeks) ?? isoWeek(now() - WEEK_MS);
      logger.info('fetched', { archiveKey: input.archiveKey, week, found: summary.found, stored: summary.stored, quarantined: summary.quarantined });
      return { week, found: summary.found, stored: summary.stored, alreadyStored: summary.alreadyStored, quarantined: summary.quarantined };
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };
}

/**
 * The scheduled run: each followed list (LISTS) from lore's search export, from the Monday of the
 * week on (HTTP only: no git binary in the Lambda runtime). Content addressing makes a re-run store
 * nothing twice.
 */
async function fetchFromLore(deps: StageDeps, week: string, env: NodeJS.ProcessEnv): Promise<FetchResult> {
  const lists = (env.LISTS ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  if (lists.length === 0) throw new InvalidEventError('fetch: no archiveKey given and no LISTS configured to fetch from lore');
  const since = new Date(weekRange(week).start).toISOString().slice(0, 10);
  const total: FetchResult = { week, found: 0, stored: 0, alreadyStored: 0, quarantined: 0 };
  for (const list of lists) {
    const options = { list, baseUrl: env.LORE_URL || DEFAULT_LORE_URL, cacheDir: os.tmpdir(), maxMessageBytes: deps.config.maxMessageBytes, log: (m: string) => logger.info(m) };
    const s: IngestSummary = await ingest(loreExportSource(options, since), deps.storage);
    logger.info('fetched from lore', { list, week, found: s.found, stored: s.stored, quarantined: s.quarantined });
    total.found += s.found;
    total.stored += s.stored;
    total.alreadyStored += s.alreadyStored;
    total.quarantined += s.quarantined;
  }
  return total;
}

export const handler = fromEnv((deps) => createFetchHandler(deps));
