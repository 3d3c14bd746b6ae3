import type { Story, VerificationCounts } from '../model.js';
import type { TopicMaterial } from '../verify/material.js';
import { hasRemovals, type VerifyProblem } from '../verify/verify.js';
import { verifyWithClaims, type ClaimedResult } from '../claims/stage.js';
import { addUsage, emptyUsage, type Usage } from './config.js';
import type { ModelGuard } from './guard.js';
import { headlineProblems, normaliseHeadline } from './headline-rules.js';
import { ModelError, ModelOutputError, type ModelDrafter, type StoryAngle } from './model-drafter.js';
import { offlineStory } from './offline.js';

/** Problems sent back to the model at most; the rest adds tokens, not guidance. */
const MAX_FEEDBACK_PROBLEMS = 12;

export interface TopicDraft {
  story: Story;
  counts: VerificationCounts;
  /** Claims about people and patches: made, verified, softened, removed (lambdas/claims/). */
  claims?: ClaimedResult['claims'];
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
  /** The deadline and circuit breaker (shared by its stories); absent: per-call limits only. */
  guard?: ModelGuard;
  /** Why the story was picked and where people stand, for the prompt; default: the ranker's reasons. */
  angle?: StoryAngle;
}

/**
 * One topic's story, verified.
 * 1. without a model, or when the guard says the endpoint is not to be called (deadline
 *    passed, failing endpoint): the offline drafter, then verification, with the reason kept;
 * 2. with one: its story is verified; a story that fails is sent back once with the problems,
 *    and what still fails in the second answer is removed and counted;
 * 3. the model's headline is held to the headline rules; one that breaks them is replaced by the
 *    offline drafter's;
 * 4. if the model fails (errors, malformed answers twice, nothing left after verification), the
 *    offline drafter writes the story and the reason is kept. Every token paid for is counted.
 */
export async function draftTopic(material: TopicMaterial, deps: DraftTopicDeps = {}): Promise<TopicDraft> {
  if (!deps.model) return offline(material, emptyUsage(), 0);
  const blocked = deps.guard?.blocked();
  if (blocked) return offline(material, emptyUsage(), 0, blocked);
  const write = { salt: deps.salt, guard: deps.guard, angle: deps.angle };
  let usage = emptyUsage();
  let attempts = 0;
  try {
    let first: ClaimedResult | undefined;
    let raw = '';
    let cut = 0;
    let malformed = '';
    try {
      attempts++;
      const d = await deps.model.write(material, write);
      usage = addUsage(usage, d.usage);
      cut = d.packing.cutTokens;
      raw = d.raw;
      first = verifyWithClaims(d.story, material);
      if (!hasRemovals(first) && first.story.paragraphs.length > 0) return withHeadlineRules(done(first, 'model', attempts, usage, cut), material);
    } catch (err) {
      if (!(err instanceof ModelOutputError)) throw err;
      usage = addUsage(usage, err.usage);
      raw = err.raw.slice(0, 4_000);
      malformed = err.message;
    }
    // No time or endpoint left for a second answer: what verified of the first stands.
    if (first && first.story.paragraphs.length > 0 && deps.guard?.blocked()) return withHeadlineRules(done(first, 'model', attempts, usage, cut), material);
    const problems = first
      ? first.problems.filter((p) => p.action === 'removed').slice(0, MAX_FEEDBACK_PROBLEMS).map((p) => p.message)
      : [`your answer could not be used: ${malformed}`];
    attempts++;
    const second = await deps.model.write(material, { ...write, feedback: { previous: raw || '(empty)', problems } });
    usage = addUsage(usage, second.usage);
    const result = verifyWithClaims(second.story, material);
    if (result.story.paragraphs.length === 0) return offline(material, usage, attempts, 'nothing of the model story survived verification');
    return withHeadlineRules(done(result, 'model', attempts, usage, cut), material);
  } catch (err) {
    if (err instanceof ModelError) usage = addUsage(usage, err.usage);
    return offline(material, usage, attempts, (err as Error).message);
  }
}

function done(result: ClaimedResult, drafter: 'model' | 'offline', attempts: number, usage: Usage, cutTokens?: number): TopicDraft {
  return { story: result.story, counts: result.counts, claims: result.claims, problems: result.problems, drafter, attempts, usage, ...(cutTokens ? { cutTokens } : {}) };
}

function offline(material: TopicMaterial, usage: Usage, attempts: number, fallback?: string): TopicDraft {
  const result = verifyWithClaims(offlineStory(material), material);
  return { ...done(result, 'offline', attempts, usage), ...(fallback ? { fallback } : {}) };
}

/** The subjects a headline must not restate: the topic's title and its messages' subjects. */
function subjectsOf(material: TopicMaterial): string[] {
  return [...new Set([material.topic.title, ...material.messages.map((m) => m.subject)].filter(Boolean))];
}

/** A model headline that breaks the headline rules gives way to the offline drafter's, and the editor sees why. */
function withHeadlineRules(draft: TopicDraft, material: TopicMaterial): TopicDraft {
  const headline = normaliseHeadline(draft.story.headline);
  const problems = headlineProblems(headline, subjectsOf(material));
  if (problems.length === 0) return { ...draft, story: { ...draft.story, headline } };
  const replacement = normaliseHeadline(offlineStory(material).headline);
  return {
    ...draft,
    story: { ...draft.story, headline: replacement },
    problems: [...draft.problems, { kind: 'headline', message: `the model's headline "${headline}" ${problems.join(', ')}; the offline drafter's is used`, action: 'repaired' }],
  };
}
