import type { Topic, WeekAnalysis } from '../model.js';
import type { Storage } from '../storage/ports.js';
import { buildTopics } from './build.js';
import type { Maintainers } from './maintainers.js';
import type OpenAI from 'openai';
import { draftConfigFromEnv, type DraftConfig } from '../draft/config.js';
import { modelRank, type ModelRankReport } from './model-rank.js';
import { loadKnownTopics, saveTopics } from './store.js';

export interface TopicsStageOptions {
  week: string;
  maintainers?: Maintainers;
  /** Store this week's topics for later weeks' follow-up detection. Default true. */
  store?: boolean;
  /**
   * The model pass over the offline order: a config (with an API key), or false for none.
   * Default: from the environment (OPENAI_API_KEY, OPENAI_BASE_URL, KERNEL_NEWS_MODEL), used only
   * when a key is set.
   */
  model?: DraftConfig | false;
  /** Tests point this at a local server. */
  client?: OpenAI;
  /** Told what the model pass did (applied or why not, tokens, dollars). */
  onModelRank?: (report: ModelRankReport) => void;
}

/**
 * The topics stage as the pipeline runs it.
 * 1. load the stories of the earlier stored weeks;
 * 2. build and rank this week's topics, marking follow-ups;
 * 3. when a model is configured, let it reorder the top candidates (the offline order is the fallback);
 * 4. store them (replacing an earlier run for the same week).
 */
export async function topicsStage(analysis: WeekAnalysis, storage: Storage, options: TopicsStageOptions): Promise<Topic[]> {
  const knownTopics = await loadKnownTopics(storage.table, options.week);
  let topics = buildTopics(analysis, { week: options.week, maintainers: options.maintainers, knownTopics });
  const config = options.model === undefined ? draftConfigFromEnv() : options.model;
  if (config && config.apiKey) {
    const ranked = await modelRank(topics, analysis, config, { client: options.client });
    topics = ranked.topics;
    options.onModelRank?.(ranked.report);
  }
  if (options.store !== false) await saveTopics(storage.table, options.week, topics);
  return topics;
}
