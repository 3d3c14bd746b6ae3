import path from 'node:path';
import { Command, Option } from 'commander';
import { ingestFromOptions } from './ingest.js';
import { positiveInt, progress, progressDone, withDataOption, withLocalAws, withOutOption } from './common.js';
import { UserError } from '../../lambdas/errors.js';
import { dominantWeek } from '../../lambdas/ingest/stored.js';
import { weekManifest } from '../../lambdas/ingest/ingest.js';
import { defaultSiteUrl, draftWeek, DEFAULT_PORT } from '../../lambdas/pipeline/local.js';
import { DEFAULT_MODEL, draftConfigFromEnv, type DraftConfig } from '../../lambdas/draft/config.js';
import type { DraftedIssue } from '../../lambdas/draft/issue.js';
import { writeRenderedIssue } from '../../lambdas/render/write.js';
import { createDraftIssue } from '../../lambdas/review/store.js';
import { makeReviewLink, reviewUrl } from '../../lambdas/review/links.js';
import { localSigningKey } from '../../lambdas/web/signing.js';
import { readMaintainers } from './topics.js';

interface RunOptions { mbox: string; week?: string; top: number; data: string; out: string; maintainers?: string; port: number; baseUrl?: string; model?: string }

export function runCommand(): Command {
  const command = new Command('run')
    .description('the whole local pipeline: ingest -> threads -> topics -> drafts -> rendered issue, and a review link')
    .addOption(new Option('--mbox <file>', 'an mbox, mboxrd or mboxcl2 archive, plain or .gz').makeOptionMandatory())
    .option('--week <YYYY-Www>', 'the ISO week to write about (default: the week most messages fall in)')
    .option('--top <n>', 'stories in the issue', positiveInt('--top'), 10)
    .option('--maintainers <file>', 'a kernel MAINTAINERS file, to weigh maintainers')
    .option('--port <n>', 'port `kernel-news serve` will use, for the review link', positiveInt('--port'), DEFAULT_PORT)
    .option('--base-url <url>', 'an OpenAI-compatible server for the model drafter (default: OPENAI_BASE_URL, else api.openai.com); the key comes from OPENAI_API_KEY')
    .option('--model <name>', `the model to draft with (default: KERNEL_NEWS_MODEL, else ${DEFAULT_MODEL})`)
    .action(async (options: RunOptions) => {
      if (options.week && !/^\d{4}-W\d{2}$/.test(options.week)) throw new UserError(`--week must look like 2026-W02, got "${options.week}"`);
      // Checked before any work: a bad setting is one line naming it, not a failure after ingest and threading.
      const draftConfig = modelConfigFromOptions(options);
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
        const report = (line: string) => {
          progressDone();
          process.stderr.write(`${line}\n`);
        };
        const { doc } = await draftWeek(storage, { week, top: options.top, maintainers, progress, report, draftConfig });
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
          ...draftersSummary(doc),
          costLine(doc),
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

/** The model settings of a command: --base-url and --model over the environment, validated now. */
export function modelConfigFromOptions(options: { baseUrl?: string; model?: string }): DraftConfig {
  const config = draftConfigFromEnv(process.env, { baseURL: options.baseUrl, model: options.model });
  if ((options.baseUrl || options.model) && !config.apiKey) {
    throw new UserError(`--base-url/--model need a key: set OPENAI_API_KEY (any non-empty value for a local server that takes none)`);
  }
  return config;
}

/** Which drafter wrote the stories, and why the model did not write those it was asked for. */
export function draftersSummary(doc: DraftedIssue): string[] {
  const drafts = doc.drafts ?? [];
  const byModel = drafts.filter((d) => d.drafter === 'model').length;
  if (!doc.cost.model) return [`drafted by: the offline drafter, all ${drafts.length} (set OPENAI_API_KEY to use a model)`];
  const reasons = new Map<string, number>();
  for (const d of drafts) if (d.drafter === 'offline') reasons.set(d.fallback ?? 'no reason recorded', (reasons.get(d.fallback ?? 'no reason recorded') ?? 0) + 1);
  return [
    `drafted by: the model (${doc.cost.model}) ${byModel}, the offline drafter ${drafts.length - byModel}`,
    ...[...reasons].map(([why, n]) => `  offline ${n}: ${why}`),
  ];
}

export function costLine(doc: DraftedIssue): string {
  const tokens = `${doc.cost.inputTokens} input + ${doc.cost.outputTokens} output tokens`;
  if (!doc.cost.model) return `cost: ${tokens}, $0.0000 (offline drafter: set OPENAI_API_KEY to use a model)`;
  if (doc.cost.priceKnown === false) return `cost: ${tokens}, price unknown for model ${doc.cost.model} (set KERNEL_NEWS_PRICE_IN and KERNEL_NEWS_PRICE_OUT, dollars per million tokens)`;
  return `cost: ${tokens}, $${doc.cost.usd.toFixed(4)} at ${doc.cost.model} prices`;
}
