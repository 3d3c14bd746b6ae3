import { z } from 'zod';
import type { Person } from '../model.js';
import type { Item, Storage } from '../storage/index.js';

/**
 * Everyone the week's mail names (From, To, Cc), kept by the Thread step: the check of an edited
 * story flags a name of one of them given to someone outside the story, and the web function that
 * runs it reads one topic's messages, not the week (lambdas/thread/topic-loader.ts).
 * `PEOPLE#<week>` / `<chunk, zero-padded>`: a week of every list names thousands of addresses,
 * more than one DynamoDB item (400 KB) holds.
 */
export const PEOPLE_PER_ITEM = 1000;

const peoplePk = (week: string) => `PEOPLE#${week}`;
const StoredPeople = z.object({ people: z.array(z.object({ name: z.string(), email: z.string() })) });

/** Replaces what an earlier run stored for the week. */
export async function storeWeekPeople(storage: Storage, week: string, people: Person[]): Promise<void> {
  const old: Array<{ pk: string; sk: string }> = [];
  for await (const item of storage.table.query(peoplePk(week))) old.push({ pk: item.pk, sk: item.sk });
  for (const key of old) await storage.table.delete(key);
  const items: Item[] = [];
  for (let i = 0; i < people.length; i += PEOPLE_PER_ITEM) {
    items.push({ pk: peoplePk(week), sk: String(i / PEOPLE_PER_ITEM).padStart(4, '0'), week, people: people.slice(i, i + PEOPLE_PER_ITEM).map((p) => ({ name: p.name, email: p.email })) });
  }
  await storage.table.batchPut(items);
}

/** The week's people, or undefined when the Thread step has not stored them (a week threaded before it did). */
export async function loadWeekPeople(storage: Storage, week: string): Promise<Person[] | undefined> {
  const people: Person[] = [];
  let found = false;
  for await (const item of storage.table.query(peoplePk(week))) {
    const parsed = StoredPeople.safeParse(item);
    if (!parsed.success) throw new Error(`stored people ${item.pk}/${item.sk} are malformed: ${parsed.error.issues[0]?.message}`);
    found = true;
    people.push(...parsed.data.people);
  }
  return found ? people : undefined;
}
