import path from 'node:path';
import { Command, Option } from 'commander';
import { ingestFromOptions } from './ingest.js';
import { positiveInt, progress, progressDone, withDataOption, withLocalAws, withOutOption } from './common.js';
import { UserError } from '../../lambdas/errors.js';
import { dominantWeek } from '../../lambdas/ingest/stored.js';
import { weekManifest } from '../../lambdas/ingest/ingest.js';
import { defaultSiteUrl, draftWeek, DEFAULT_PORT } from '../../lambdas/pipeline/local.js';
import { writeRenderedIssue } from '../../lambdas/render/write.js';
import { createDraftIssue } from '../../lambdas/review/store.js';
import { makeReviewLink, reviewUrl } from '../../lambdas/review/links.js';
import { localSigningKey } from '../../lambdas/web/signing.js';
import { readMaintainers } from './topics.js';

interface RunOptions { mbox: string; week?: string; top: number; data: string; out: string; maintainers?: string; port: number }

export function runCommand(): Command {
  const command = new Command('run')
    .description('the whole local pipeline: ingest -> threads -> topics -> drafts -> rendered issue, and a review link')
    .addOption(new Option('--mbox <file>', 'an mbox, mboxrd or mboxcl2 archive, plain or .gz').makeOptionMandatory())
    .option('--week <YYYY-Www>', 'the ISO week to write about (default: the week most messages fall in)')
    .option('--top <n>', 'stories in the issue', positiveInt('--top'), 10)
    .option('--maintainers <file>', 'a kernel MAINTAINERS file, to weigh maintainers')
    .option('--port <n>', 'port `kernel-news serve` will use, for the review link', positiveInt('--port'), DEFAULT_PORT)
    .action(async (options: RunOptions) => {
      if (options.week && !/^\d{4}-W\d{2}$/.test(options.week)) throw new UserError(`--week must look like 2026-W02, got "${options.week}"`);
      const maintainers = options.maintainers ? readMaintainers(options.maintainers) : undefined;
      await withLocalAws(options.data, async ({ storage }) => {
        const summary = await ingestFromOptions(options, storage);
        const week = options.week ?? dominantWeek(summary.weeks);
        if (!week) throw new UserError(`${options.mbox}: no dated messages, so no week to write about; pass --week YYYY-Www`);
        // A week the input has no mail in (and nothing stored from earlier runs either): say which weeks it has.
        if (!summary.weeks[week] && (await weekManifest(storage, week)).length === 0) {
          const held = Object.entries(summary.weeks).sort(([a], [b]) => a.localeCompare(b)).map(([w, n]) => `${w} (${n} message${n === 1 ? '' : 's'})`);
          throw new UserError(`--week ${week}: ${options.mbox} has no mail in that week; it holds ${held.length ? held.join(', ') : 'no readable messages'}. Pass one of those weeks, or leave --week out for the busiest`);
        }
        const started = Date.now();
        const { doc } = await draftWeek(storage, { week, top: options.top, maintainers, progress });
        progressDone();
        const siteUrl = defaultSiteUrl(options.port);
        const files = await writeRenderedIssue(options.out, doc, { siteUrl, variant: 'mail' });
        const record = await createDraftIssue(storage, doc);
        const link = reviewUrl(siteUrl, makeReviewLink(localSigningKey(path.resolve(options.data)), week, record.draftVersion));
        const v = doc.verification;
        process.stdout.write([
          '',
          `issue ${week}: ${doc.topics.length} stories from ${doc.stats.messages} messages, ${doc.stats.threads} threads, ${doc.stats.topics} topics (${((Date.now() - started) / 1000).toFixed(1)} s)`,
          ...doc.topics.map((t, i) => `  ${String(i + 1).padStart(2)}. ${t.headline}`),
          `quotes: ${v.quotes} checked, ${v.verified} verified, ${v.repaired} repaired, ${v.removed} removed`,
          `cost: ${doc.cost.inputTokens} input + ${doc.cost.outputTokens} output tokens, $${doc.cost.usd.toFixed(4)}${doc.cost.inputTokens === 0 ? ' (offline drafter: set OPENAI_API_KEY to use a model)' : ''}`,
          'files:',
          ...Object.values(files).map((f) => `  ${f}`),
          `review (draft version ${record.draftVersion}): start \`kernel-news serve --data ${options.data} --out ${options.out}\`, then open`,
          `  ${link}`,
          '',
        ].join('\n'));
      });
    });
  return withOutOption(withDataOption(command));
}
