import type { Story, VerificationCounts } from '../model.js';
import type { TopicMaterial } from '../verify/material.js';
import { hasRemovals, verifyStory, type VerifyProblem, type VerifyResult } from '../verify/verify.js';
import { addUsage, emptyUsage, type Usage } from './config.js';
import { ModelOutputError, type ModelDrafter } from './model-drafter.js';
import { keepClaims, offlineStory } from './offline.js';

/** Problems sent back to the model at most; the rest adds tokens, not guidance. */
const MAX_FEEDBACK_PROBLEMS = 12;

export interface TopicDraft {
  story: Story;
  counts: VerificationCounts;
  problems: VerifyProblem[];
  drafter: 'model' | 'offline';
  /** Model calls for this topic (0 for offline). */
  attempts: number;
  usage: Usage;
  /** Why the offline drafter wrote a story the model was asked for. */
  fallback?: string;
  /** Own-word tokens cut to fit the topic budget (model path). */
  cutTokens?: number;
}

export interface DraftTopicDeps {
  /** Absent: offline. */
  model?: ModelDrafter;
  /** Asks the model for a new answer instead of the cached one (the review page's "regenerate"). */
  salt?: string;
}

/**
 * One topic's story, verified.
 * 1. without a model: the offline drafter, then verification;
 * 2. with one: its story is verified; a story that fails is sent back once with the problems,
 *    and what still fails in the second answer is removed and counted;
 * 3. if the model fails (errors, malformed answers twice, nothing left after verification), the
 *    offline drafter writes the story and the reason is kept.
 */
export async function draftTopic(material: TopicMaterial, deps: DraftTopicDeps = {}): Promise<TopicDraft> {
  if (!deps.model) return offline(material, emptyUsage(), 0);
  let usage = emptyUsage();
  let attempts = 0;
  try {
    let first: VerifyResult | undefined;
    let raw = '';
    let cut = 0;
    let malformed = '';
    try {
      attempts++;
      const d = await deps.model.write(material, undefined, deps.salt);
      usage = addUsage(usage, d.usage);
      cut = d.packing.cutTokens;
      raw = d.raw;
      first = verifyStory(d.story, material);
      if (!hasRemovals(first) && first.story.paragraphs.length > 0) return done(first, 'model', attempts, usage, cut);
    } catch (err) {
      if (!(err instanceof ModelOutputError)) throw err;
      usage = addUsage(usage, err.usage);
      raw = err.raw.slice(0, 4_000);
      malformed = err.message;
    }
    const problems = first
      ? first.problems.filter((p) => p.action === 'removed').slice(0, MAX_FEEDBACK_PROBLEMS).map((p) => p.message)
      : [`your answer could not be used: ${malformed}`];
    attempts++;
    const second = await deps.model.write(material, { previous: raw || '(empty)', problems }, deps.salt);
    usage = addUsage(usage, second.usage);
    const result = verifyStory(second.story, material);
    if (result.story.paragraphs.length === 0) return offline(material, usage, attempts, 'nothing of the model story survived verification');
    return done(result, 'model', attempts, usage, cut);
  } catch (err) {
    if (err instanceof ModelOutputError) usage = addUsage(usage, err.usage);
    return offline(material, usage, attempts, (err as Error).message);
  }
}

function done(result: VerifyResult, drafter: 'model' | 'offline', attempts: number, usage: Usage, cutTokens?: number): TopicDraft {
  return { story: result.story, counts: result.counts, problems: result.problems, drafter, attempts, usage, ...(cutTokens ? { cutTokens } : {}) };
}

function offline(material: TopicMaterial, usage: Usage, attempts: number, fallback?: string): TopicDraft {
  const story = offlineStory(material);
  const result = verifyStory(story, material);
  keepClaims(story, result.story);
  return { ...done(result, 'offline', attempts, usage), ...(fallback ? { fallback } : {}) };
}
