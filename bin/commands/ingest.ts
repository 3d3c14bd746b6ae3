import { Command, Option } from 'commander';
import { ingest, type IngestSummary, type SourcedEntry } from '../../lambdas/ingest/ingest.js';
import { mboxSource } from '../../lambdas/ingest/sources.js';
import { ArchiveDamagedError, UserError } from '../../lambdas/errors.js';
import { parseConfig } from '../../lambdas/config.js';
import type { Storage } from '../../lambdas/storage/index.js';
import { printJson, progress, progressDone, withDataOption, withLocalAws } from './common.js';

export interface IngestCliOptions {
  mbox?: string;
  json?: boolean;
}

/** Ingests the sources named by the options and prints a summary; shared by `ingest` and `run`. */
export async function ingestFromOptions(options: IngestCliOptions, storage: Storage): Promise<IngestSummary> {
  const maxMessageBytes = parseConfig({}).maxMessageBytes;
  let entries: AsyncIterable<SourcedEntry>;
  let label: string;
  if (options.mbox) {
    entries = mboxSource(options.mbox, maxMessageBytes);
    label = options.mbox;
  } else {
    throw new UserError('nothing to ingest: name an archive with --mbox FILE');
  }
  const started = Date.now();
  let summary: IngestSummary;
  try {
    summary = await ingest(entries, storage, {
      onProgress: (s) => progress(`ingest: ${s.found} messages read (${(s.bytes / 1e6).toFixed(1)} MB), ${s.stored} new`),
    });
  } catch (err) {
    progressDone();
    if (err instanceof ArchiveDamagedError) throw new ArchiveDamagedError(`${label}: ${err.message}. The messages before that point were stored; the incomplete one is quarantined. Re-fetch the archive and ingest it again (nothing is stored twice).`, err.offset, { cause: err });
    throw err;
  }
  progressDone();
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
    .option('--json', 'print the summary as JSON')
    .action(async (options: IngestCliOptions & { data: string }) => {
      await withLocalAws(options.data, async ({ storage }) => {
        const summary = await ingestFromOptions(options, storage);
        if (options.json) printJson(summary);
      });
    });
  return withDataOption(command);
}
