import { z } from 'zod';
import type { Topic, WeekAnalysis } from '../model.js';
import type { Storage } from '../storage/ports.js';
import { loadTopics } from '../topics/store.js';
import { topicMaterial } from '../verify/material.js';
import { addCounts, emptyCounts } from '../verify/verify.js';
import { addClaimCounts, claimCountsOf, emptyClaimCounts } from '../claims/check.js';
import { costOf, draftConfigFromEnv, type DraftConfig } from './config.js';
import { draftTopic } from './draft-topic.js';
import { issueTopic, modelDrafterFor, type DraftedIssue } from './issue.js';
import type { ModelDrafter } from './model-drafter.js';
import { secretApiKeyGetter } from './secret.js';
import { draftHistory, issueDrafts, saveDraft, type StoredDraft } from './store.js';

const DraftStoryEvent = z.object({ week: z.string().regex(/^\d{4}-W\d{2}$/), topicId: z.string().min(1).max(300) });

export interface DraftStageDeps {
  storage: Storage;
  /** The week taken apart (the threads stage); cached by the caller across warm invocations. */
  loadAnalysis: (week: string) => Promise<WeekAnalysis>;
  drafter?: ModelDrafter;
}

/**
 * The state machine's DraftStory step, input `{week, topicId}`: drafts one stored topic, verifies
 * it, and stores it as the topic's next draft version. Once the week's drafts have cost
 * `maxUsdPerIssue`, the story is written offline.
 */
export function makeDraftStoryHandler(deps: DraftStageDeps) {
  return async (event: unknown): Promise<{ week: string; topicId: string; version: number; drafter: string; counts: StoredDraft['counts'] }> => {
    const parsed = DraftStoryEvent.safeParse(event);
    if (!parsed.success) throw new Error(`DraftStory: bad event (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    const { week, topicId } = parsed.data;
    const topic = (await loadTopics(deps.storage.table, week)).find((t) => t.id === topicId);
    if (!topic) throw new Error(`DraftStory: no stored topic ${topicId} in ${week}`);
    const analysis = await deps.loadAnalysis(week);
    let model = deps.drafter;
    if (model && (await weekSpendUsd(deps.storage, week, model.config)) >= model.config.maxUsdPerIssue) model = undefined;
    const draft = await draftTopic(topicMaterial(analysis, topic as Topic), { model });
    if (deps.drafter && !model) draft.fallback = `the issue's model budget ($${deps.drafter.config.maxUsdPerIssue}) is spent`;
    const stored = await saveDraft(deps.storage, week, topicId, draft);
    return { week, topicId, version: stored.version, drafter: stored.drafter, counts: stored.counts };
  };
}

/** The model drafter the environment asks for (MODEL, MODEL_KEY_SECRET_ARN), or none. */
export function drafterFromEnv(storage: Storage, env: NodeJS.ProcessEnv = process.env): ModelDrafter | undefined {
  const config = draftConfigFromEnv(env);
  if (env.MODEL === 'offline') return undefined;
  const secret = env.MODEL_KEY_SECRET_ARN;
  return modelDrafterFor(config, storage, !config.apiKey && secret ? secretApiKeyGetter(secret) : undefined);
}

/** Dollars the week's stored drafts (every version) have cost so far. */
export async function weekSpendUsd(storage: Storage, week: string, config: Pick<DraftConfig, 'inputUsdPerMTok' | 'outputUsdPerMTok'>): Promise<number> {
  let inputTokens = 0;
  let outputTokens = 0;
  for (const topicId of (await issueDrafts(storage, week)).keys()) {
    for (const d of await draftHistory(storage, week, topicId)) {
      inputTokens += d.inputTokens || 0;
      outputTokens += d.outputTokens || 0;
    }
  }
  return costOf({ inputTokens, outputTokens, calls: 0, cachedCalls: 0 }, config);
}

/**
 * The issue document from the stored drafts (the Render step, or a re-render after an editor
 * regenerated a story): the latest version of each topic's story, in topic rank order.
 */
export async function issueFromDrafts(
  storage: Storage,
  input: { week: string; topics: Topic[]; stats: DraftedIssue['stats']; config?: Pick<DraftConfig, 'inputUsdPerMTok' | 'outputUsdPerMTok' | 'model'>; now?: Date },
): Promise<DraftedIssue> {
  const latest = await issueDrafts(storage, input.week);
  const topics: DraftedIssue['topics'] = [];
  const drafts: DraftedIssue['drafts'] = [];
  let verification = emptyCounts();
  let claims = emptyClaimCounts();
  let inputTokens = 0;
  let outputTokens = 0;
  for (const topic of input.topics) {
    const version = latest.get(topic.id);
    if (version === undefined) continue;
    const history = await draftHistory(storage, input.week, topic.id);
    const d = history.find((h) => h.version === version);
    if (!d) continue;
    topics.push(issueTopic(topic, { story: d.story, counts: d.counts, problems: [], drafter: d.drafter, attempts: 0, usage: { inputTokens: 0, outputTokens: 0, calls: 0, cachedCalls: 0 } }));
    drafts.push({ topicId: topic.id, drafter: d.drafter, version, problems: d.problems.length, ...(d.fallback ? { fallback: d.fallback } : {}) });
    verification = addCounts(verification, d.counts);
    claims = addClaimCounts(claims, claimCountsOf(d.story));
    for (const h of history) {
      inputTokens += h.inputTokens || 0;
      outputTokens += h.outputTokens || 0;
    }
  }
  const usage = { inputTokens, outputTokens, calls: 0, cachedCalls: 0 };
  return {
    week: input.week,
    generatedAt: (input.now ?? new Date()).toISOString(),
    stats: input.stats,
    topics,
    verification,
    claims,
    cost: { inputTokens, outputTokens, usd: input.config ? costOf(usage, input.config) : 0, calls: 0, cachedCalls: 0, cutTokens: 0, ...(input.config ? { model: input.config.model } : {}) },
    drafts,
  };
}
