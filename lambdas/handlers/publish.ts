import { z } from 'zod';
import { publishIssue } from '../archive/publish.js';
import { getIssueRecord, getIssueVersion, publishedDocument } from '../review/store.js';
import { fromEnv, InvalidEventError, logger, parseEvent, WeekSchema, type StageDeps } from './runtime.js';

const PublishEvent = z.object({ week: WeekSchema });

/**
 * The PublishArchive state. Steps: load the approved version (dropped stories left out); write its
 * web page, mail variant, text, MJML and JSON under issues/<week>/ in the site bucket, and rebuild
 * the index and Atom feed. Every write replaces the same keys, so a re-run republishes the same.
 */
export function createPublishHandler(deps: StageDeps & { siteUrl: string }) {
  return async (event: unknown): Promise<{ week: string; files: number }> => {
    const { week } = parseEvent(PublishEvent, event, 'publish');
    const record = await getIssueRecord(deps.storage, week);
    if (record?.status !== 'approved' || record.approvedVersion === undefined) throw new InvalidEventError(`publish: issue ${week} is not approved`);
    const doc = await getIssueVersion(deps.storage, week, record.approvedVersion);
    if (!doc) throw new InvalidEventError(`publish: issue ${week} has no version ${record.approvedVersion}`);
    const files = await publishIssue({ site: deps.storage.site, table: deps.storage.table, siteUrl: deps.siteUrl }, publishedDocument(doc), record.approvedAt);
    logger.info('published', { week, files: files.length });
    return { week, files: files.length };
  };
}

export const handler = fromEnv((deps) => createPublishHandler({ ...deps, siteUrl: z.string().url().parse(process.env.SITE_URL) }));
