import { z } from 'zod';
import { storeSeries } from '../series/store.js';
import { fromEnv, logger, parseEvent, WeekSchema, type StageDeps } from './runtime.js';
import { weekLoader } from '../thread/week-loader.js';

const ThreadEvent = z.object({ week: WeekSchema });

export interface ThreadResult {
  week: string;
  messages: number;
  threads: number;
  series: number;
  noise: number;
  quarantined: number;
}

/**
 * The Thread state. Steps: read the week's stored messages (headers only); thread them, link
 * series, set noise aside; store this week's series versions so later weeks can link to them.
 * Storing is by key (`SERIES#<id>` / `VERSION#<n>`), so a re-run rewrites the same items.
 */
export function createThreadHandler(deps: StageDeps) {
  const load = weekLoader(deps.storage, { bodies: false });
  return async (event: unknown): Promise<ThreadResult> => {
    const { week } = parseEvent(ThreadEvent, event, 'thread');
    const analysis = await load(week);
    await storeSeries(deps.storage, analysis.series, week);
    const result = { week, messages: analysis.messages.length, threads: analysis.threads.length, series: analysis.series.length, noise: analysis.noise.length, quarantined: analysis.quarantined.length };
    logger.info('threaded', { ...result });
    return result;
  };
}

export const handler = fromEnv((deps) => createThreadHandler(deps));
