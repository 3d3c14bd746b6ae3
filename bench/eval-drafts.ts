/**
 * `npm run eval -- drafts --base-url URL --model M [--mbox FILE] [--top N] [--json]`: drafts a week's
 * top stories with any OpenAI-compatible endpoint (key: OPENAI_API_KEY) and prints what became of
 * the model's work: stories (by whom), quotes proposed, verified, repaired, removed, tokens in and
 * out, dollars, seconds. Nothing is cached or stored: every run asks the endpoint anew.
 * 1. analyse the archive (default: the shared corpus week, else the bundled sample) and rank its topics;
 * 2. draft the top N as `run` does (same guard: per-call timeout, issue deadline, circuit breaker);
 * 3. print one line per story and the figures.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { buildTopics } from '../lambdas/topics/build.js';
import { isoWeek } from '../lambdas/mail/dates.js';
import { topicMaterial, weekSenders } from '../lambdas/verify/material.js';
import { addCounts, emptyCounts } from '../lambdas/verify/verify.js';
import { addUsage, costOf, draftConfigFromEnv, emptyUsage, priceKnown } from '../lambdas/draft/config.js';
import { draftTopic, type TopicDraft } from '../lambdas/draft/draft-topic.js';
import { ModelGuard } from '../lambdas/draft/guard.js';
import { drafterNote } from '../lambdas/draft/issue.js';
import { ModelDrafter } from '../lambdas/draft/model-drafter.js';
import { ConfigError } from '../lambdas/errors.js';
import { loadAnalysis } from '../test/draft-fixture.js';
import { sampleMbox, sharedCorpus } from '../test/helpers.js';

/** Stories drafted at once, as `run` does. */
const CONCURRENCY = 4;

export interface DraftEvalFigures {
  archive: string;
  week: string;
  model: string;
  baseURL: string;
  responseFormat: string;
  stories: number;
  byModel: number;
  offline: number;
  fallbacks: string[];
  quotesProposed: number;
  verified: number;
  repaired: number;
  removed: number;
  tokensIn: number;
  tokensOut: number;
  /** null: the model has no listed price. */
  dollars: number | null;
  seconds: number;
}

export async function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`), err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'base-url': { type: 'string' }, model: { type: 'string' }, mbox: { type: 'string' }, top: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
  });
  let config;
  try {
    config = draftConfigFromEnv(process.env, { baseURL: values['base-url'], model: values.model });
    if (!config.apiKey) throw new ConfigError('OPENAI_API_KEY is not set; set it to the endpoint\'s key (any non-empty value for a local server that takes none)');
  } catch (e) {
    err(`eval drafts: ${(e as Error).message}`);
    return 2;
  }
  const top = Number(values.top);
  if (!Number.isInteger(top) || top <= 0) {
    err(`eval drafts: --top must be a positive whole number, got "${values.top}"`);
    return 2;
  }
  const archive = values.mbox ?? (fs.existsSync(sharedCorpus) ? sharedCorpus : sampleMbox);
  const analysis = await loadAnalysis(archive);
  const week = dominantWeek(analysis.messages.map((m) => m.date));
  const topics = buildTopics(analysis, { week }).slice(0, top);
  const people = weekSenders(analysis);
  const drafter = new ModelDrafter(config);
  const guard = new ModelGuard(config);
  err(`eval drafts: ${topics.length} stories of ${week} from ${archive}, model ${config.model} at ${config.baseURL ?? 'https://api.openai.com/v1'}`);

  const started = performance.now();
  const drafts: TopicDraft[] = new Array(topics.length);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < topics.length) {
      const i = next++;
      drafts[i] = await draftTopic(topicMaterial(analysis, topics[i], people), { model: drafter, guard });
    }
  }));
  const seconds = (performance.now() - started) / 1000;

  let usage = emptyUsage();
  let modelCounts = emptyCounts();
  for (const d of drafts) {
    usage = addUsage(usage, d.usage);
    if (d.drafter === 'model') modelCounts = addCounts(modelCounts, d.counts);
  }
  const figures: DraftEvalFigures = {
    archive, week, model: config.model, baseURL: config.baseURL ?? 'https://api.openai.com/v1', responseFormat: drafter.responseFormat,
    stories: drafts.length,
    byModel: drafts.filter((d) => d.drafter === 'model').length,
    offline: drafts.filter((d) => d.drafter === 'offline').length,
    fallbacks: drafts.filter((d) => d.fallback).map((d) => d.fallback!),
    quotesProposed: modelCounts.quotes, verified: modelCounts.verified, repaired: modelCounts.repaired, removed: modelCounts.removed,
    tokensIn: usage.inputTokens, tokensOut: usage.outputTokens,
    dollars: priceKnown(config) ? costOf(usage, config) : null,
    seconds: Math.round(seconds * 10) / 10,
  };
  if (values.json) {
    out(JSON.stringify({ ...figures, stories: figures.stories, drafts: drafts.map((d, i) => ({ topicId: topics[i].id, headline: d.story.headline, drafter: d.drafter, counts: d.counts, fallback: d.fallback })) }, null, 2));
    return 0;
  }
  drafts.forEach((d, i) => {
    const c = d.counts;
    out(`${String(i + 1).padStart(2)}. ${d.story.headline}: ${drafterNote(d, drafter)}; quotes ${c.quotes} proposed, ${c.verified} verified, ${c.repaired} repaired, ${c.removed} removed`);
  });
  out(`stories: ${figures.stories} (model ${figures.byModel}, offline ${figures.offline})`);
  out(`quotes proposed: ${figures.quotesProposed}`);
  out(`verified: ${figures.verified}`);
  out(`repaired: ${figures.repaired}`);
  out(`removed: ${figures.removed}`);
  out(`tokens in: ${figures.tokensIn}`);
  out(`tokens out: ${figures.tokensOut}`);
  out(`dollars: ${figures.dollars === null ? `price unknown for model ${config.model}` : figures.dollars.toFixed(4)}`);
  out(`seconds: ${figures.seconds.toFixed(1)}`);
  out(`structured outputs: ${figures.responseFormat}`);
  return 0;
}

/** The ISO week most of the archive's messages fall in. */
function dominantWeek(dates: Array<string | undefined>): string {
  const counts = new Map<string, number>();
  for (const d of dates) if (d) counts.set(isoWeek(Date.parse(d)), (counts.get(isoWeek(Date.parse(d))) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '2026-W02';
}
