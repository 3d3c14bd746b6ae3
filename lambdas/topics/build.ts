import { createHash } from 'node:crypto';
import type { Topic, WeekAnalysis } from '../model.js';
import { findContinuation, FOLLOW_UP_NOTHING_NEW, whatIsNew, type KnownTopic } from './followup.js';
import { measureGroup } from './features.js';
import { groupThreads, referencesOf, type ThreadGroup } from './group.js';
import { deriveMaintainers, type Maintainers } from './maintainers.js';
import { reasonsFor, score } from './rank.js';
import { WeekIndex } from './week-index.js';
import { editorTitle, pointOf } from './titles.js';

export interface BuildTopicsOptions {
  /** ISO week, YYYY-Www. */
  week: string;
  /** From a MAINTAINERS file (`--maintainers FILE`); the week's own mail adds to it. */
  maintainers?: Maintainers;
  /** Stories of earlier weeks, for follow-up detection (see loadKnownTopics). */
  knownTopics?: KnownTopic[];
}

/**
 * The week's stories, best first.
 * 1. group threads into topics (series versions, offshoots, shared references, same subject, alike text);
 * 2. measure each topic (people, maintainers, disagreement, novelty, policy, breadth, decisions, routine);
 * 3. score the features and explain the score in a few reasons;
 * 4. mark continuations of earlier weeks' stories, and push them down unless something new happened.
 */
export function buildTopics(analysis: WeekAnalysis, options: BuildTopicsOptions): Topic[] {
  const index = new WeekIndex(analysis);
  const maintainers = deriveMaintainers(analysis, options.maintainers);
  const seriesById = new Map(analysis.series.map((s) => [s.id, s]));
  const topics: Topic[] = [];
  for (const group of groupThreads(index)) {
    const point = pointOf(group, analysis, index);
    const facts = measureGroup(group, index, maintainers, point);
    const title = editorTitle(point, group, index, facts.features);
    const messageIds = group.threads.flatMap((t) => t.messageIds);
    const seriesKeys = seriesKeysOf(group, seriesById);
    facts.features.seriesKeys = seriesKeys;
    const topic: Topic = {
      id: topicId(group),
      title,
      score: score(facts.features),
      reasons: reasonsFor(facts),
      features: facts.features,
      threadIds: group.threads.map((t) => t.id),
      messageIds,
      participants: facts.participants,
      followUpOf: null,
    };
    if (options.knownTopics?.length) {
      const referencedIds = messageIds.flatMap((id) => {
        const m = index.byId.get(id);
        return m ? [...m.references, ...(m.inReplyTo ? [m.inReplyTo] : []), ...referencesOf(index, id).filter((r) => r.startsWith('msg:')).map((r) => r.slice(4))] : [];
      });
      const continuation = findContinuation({ messageIds, referencedIds, seriesKeys, title: topic.title, participantEmails: topic.participants.map((p) => p.email) }, options.knownTopics);
      if (continuation) {
        const earlier = continuation.of;
        topic.followUpOf = { week: earlier.week, topicId: earlier.id, headline: earlier.title };
        const news = whatIsNew(topic, Number(topic.features.versions) || 0, earlier);
        topic.features.followUp = continuation.how;
        topic.features.newSinceFollowUp = news;
        if (news.length === 0) {
          topic.score = Math.round(topic.score * FOLLOW_UP_NOTHING_NEW * 100) / 100;
          topic.reasons.push(`follow-up of ${earlier.week} story "${earlier.title}" (${continuation.how}); nothing new`);
        } else {
          topic.reasons.push(`follow-up of ${earlier.week} story "${earlier.title}": ${news.join(', ')}`);
        }
      }
    }
    topics.push(topic);
  }
  return topics.sort((a, b) => b.score - a.score || b.participants.length - a.participants.length || a.id.localeCompare(b.id));
}

/** Stable across runs and weeks: derived from the earliest thread root of the topic. */
function topicId(group: ThreadGroup): string {
  const roots = group.threads.map((t) => t.rootMessageId).sort();
  return `t-${createHash('sha256').update(roots[0]).digest('hex').slice(0, 12)}`;
}

export function seriesKeysOf(group: ThreadGroup, seriesById: Map<string, { id: string; changeId?: string }>): string[] {
  return group.seriesIds.flatMap((id) => {
    const s = seriesById.get(id);
    return s?.changeId ? [`series:${id}`, `change-id:${s.changeId}`] : [`series:${id}`];
  });
}
