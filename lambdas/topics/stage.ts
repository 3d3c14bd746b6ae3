import type { Topic, WeekAnalysis } from '../model.js';
import type { Storage } from '../storage/ports.js';
import { buildTopics } from './build.js';
import type { Maintainers } from './maintainers.js';
import { loadKnownTopics, saveTopics } from './store.js';

export interface TopicsStageOptions {
  week: string;
  maintainers?: Maintainers;
  /** Store this week's topics for later weeks' follow-up detection. Default true. */
  store?: boolean;
}

/**
 * The topics stage as the pipeline runs it.
 * 1. load the stories of the earlier stored weeks;
 * 2. build and rank this week's topics, marking follow-ups;
 * 3. store them (replacing an earlier run for the same week).
 */
export async function topicsStage(analysis: WeekAnalysis, storage: Storage, options: TopicsStageOptions): Promise<Topic[]> {
  const knownTopics = await loadKnownTopics(storage.table, options.week);
  const topics = buildTopics(analysis, { week: options.week, maintainers: options.maintainers, knownTopics });
  if (options.store !== false) await saveTopics(storage.table, options.week, topics);
  return topics;
}
