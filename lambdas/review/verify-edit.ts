import type { Topic } from '../model.js';
import type { Storage } from '../storage/index.js';
import { loadTopics } from '../topics/store.js';
import { verifyWithClaims } from '../claims/stage.js';
import { loadTopicMaterial } from '../thread/topic-loader.js';
import type { TopicMaterial } from '../verify/material.js';
import type { ReviewDeps } from './routes.js';
import type { ReviewDocument } from './store.js';

type IssueEntry = ReviewDocument['topics'][number];

/** The story's stored topic; an issue entry whose topic is gone stands in for it (its own messages and people). */
export async function storyTopic(storage: Storage, week: string, entry: IssueEntry): Promise<Topic> {
  return (await loadTopics(storage.table, week)).find((t) => t.id === entry.id)
    ?? { id: entry.id, title: entry.headline, score: entry.score, reasons: entry.reasons, features: {}, threadIds: [], messageIds: entry.messageIds, participants: entry.participants, followUpOf: entry.followUpOf ?? null };
}

/**
 * The review page's check of an edited story, the same under `kernel-news serve` and behind API
 * Gateway. Steps:
 * 1. the story's topic, and its material: by default only that topic's messages
 *    (lambdas/thread/topic-loader.ts), which fits the web function's 29 s;
 * 2. the editor's text through the drafters' checks (claims/stage.ts): quotes verbatim and in
 *    their author's own words, then every claim about a person, declared or found in the prose;
 * 3. what failed, as lines for the editor: each one blocks approval until fixed.
 */
export function editVerifier(
  storage: Storage,
  material: (week: string, topic: Topic) => Promise<TopicMaterial> = (week, topic) => loadTopicMaterial(storage, week, topic),
): NonNullable<ReviewDeps['verify']> {
  return async (week, entry) => {
    const result = verifyWithClaims({ topicId: entry.id, headline: entry.headline, paragraphs: entry.paragraphs }, await material(week, await storyTopic(storage, week, entry)));
    // Claims found in the editor's prose that the mail does not fully show, and declared ones (kept from the draft) it no longer shows.
    const claims = result.story.paragraphs.flatMap((p) => p.claims ?? []).filter((c) => c.status === 'removed' || (c.found === 'prose' && c.status !== 'verified'));
    return [
      ...result.problems.filter((p) => p.action === 'removed').map((p) => `Check against the source messages: ${p.message}. Fix the text, or remove the quotation marks.`),
      ...claims.map((c) => `Check the claim against the source messages: ${c.note}. ${c.status === 'softened' ? `The mail shows: "${c.sentence}"` : 'Remove the sentence or say what the mail shows.'}`),
    ];
  };
}
