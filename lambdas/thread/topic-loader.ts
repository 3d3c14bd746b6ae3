import type { Topic, WeekAnalysis } from '../model.js';
import { weekManifest } from '../ingest/ingest.js';
import { storedEntries } from '../ingest/stored.js';
import { withEarlierVersions } from '../series/store.js';
import type { Storage } from '../storage/index.js';
import { topicMaterial, type TopicMaterial } from '../verify/material.js';
import { analyseWeek } from './analyse.js';
import { loadWeekPeople } from './people-store.js';

/** The suffix analyseWeek gives a second message reusing a Message-ID; the manifest keeps the id as sent. */
const DUPLICATE_ID = /#dup-[0-9a-f]+$/;

/**
 * One topic's messages taken apart the way the week loader takes the week apart, for where the
 * whole week cannot be read in time (the web function checking an edited story, 29 s). Steps:
 * 1. the week's manifest (the table) names each message's raw object;
 * 2. only the manifest items of the topic's messages are fetched, in manifest order (cross-posted
 *    copies and reused ids resolve as in the whole week), and analysed with their bodies;
 * 3. series gain the versions the Thread step stored, this week's included (a version posted
 *    in a thread outside the topic is still the series');
 * Messages of the topic from another week are left out, as the week's analysis leaves them out.
 */
export async function topicAnalysis(storage: Storage, week: string, topic: Pick<Topic, 'messageIds'>): Promise<WeekAnalysis> {
  const wanted = new Set(topic.messageIds.map((id) => id.replace(DUPLICATE_ID, '')));
  const items = (await weekManifest(storage, week)).filter((item) => wanted.has(String(item.messageId)));
  const analysis = await analyseWeek(storedEntries(storage, items), { bodies: true });
  analysis.series = await withEarlierVersions(storage, analysis.series, week, { sameWeek: true });
  return analysis;
}

/**
 * What a story about the topic is checked against (lambdas/verify/material.ts, as the drafting
 * stage builds it), from the topic's messages alone, with the week's people the Thread step
 * stored; a week threaded before that was stored falls back to the people the topic's mail names.
 */
export async function loadTopicMaterial(storage: Storage, week: string, topic: Topic): Promise<TopicMaterial> {
  const [analysis, people] = await Promise.all([topicAnalysis(storage, week, topic), loadWeekPeople(storage, week)]);
  return topicMaterial(analysis, topic, people);
}
