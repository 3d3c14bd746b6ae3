import { z } from 'zod';
import { drafterFromEnv, makeDraftStoryHandler, type DraftStageDeps } from '../draft/handler.js';
import { latestVersion } from '../draft/store.js';
import { fromEnv, parseEvent, WeekSchema } from './runtime.js';
import { weekLoader } from '../thread/week-loader.js';

const DraftEvent = z.object({ week: WeekSchema, topicId: z.string().min(1).max(300) });

/**
 * The DraftStory state (one per topic, inside the drafting Map): the drafting stage's handler.
 * A topic that already has a stored draft is left as it is, so re-running a week resumes instead
 * of drafting (and paying for) every story again; an editor regenerates a story from the review page.
 */
export function createDraftHandler(deps: DraftStageDeps) {
  const draftStory = makeDraftStoryHandler(deps);
  return async (event: unknown): Promise<{ week: string; topicId: string; version: number; resumed: boolean }> => {
    const { week, topicId } = parseEvent(DraftEvent, event, 'draft');
    const existing = await latestVersion(deps.storage, week, topicId);
    if (existing > 0) return { week, topicId, version: existing, resumed: true };
    const drafted = await draftStory({ week, topicId });
    return { week, topicId, version: drafted.version, resumed: false };
  };
}

/** In AWS: the week from storage, the model the environment names (MODEL, MODEL_KEY_SECRET_ARN, MAX_USD_PER_ISSUE). */
export const handler = fromEnv(({ storage }) => createDraftHandler({
  storage,
  loadAnalysis: weekLoader(storage, { bodies: true }),
  drafter: drafterFromEnv(storage),
}));
