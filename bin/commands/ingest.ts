import { Command, Option } from 'commander';
import { ingest, IngestDamagedError, type IngestSummary, type SourcedEntry } from '../../lambdas/ingest/ingest.js';
import { mboxSource } from '../../lambdas/ingest/sources.js';
import { maildirSource } from '../../lambdas/ingest/maildir.js';
import { publicInboxSource } from '../../lambdas/ingest/public-inbox.js';
import { DEFAULT_LORE_URL, getCursor, loreExportSource, loreGitSource, setCursor } from '../../lambdas/ingest/lore.js';
import path from 'node:path';
import { ArchiveDamagedError, UserError } from '../../lambdas/errors.js';
import { parseConfig } from '../../lambdas/config.js';
import type { Storage } from '../../lambdas/storage/index.js';
import { printJson, progress, progressDone, withDataOption, withLocalAws } from './common.js';

export interface IngestCliOptions {
  mbox?: string;
  maildir?: string;
  publicInbox?: string;
  lore?: string;
  since?: string;
  export?: boolean;
  loreUrl?: string;
  data?: string;
  json?: boolean;
}

/** Ingests the sources named by the options and prints a summary; shared by `ingest` and `run`. */
export async function ingestFromOptions(options: IngestCliOptions, storage: Storage): Promise<IngestSummary> {
  const maxMessageBytes = parseConfig({}).maxMessageBytes;
  let entries: AsyncIterable<SourcedEntry>;
  let label: string;
  /** Resumable sources store where they got to, once everything before it is stored. */
  let saveCursor: (() => Promise<void>) | undefined;
  const given = [options.mbox, options.maildir, options.publicInbox, options.lore].filter(Boolean).length;
  if (given > 1) throw new UserError('name one source at a time: --mbox, --maildir, --public-inbox or --lore');
  if (options.mbox) {
    entries = mboxSource(options.mbox, maxMessageBytes);
    label = options.mbox;
  } else if (options.maildir) {
    entries = maildirSource(options.maildir, maxMessageBytes);
    label = options.maildir;
  } else if (options.publicInbox) {
    const source = `public-inbox:${path.resolve(options.publicInbox)}`;
    const cursor = await getCursor(storage, source);
    let last = cursor.head;
    entries = (async function* () {
      for await (const e of publicInboxSource(options.publicInbox!, maxMessageBytes, cursor.head)) {
        last = e.commit;
        yield e;
      }
    })();
    saveCursor = async () => { if (last) await setCursor(storage, source, { head: last }); };
    label = options.publicInbox;
  } else if (options.lore) {
    if (!options.since || !/^\d{4}-\d{2}-\d{2}$/.test(options.since)) throw new UserError('--lore needs --since YYYY-MM-DD (the first day to fetch)');
    const lore = { list: options.lore, baseUrl: options.loreUrl ?? DEFAULT_LORE_URL, cacheDir: path.join(options.data ?? '.kernel-news', 'lore'), maxMessageBytes, log: (m: string) => progress(m) };
    if (options.export) {
      entries = loreExportSource(lore, options.since);
      label = `${lore.baseUrl}/${options.lore} (search export since ${options.since})`;
    } else {
      const source = `lore:${lore.baseUrl}/${options.lore}`;
      const cursor = await getCursor(storage, source);
      const positions: Record<string, string> = {};
      entries = loreGitSource(lore, cursor, positions);
      saveCursor = () => setCursor(storage, source, positions);
      label = `${lore.baseUrl}/${options.lore}`;
    }
  } else {
    throw new UserError('nothing to ingest: name a source with --mbox FILE, --maildir DIR, --public-inbox DIR or --lore LIST --since DATE');
  }
  const started = Date.now();
  let summary: IngestSummary;
  try {
    summary = await ingest(entries, storage, {
      onProgress: (s) => progress(`ingest: ${s.found} messages read (${(s.bytes / 1e6).toFixed(1)} MB), ${s.stored} new`),
    });
  } catch (err) {
    progressDone();
    if (!(err instanceof ArchiveDamagedError)) throw err;
    // What was read before the damage is stored: say what it was, then what broke (one line, stderr).
    if (err instanceof IngestDamagedError) {
      if (options.json) printJson({ ...err.summary, damage: { offset: err.offset, reason: err.message } });
      else printIngestSummary(label, err.summary, Date.now() - started);
    }
    throw new ArchiveDamagedError(`${label}: ${err.message}. Every message that could be read was stored, a cut one quarantined. Re-fetch the archive and ingest it again (nothing is stored twice).`, err.offset, { cause: err });
  }
  progressDone();
  await saveCursor?.();
  if (!options.json) printIngestSummary(label, summary, Date.now() - started);
  return summary;
}

export function printIngestSummary(label: string, s: IngestSummary, elapsedMs: number): void {
  const lines = [
    `ingested ${label}`,
    `  messages:    ${s.found} found, ${s.stored} stored new, ${s.alreadyStored} already stored, ${s.quarantined} quarantined`,
    `  lists:       ${Object.keys(s.lists).length} (${Object.entries(s.lists).sort((a, b) => b[1] - a[1]).map(([l, n]) => `${l} ${n}`).join(', ')})`,
    `  date range:  ${s.firstDate ?? '-'} .. ${s.lastDate ?? '-'}`,
    `  weeks:       ${Object.entries(s.weeks).sort().map(([w, n]) => `${w} ${n}`).join(', ')}`,
  ];
  if (s.missingMessageIds) lines.push(`  note:        ${s.missingMessageIds} messages had no Message-ID (given one derived from their content hash)`);
  if (s.dateProblems) lines.push(`  note:        ${s.dateProblems} messages had a missing or broken Date header (filed under "undated")`);
  for (const [reason, n] of Object.entries(s.quarantineReasons)) lines.push(`  quarantined: ${n} x ${reason}`);
  if (s.stored === 0 && s.found > 0) lines.push('  nothing new was stored: every message was already in the archive');
  lines.push(`  took ${(elapsedMs / 1000).toFixed(1)} s`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function ingestCommand(): Command {
  const command = new Command('ingest')
    .description('store raw messages in S3 (content-addressed) and index them in DynamoDB; idempotent')
    .addOption(new Option('--mbox <file>', 'an mbox, mboxrd or mboxcl2 archive, plain or .gz'))
    .option('--maildir <dir>', 'a Maildir folder (cur/ and new/)')
    .option('--public-inbox <dir>', 'a public-inbox v2 epoch (bare git repository, e.g. 0.git); resumes where the last run stopped')
    .option('--lore <list>', 'a lore.kernel.org list (e.g. linux-block): mirrors its git epochs, fetching only new commits')
    .option('--since <YYYY-MM-DD>', 'with --lore: the first day wanted')
    .option('--export', 'with --lore: use the search export (mbox.gz) instead of git; for small lists')
    .option('--lore-url <url>', 'the lore server', DEFAULT_LORE_URL)
    .option('--json', 'print the summary as JSON')
    .action(async (options: IngestCliOptions & { data: string }) => {
      await withLocalAws(options.data, async ({ storage }) => {
        const summary = await ingestFromOptions(options, storage);
        if (options.json) printJson(summary);
      });
    });
  return withDataOption(command);
}
