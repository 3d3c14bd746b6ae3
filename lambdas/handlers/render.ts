import { z } from 'zod';
import type { Topic } from '../model.js';
import { issueFromDrafts } from '../draft/handler.js';
import { createDraftIssue, getIssueRecord } from '../review/store.js';
import { loadTopics } from '../topics/store.js';
import { fromEnv, logger, parseEvent, WeekSchema, type StageDeps } from './runtime.js';

const Count = z.number().int().nonnegative();
const RenderEvent = z.object({ week: WeekSchema, stats: z.object({ messages: Count, threads: Count, topics: Count }) });

export interface RenderResult {
  week: string;
  status: 'draft' | 'approved';
  draftVersion: number;
  /** True when the issue existed already (a re-run): it is kept as the editor left it. */
  resumed: boolean;
}

export class NothingDraftedError extends Error {
  constructor(week: string) {
    super(`render: no stored drafts for ${week}; the DraftStories step stored none`);
    this.name = 'NothingDraftedError';
  }
}

/**
 * The Render state. Steps: keep an issue that exists already (a re-run must not replace what the
 * editor did); otherwise take the latest stored draft of each ranked topic, in rank order, and
 * store the result as the issue's first draft version, which the review page renders.
 */
export function createRenderHandler(deps: StageDeps) {
  return async (event: unknown): Promise<RenderResult> => {
    const { week, stats } = parseEvent(RenderEvent, event, 'render');
    const existing = await getIssueRecord(deps.storage, week);
    if (existing) return { week, status: existing.status, draftVersion: existing.draftVersion, resumed: true };
    const topics = (await loadTopics(deps.storage.table, week)) as Topic[];
    const doc = await issueFromDrafts(deps.storage, { week, topics, stats });
    if (doc.topics.length === 0) throw new NothingDraftedError(week);
    const record = await createDraftIssue(deps.storage, doc);
    logger.info('issue assembled', { week, stories: doc.topics.length, draftVersion: record.draftVersion });
    return { week, status: record.status, draftVersion: record.draftVersion, resumed: false };
  };
}

export const handler = fromEnv((deps) => createRenderHandler(deps));
