import type { Topic } from '../model.js';
import { normalizeSubject, tokenize } from './text.js';

/** What is remembered of a story from an earlier week, enough to recognise its continuation. */
export interface KnownTopic {
  week: string;
  id: string;
  title: string;
  rank: number;
  messageIds: string[];
  /** Series ids and b4 change-ids of the series in the story. */
  seriesKeys: string[];
  participantEmails: string[];
  /** Highest series version seen then (0 for none). */
  version: number;
}

/** Title words (Jaccard) two weeks' topics must share to be called the same story... */
export const SAME_TITLE_MIN = 0.6;
/** ...together with this share of their participants. */
export const SAME_PEOPLE_MIN = 0.4;
/** A follow-up with nothing new keeps this share of its score. */
export const FOLLOW_UP_NOTHING_NEW = 0.35;
/** New people needed to count as "something new happened". */
export const NEW_PEOPLE_MIN = 2;

export interface Continuation {
  of: KnownTopic;
  how: 'same series' | 'same thread' | 'same subject and people';
}

/** This week's facts a continuation is judged on. */
export interface TopicKeys {
  messageIds: string[];
  referencedIds: string[];
  seriesKeys: string[];
  title: string;
  participantEmails: string[];
}

/**
 * The earlier story this topic continues, if any: the same series (id or change-id), the same
 * thread (a message here is, or replies to, a message there), or a strongly similar title with
 * largely the same people. The most recent earlier week wins.
 */
export function findContinuation(keys: TopicKeys, known: KnownTopic[]): Continuation | undefined {
  const ids = new Set([...keys.messageIds, ...keys.referencedIds]);
  const series = new Set(keys.seriesKeys);
  const titleWords = new Set(tokenize(normalizeSubject(keys.title)));
  const people = new Set(keys.participantEmails);
  const sorted = [...known].sort((a, b) => b.week.localeCompare(a.week) || a.rank - b.rank);
  for (const k of sorted) {
    if (k.seriesKeys.some((s) => series.has(s))) return { of: k, how: 'same series' };
    if (k.messageIds.some((id) => ids.has(id))) return { of: k, how: 'same thread' };
    if (jaccard(titleWords, new Set(tokenize(normalizeSubject(k.title)))) >= SAME_TITLE_MIN && jaccard(people, new Set(k.participantEmails)) >= SAME_PEOPLE_MIN) {
      return { of: k, how: 'same subject and people' };
    }
  }
  return undefined;
}

/** What is new since the earlier story: a new version, new people, a decision. Empty when nothing is. */
export function whatIsNew(topic: Topic, version: number, earlier: KnownTopic): string[] {
  const news: string[] = [];
  if (version > earlier.version && earlier.version > 0) news.push(`v${version} posted`);
  const before = new Set(earlier.participantEmails);
  const newPeople = topic.participants.filter((p) => !before.has(p.email));
  if (newPeople.length >= NEW_PEOPLE_MIN) news.push(`${newPeople.length} new participants`);
  const decisions = topic.features.decisions;
  if (Array.isArray(decisions) && decisions.length) news.push(`decision: ${decisions.join(', ')}`);
  return news;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const all = a.size + b.size - shared;
  return all === 0 ? 0 : shared / all;
}
