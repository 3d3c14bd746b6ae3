import { z } from 'zod';
import { topicsStage } from '../topics/stage.js';
import { fromEnv, logger, parseEvent, WeekSchema, type StageDeps } from './runtime.js';
import { weekLoader } from '../thread/week-loader.js';

const TopicsEvent = z.object({ week: WeekSchema });
/** Stories per issue, from the stack's `topStories` prop. */
const TopStoriesEnv = z.coerce.number().int().min(1).max(60).default(12);

export interface TopicsResult {
  week: string;
  topics: number;
  /** The ids of the stories to draft, best first; ids only, to stay far below the state limit. */
  topicIds: string[];
}

/**
 * The Topics state. Steps: take the stored week apart (bodies on: ranking reads them); build and
 * rank the topics, marking follow-ups of earlier weeks; store them (a re-run replaces the week's);
 * hand the top ids to the drafting Map.
 */
export function createTopicsHandler(deps: StageDeps & { topStories: number }) {
  const load = weekLoader(deps.storage, { bodies: true });
  return async (event: unknown): Promise<TopicsResult> => {
    const { week } = parseEvent(TopicsEvent, event, 'topics');
    const topics = await topicsStage(await load(week), deps.storage, { week });
    const topicIds = topics.slice(0, deps.topStories).map((t) => t.id);
    logger.info('ranked', { week, topics: topics.length, chosen: topicIds.length });
    return { week, topics: topics.length, topicIds };
  };
}

export const handler = fromEnv((deps) => createTopicsHandler({ ...deps, topStories: TopStoriesEnv.parse(process.env.TOP_STORIES) }));
