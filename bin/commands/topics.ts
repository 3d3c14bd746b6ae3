import fs from 'node:fs';
import { Command, Option } from 'commander';
import { analyseMboxFile } from '../../lambdas/thread/analyse.js';
import { dominantWeek } from '../../lambdas/ingest/stored.js';
import { isoWeek } from '../../lambdas/mail/dates.js';
import { UserError } from '../../lambdas/errors.js';
import type { Topic, WeekAnalysis } from '../../lambdas/model.js';
import { loreUrl } from '../../lambdas/model.js';
import { parseMaintainersFile, type Maintainers } from '../../lambdas/topics/maintainers.js';
import { topicsStage } from '../../lambdas/topics/stage.js';
import { positiveInt, printJson, progress, progressDone, withDataOption, withLocalAws } from './common.js';
import { modelConfigFromOptions } from './run.js';

/** Topics shown when --top is not given: about what one issue can carry. */
export const DEFAULT_TOP = 15;

interface TopicsCliOptions {
  mbox: string;
  top: number;
  maintainers?: string;
  week?: string;
  json?: boolean;
  store: boolean;
  data: string;
  baseUrl?: string;
  model?: string;
}

/** The ISO week most of the archive's messages were sent in. */
export function weekOf(analysis: WeekAnalysis): string | undefined {
  const weeks: Record<string, number> = {};
  for (const m of analysis.messages) {
    if (!m.date) continue;
    const w = isoWeek(Date.parse(m.date));
    weeks[w] = (weeks[w] ?? 0) + 1;
  }
  return dominantWeek(weeks);
}

export function readMaintainers(file: string): Maintainers {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`--maintainers ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the kernel's MAINTAINERS file`);
  }
  return parseMaintainersFile(text, `--maintainers ${file}`);
}

export function topicsCommand(): Command {
  const command = new Command('topics')
    .description('group the week\'s threads into stories and rank them, with reasons')
    .addOption(new Option('--mbox <file>', 'an mbox, mboxrd or mboxcl2 archive, plain or .gz').makeOptionMandatory())
    .addOption(new Option('--top <n>', 'how many stories to print').argParser(positiveInt('--top')).default(DEFAULT_TOP))
    .option('--maintainers <file>', 'a file in the kernel MAINTAINERS format; its M: people weigh more')
    .option('--week <YYYY-Www>', 'the ISO week (default: the week most messages fall in)')
    .option('--no-store', 'do not keep this week\'s topics for follow-up detection in later weeks')
    .option('--json', 'print {"week", "topics": [...]} as JSON')
    .option('--base-url <url>', 'an OpenAI-compatible server for the model pass over the ranking (default: OPENAI_BASE_URL); the key comes from OPENAI_API_KEY, and without one the offline order stands')
    .option('--model <name>', 'the model for that pass (default: KERNEL_NEWS_MODEL, else the drafting default)')
    .action(async (options: TopicsCliOptions) => {
      if (options.week !== undefined && !/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/.test(options.week)) {
        throw new UserError(`--week ${options.week}: not an ISO week; write it as YYYY-Www, e.g. 2026-W02`);
      }
      const model = modelConfigFromOptions(options);
      const maintainers = options.maintainers ? readMaintainers(options.maintainers) : undefined;
      const started = Date.now();
      progress(`topics: reading ${options.mbox}`);
      const analysis = await analyseMboxFile(options.mbox);
      const week = options.week ?? weekOf(analysis);
      if (!week) {
        progressDone();
        throw new UserError(`${options.mbox}: no message with a readable date; pass --week YYYY-Www`);
      }
      progress(`topics: ${analysis.messages.length} messages in ${analysis.threads.length} threads; ranking ${week}`);
      const topics = await withLocalAws(options.data, ({ storage }) => topicsStage(analysis, storage, {
        week, maintainers, store: options.store, model,
        onModelRank: (r) => progress(r.applied ? `topics: model pass ordered ${r.named} stories (${r.usage.inputTokens} + ${r.usage.outputTokens} tokens, $${r.costUsd})` : `topics: model pass not applied (${r.fallback}); offline order kept`),
      }));
      progressDone();
      progress(`topics: ${topics.length} topics from ${analysis.messages.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const shown = topics.slice(0, options.top);
      if (options.json) printJson({ week, topics: shown.map(topicJson) });
      else process.stdout.write(formatTopics(week, shown, topics.length));
    });
  return withDataOption(command);
}

/** The contract's shape (../shared/CONTRACT.md), plus the features behind the score. */
export function topicJson(t: Topic) {
  return {
    id: t.id,
    title: t.title,
    score: t.score,
    reasons: t.reasons,
    threadIds: t.threadIds,
    messageIds: t.messageIds,
    participants: t.participants.map((p) => ({ name: p.name, email: p.email })),
    followUpOf: t.followUpOf,
    features: t.features,
  };
}

export function formatTopics(week: string, shown: Topic[], total: number): string {
  const lines = [`${week}: the top ${shown.length} of ${total} topics`, ''];
  shown.forEach((t, i) => {
    lines.push(`${String(i + 1).padStart(2)}. ${t.title}  [score ${t.score}]`);
    lines.push(`    ${t.reasons.join('; ')}`);
    lines.push(`    ${t.messageIds.length} messages, ${t.participants.length} people, ${t.threadIds.length} thread${t.threadIds.length > 1 ? 's' : ''}: ${loreUrl(t.messageIds[0])}`);
    if (t.followUpOf) lines.push(`    follow-up of ${t.followUpOf.week}: ${t.followUpOf.headline ?? t.followUpOf.topicId}`);
  });
  return `${lines.join('\n')}\n`;
}
