import { z } from 'zod';
import type { Topic } from '../model.js';
import type { Item, Table } from '../storage/ports.js';
import type { KnownTopic } from './followup.js';

/** Topics kept per week: far more than an issue carries, so a story ranked low can still be recognised later. */
export const STORED_TOPICS_PER_WEEK = 60;
/** How many earlier stored weeks follow-up detection looks back. */
export const FOLLOW_UP_WEEKS = 8;

const WEEKS_PK = 'TOPICWEEKS';
export const topicPk = (week: string) => `TOPIC#${week}`;
/** Sort key: rank first, so a query returns the week's topics best first. */
export const topicSk = (rank: number, id: string) => `${String(rank).padStart(4, '0')}#${id}`;

const personSchema = z.object({ name: z.string(), email: z.string() });
const storedTopicSchema = z.object({
  pk: z.string(),
  sk: z.string(),
  week: z.string(),
  rank: z.number().int().positive(),
  id: z.string(),
  title: z.string(),
  score: z.number(),
  reasons: z.array(z.string()),
  features: z.record(z.union([z.number(), z.string(), z.boolean(), z.array(z.string())])),
  threadIds: z.array(z.string()),
  messageIds: z.array(z.string()),
  participants: z.array(personSchema),
  followUpOf: z.object({ week: z.string(), topicId: z.string(), headline: z.string().optional(), url: z.string().optional() }).nullable(),
});
export type StoredTopic = z.infer<typeof storedTopicSchema>;

/**
 * Stores the week's best topics (`TOPIC#<week>` / `<rank>#<id>`), replacing what an earlier run
 * stored for the same week, and notes the week in `TOPICWEEKS` so later weeks can find it.
 */
export async function saveTopics(table: Table, week: string, topics: Topic[], keep = STORED_TOPICS_PER_WEEK): Promise<void> {
  const old: Array<{ pk: string; sk: string }> = [];
  for await (const item of table.query(topicPk(week))) old.push({ pk: item.pk, sk: item.sk });
  for (const key of old) await table.delete(key);
  const items: Item[] = topics.slice(0, keep).map((t, i) => ({
    pk: topicPk(week),
    sk: topicSk(i + 1, t.id),
    week,
    rank: i + 1,
    id: t.id,
    title: t.title,
    score: t.score,
    reasons: t.reasons,
    features: t.features,
    threadIds: t.threadIds,
    messageIds: t.messageIds,
    participants: t.participants,
    followUpOf: t.followUpOf,
  }));
  await table.batchPut(items);
  await table.put({ pk: WEEKS_PK, sk: week, topics: items.length, storedAt: new Date().toISOString() });
}

/** A week's stored topics, best first; each item is checked on the way in. */
export async function loadTopics(table: Table, week: string): Promise<StoredTopic[]> {
  const out: StoredTopic[] = [];
  for await (const item of table.query(topicPk(week))) {
    const parsed = storedTopicSchema.safeParse(item);
    if (!parsed.success) throw new Error(`stored topic ${item.pk}/${item.sk} is malformed: ${parsed.error.issues[0]?.message}`);
    out.push(parsed.data);
  }
  return out;
}

/** The stories of up to `weeksBack` stored weeks before `week`, for follow-up detection. */
export async function loadKnownTopics(table: Table, week: string, weeksBack = FOLLOW_UP_WEEKS): Promise<KnownTopic[]> {
  const weeks: string[] = [];
  for await (const item of table.query(WEEKS_PK)) if (item.sk < week) weeks.push(item.sk);
  const known: KnownTopic[] = [];
  for (const w of weeks.slice(-weeksBack)) {
    for (const t of await loadTopics(table, w)) {
      const seriesKeys = Array.isArray(t.features.seriesKeys) ? t.features.seriesKeys : [];
      known.push({
        week: t.week,
        id: t.id,
        title: t.title,
        rank: t.rank,
        messageIds: t.messageIds,
        seriesKeys,
        participantEmails: t.participants.map((p) => p.email),
        version: typeof t.features.versions === 'number' ? t.features.versions : 0,
      });
    }
  }
  return known;
}
