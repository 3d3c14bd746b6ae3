import type { WeekAnalysis } from '../model.js';
import { storedWeekEntries } from '../ingest/stored.js';
import { withEarlierVersions } from '../series/store.js';
import type { Storage } from '../storage/index.js';
import { analyseWeek } from './analyse.js';

/**
 * The week taken apart from its stored raw messages, as the Thread, Topics and DraftStory steps all
 * need it (a WeekAnalysis is not serialisable: bodies are parsed on demand). Series carry their
 * versions from earlier weeks. Kept per warm container: a Lambda that drafts several stories of
 * one week reads the week once.
 */
export function weekLoader(storage: Storage, options: { bodies: boolean }) {
  const cache = new Map<string, Promise<WeekAnalysis>>();
  return (week: string): Promise<WeekAnalysis> => {
    let loaded = cache.get(week);
    if (!loaded) {
      loaded = (async () => {
        const analysis = await analyseWeek(storedWeekEntries(storage, week), { bodies: options.bodies });
        analysis.series = await withEarlierVersions(storage, analysis.series, week);
        return analysis;
      })();
      // One week per container at a time: a warm container moving to another week drops the old one.
      cache.clear();
      cache.set(week, loaded);
      loaded.catch(() => cache.delete(week));
    }
    return loaded;
  };
}
