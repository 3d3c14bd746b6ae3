import type { IssueDocument, Topic, WeekAnalysis } from '../model.js';
import type { Storage } from '../storage/index.js';
import { weekLoader } from '../thread/week-loader.js';
import { storeSeries } from '../series/store.js';
import { topicsStage } from '../topics/stage.js';
import type { Maintainers } from '../topics/maintainers.js';
import { draftIssue, modelDrafterFor, regenerateStory, type DraftedIssue } from '../draft/issue.js';
import { draftConfigFromEnv, type DraftConfig } from '../draft/config.js';
import { publishIssue } from '../archive/publish.js';
import type { ReviewDeps } from '../review/routes.js';
import { editVerifier, storyTopic } from '../review/verify-edit.js';
import { storeWeekPeople } from '../thread/people-store.js';
import { weekSenders } from '../verify/material.js';

/** Where the local site is served by `kernel-news serve`; links in mail and the archive point here. */
export const DEFAULT_PORT = 8025;
/** A list reached by fewer than this share of the week's messages is not named in the masthead. */
const MASTHEAD_LIST_SHARE = 0.04;

export const defaultSiteUrl = (port = DEFAULT_PORT) => `http://127.0.0.1:${port}`;

/** The week's stored messages, taken apart (series joined with versions from earlier weeks), its series and people stored. */
export async function analyseStoredWeek(storage: Storage, week: string): Promise<WeekAnalysis> {
  const analysis = await weekLoader(storage, { bodies: true })(week);
  await storeSeries(storage, analysis.series, week);
  await storeWeekPeople(storage, week, weekSenders(analysis));
  return analysis;
}

/**
 * From stored messages to a draft issue document: analyse the week, build and store its topics,
 * draft the top stories (the model when a key is configured, else offline), with every quote verified.
 */
export async function draftWeek(storage: Storage, options: { week: string; top: number; maintainers?: Maintainers; progress?: (m: string) => void; report?: (line: string) => void; draftConfig?: DraftConfig }): Promise<{ doc: DraftedIssue; analysis: WeekAnalysis; topics: Topic[] }> {
  options.progress?.(`analyse: week ${options.week}`);
  const analysis = await analyseStoredWeek(storage, options.week);
  if (analysis.messages.length === 0) throw new Error(`no stored messages for week ${options.week}`);
  // One set of model settings for the ranking pass and the drafting (run's --base-url/--model included).
  const draftConfig = options.draftConfig ?? draftConfigFromEnv();
  const topics = await topicsStage(analysis, storage, { week: options.week, maintainers: options.maintainers, model: draftConfig });
  const drafter = modelDrafterFor(draftConfig, storage);
  const doc = await draftIssue({ week: options.week, analysis, topics, top: options.top }, { drafter, storage, progress: options.progress, report: options.report });
  const lists = new Map<string, number>();
  for (const m of analysis.messages) for (const l of m.lists) lists.set(l, (lists.get(l) ?? 0) + 1);
  // The lists the week was mostly about: copies Cc'd to a list once or twice do not make the masthead.
  const floor = Math.max(3, Math.ceil(analysis.messages.length * MASTHEAD_LIST_SHARE));
  doc.lists = [...lists].filter(([, n]) => n >= floor).sort((a, b) => b[1] - a[1]).map(([l]) => l);
  return { doc, analysis, topics };
}

/** Review wiring for the local server: regenerate through the drafting stage, check edits as the web function does, publish on approval. */
export function localReviewDeps(storage: Storage, signingKey: Buffer, siteUrl: string, mirrorDir: string): ReviewDeps {
  const analysisOf = weekLoader(storage, { bodies: true });
  return {
    storage,
    signingKey,
    async regenerate(week, entry) {
      const { topic: fresh } = await regenerateStory({ week, analysis: await analysisOf(week), topic: await storyTopic(storage, week, entry) }, { drafter: modelDrafterFor(draftConfigFromEnv(), storage), storage });
      return fresh;
    },
    verify: editVerifier(storage),
    async onApproved(week, doc) {
      await publishIssue({ site: storage.site, table: storage.table, siteUrl, mirrorDir }, doc);
    },
  };
}
