import { z } from 'zod';
import { storeSeries } from '../series/store.js';
import { storeWeekPeople } from '../thread/people-store.js';
import { weekSenders } from '../verify/material.js';
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
 * series, set noise aside; store this week's series versions so later weeks can link to them, and
 * the week's people, for the review page's check of an edited story (which reads one topic, not the week).
 * Storing is by key (`SERIES#<id>` / `VERSION#<n>`, `PEOPLE#<week>`), so a re-run rewrites the same items.
 */
export function createThreadHandler(deps: StageDeps) {
  const load = weekLoader(deps.storage, { bodies: false });
  return async (event: unknown): Promise<ThreadResult> => {
    const { week } = parseEvent(ThreadEvent, event, 'thread');
    const analysis = await load(week);
    await storeSeries(deps.storage, analysis.series, week);
    await storeWeekPeople(deps.storage, week, weekSenders(analysis));
    const result = { week, messages: analysis.messages.length, threads: analysis.threads.length, series: analysis.series.length, noise: analysis.noise.length, quarantined: analysis.quarantined.length };
    logger.info('threaded', { ...result });
    return result;
  };
}

export const handler = fromEnv((deps) => createThreadHandler(deps));
