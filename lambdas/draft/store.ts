import type { Storage } from '../storage/ports.js';
import type { Story, VerificationCounts } from '../model.js';
import type { TopicDraft } from './draft-topic.js';

/** Versions are zero-padded so the sort key orders them. */
const pad = (n: number) => String(n).padStart(6, '0');
export const draftPk = (week: string, topicId: string) => `DRAFT#${week}#${topicId}`;
export const versionSk = (n: number) => `V#${pad(n)}`;

export interface StoredDraft {
  week: string;
  topicId: string;
  version: number;
  story: Story;
  counts: VerificationCounts;
  drafter: 'model' | 'offline';
  fallback?: string;
  problems: string[];
  inputTokens: number;
  outputTokens: number;
  createdAt: string;
}

/** Attempts at claiming the next version number when two writers race. */
const MAX_VERSION_CLAIMS = 5;

/**
 * Stores a draft as the next version of the topic's story: `DRAFT#<week>#<topicId>` / `V#<n>`.
 * Earlier versions stay (regenerating keeps the old story). The week's issue partition gets a
 * link row `ISSUE#<week>` / `DRAFT#<topicId>` naming the latest version.
 */
export async function saveDraft(storage: Storage, week: string, topicId: string, draft: TopicDraft, now = new Date()): Promise<StoredDraft> {
  for (let attempt = 0; attempt < MAX_VERSION_CLAIMS; attempt++) {
    const version = (await latestVersion(storage, week, topicId)) + 1;
    const record: StoredDraft = {
      week, topicId, version, story: draft.story, counts: draft.counts, drafter: draft.drafter,
      ...(draft.fallback ? { fallback: draft.fallback } : {}),
      problems: draft.problems.map((p) => `${p.action}: ${p.message}`).slice(0, 50),
      inputTokens: draft.usage.inputTokens, outputTokens: draft.usage.outputTokens, createdAt: now.toISOString(),
    };
    const stored = await storage.table.put({ pk: draftPk(week, topicId), sk: versionSk(version), ...record }, { ifAbsent: true });
    if (!stored) continue;
    await storage.table.put({ pk: `ISSUE#${week}`, sk: `DRAFT#${topicId}`, week, topicId, latestVersion: version, headline: draft.story.headline, updatedAt: record.createdAt });
    return record;
  }
  throw new Error(`could not store a new draft version for ${topicId} in ${week}: too many concurrent writers`);
}

export async function latestVersion(storage: Storage, week: string, topicId: string): Promise<number> {
  let latest = 0;
  for await (const item of storage.table.query(draftPk(week, topicId), 'V#')) latest = Math.max(latest, Number(item.version) || 0);
  return latest;
}

/** Every stored version of a topic's story, oldest first. */
export async function draftHistory(storage: Storage, week: string, topicId: string): Promise<StoredDraft[]> {
  const out: StoredDraft[] = [];
  for await (const item of storage.table.query(draftPk(week, topicId), 'V#')) {
    const { pk: _pk, sk: _sk, ...rest } = item;
    out.push(rest as unknown as StoredDraft);
  }
  return out;
}

/** The week's drafts as linked from its issue partition: topic id -> latest version. */
export async function issueDrafts(storage: Storage, week: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const item of storage.table.query(`ISSUE#${week}`, 'DRAFT#')) out.set(String(item.topicId), Number(item.latestVersion));
  return out;
}
