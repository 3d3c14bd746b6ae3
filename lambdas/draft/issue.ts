import type { IssueDocument, Topic, WeekAnalysis } from '../model.js';
import type { Storage } from '../storage/ports.js';
import { topicMaterial, weekSenders } from '../verify/material.js';
import { addCounts, emptyCounts } from '../verify/verify.js';
import { addClaimCounts, emptyClaimCounts } from '../claims/check.js';
import { TableResponseCache } from './cache.js';
import { addUsage, costOf, emptyUsage, priceKnown, type DraftConfig, type Usage } from './config.js';
import { ModelGuard } from './guard.js';
import { draftTopic, type TopicDraft } from './draft-topic.js';
import { ModelDrafter } from './model-drafter.js';
import { saveDraft } from './store.js';

/** Topics drafted at once with a model: enough to hide latency, few enough to stay under rate limits. */
const MODEL_CONCURRENCY = 4;

export interface DraftIssueInput {
  week: string;
  analysis: WeekAnalysis;
  /** Ranked, best first (buildTopics). */
  topics: Topic[];
  /** Stories in the issue. */
  top: number;
}

export interface DraftIssueDeps {
  /** The model path; absent: every story by the offline drafter. See `modelDrafterFor`. */
  drafter?: ModelDrafter;
  /** When given, every draft is stored with version history and linked to the week's issue. */
  storage?: Storage;
  now?: () => Date;
  progress?: (message: string) => void;
  /** One line per story once drafted: which drafter wrote it, and why not the model when it was asked. */
  report?: (line: string) => void;
}

export type IssueTopic = IssueDocument['topics'][number];

/** The per-story figures kept next to the contract's issue document (extra fields are allowed). */
export interface DraftedIssue extends IssueDocument {
  /** `priceKnown: false`: the model has no listed price, and `usd` (0) says nothing. */
  cost: IssueDocument['cost'] & { calls: number; cachedCalls: number; model?: string; priceKnown?: boolean; cutTokens: number };
  drafts: Array<{ topicId: string; drafter: 'model' | 'offline'; version?: number; fallback?: string; problems: number }>;
}

/**
 * The week's issue document (CONTRACT `run` issue.json).
 * 1. take the `top` topics (at least one message each in the analysis);
 * 2. draft each (model or offline), verify every quote, count what was verified/repaired/removed;
 * 3. store each draft as a new version, linked to the week's issue (when storage is given);
 * 4. sum tokens and dollars at the configured prices.
 */
export async function draftIssue(input: DraftIssueInput, deps: DraftIssueDeps = {}): Promise<DraftedIssue> {
  const now = deps.now ?? (() => new Date());
  const people = weekSenders(input.analysis);
  const known = new Set(input.analysis.messages.map((m) => m.messageId));
  const chosen = input.topics.filter((t) => t.messageIds.some((id) => known.has(id))).slice(0, input.top);
  const drafts: TopicDraft[] = new Array(chosen.length);
  const versions: Array<number | undefined> = new Array(chosen.length);
  let next = 0;
  let doneCount = 0;
  // One deadline and one circuit breaker for the whole issue: a hung or failing endpoint costs minutes, not hours.
  const guard = deps.drafter ? new ModelGuard(deps.drafter.config) : undefined;
  const spent = () => (deps.drafter ? costOf(drafts.filter(Boolean).reduce((u, d) => addUsage(u, d.usage), emptyUsage()), deps.drafter.config) : 0);
  const worker = async () => {
    while (next < chosen.length) {
      const i = next++;
      const topic = chosen[i];
      const material = topicMaterial(input.analysis, topic, people);
      const overBudget = deps.drafter !== undefined && spent() >= deps.drafter.config.maxUsdPerIssue;
      drafts[i] = await draftTopic(material, { model: overBudget ? undefined : deps.drafter, guard });
      if (overBudget) drafts[i].fallback = `the issue's model budget ($${deps.drafter!.config.maxUsdPerIssue}) is spent`;
      if (deps.storage) versions[i] = (await saveDraft(deps.storage, input.week, topic.id, drafts[i], now())).version;
      deps.progress?.(`drafted ${++doneCount}/${chosen.length}: ${drafts[i].story.headline}`);
      deps.report?.(`story ${i + 1}/${chosen.length} "${drafts[i].story.headline}": ${drafterNote(drafts[i], deps.drafter)}`);
    }
  };
  await Promise.all(Array.from({ length: deps.drafter ? MODEL_CONCURRENCY : 1 }, worker));

  let usage: Usage = emptyUsage();
  let verification = emptyCounts();
  let cutTokens = 0;
  let claims = emptyClaimCounts();
  for (const d of drafts) {
    if (d.claims) claims = addClaimCounts(claims, d.claims);
    usage = addUsage(usage, d.usage);
    verification = addCounts(verification, d.counts);
    cutTokens += d.cutTokens ?? 0;
  }
  const config = deps.drafter?.config;
  return {
    week: input.week,
    generatedAt: now().toISOString(),
    stats: { messages: input.analysis.messages.length, threads: input.analysis.threads.length, topics: input.topics.length },
    topics: chosen.map((t, i) => issueTopic(t, drafts[i])),
    verification,
    claims,
    cost: {
      inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, usd: config ? costOf(usage, config) : 0,
      calls: usage.calls, cachedCalls: usage.cachedCalls, cutTokens, ...(config ? { model: config.model, priceKnown: priceKnown(config) } : {}),
    },
    drafts: chosen.map((t, i) => ({
      topicId: t.id, drafter: drafts[i].drafter, problems: drafts[i].problems.length,
      ...(versions[i] !== undefined ? { version: versions[i] } : {}), ...(drafts[i].fallback ? { fallback: drafts[i].fallback } : {}),
    })),
  };
}

/** Which drafter wrote a story, in words: "model", or "offline drafter (model not used: why)". */
export function drafterNote(draft: Pick<TopicDraft, 'drafter' | 'fallback'>, model?: ModelDrafter): string {
  if (draft.drafter === 'model') return `written by the model${model ? ` (${model.config.model})` : ''}`;
  if (!model && !draft.fallback) return 'written by the offline drafter';
  return `written by the offline drafter; the model was not used: ${draft.fallback ?? 'no reason recorded'}`;
}

/** One topic's entry in the issue document. */
export function issueTopic(topic: Topic, draft: TopicDraft): IssueTopic {
  return {
    id: topic.id,
    headline: draft.story.headline,
    score: topic.score,
    reasons: topic.reasons,
    messageIds: topic.messageIds,
    participants: topic.participants,
    paragraphs: draft.story.paragraphs,
    ...(topic.followUpOf ? { followUpOf: topic.followUpOf } : {}),
  };
}

/**
 * The review page's "regenerate one story": a fresh draft (the model is asked anew, not answered
 * from the cache), verified, stored as the next version; the old versions stay. Returns the new
 * issue entry for the caller to put into the next issue version.
 */
export async function regenerateStory(
  input: { week: string; analysis: WeekAnalysis; topic: Topic },
  deps: { drafter?: ModelDrafter; storage: Storage; now?: () => Date },
): Promise<{ topic: IssueTopic; version: number; draft: TopicDraft; usd: number }> {
  const now = deps.now ?? (() => new Date());
  const material = topicMaterial(input.analysis, input.topic);
  const draft = await draftTopic(material, { model: deps.drafter, salt: `regenerate-${now().toISOString()}` });
  const stored = await saveDraft(deps.storage, input.week, input.topic.id, draft, now());
  return { topic: issueTopic(input.topic, draft), version: stored.version, draft, usd: deps.drafter ? costOf(draft.usage, deps.drafter.config) : 0 };
}

/** The model drafter for a config, with its answers cached in the table; undefined without a key. */
export function modelDrafterFor(config: DraftConfig, storage?: Storage, getApiKey?: () => Promise<string>): ModelDrafter | undefined {
  if (!config.apiKey && !getApiKey) return undefined;
  return new ModelDrafter(config, { cache: storage ? new TableResponseCache(storage.table) : undefined, getApiKey });
}
