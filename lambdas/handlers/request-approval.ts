import { z } from 'zod';
import { makeReviewLink, REVIEW_LINK_TTL_SECONDS, reviewUrl } from '../review/links.js';
import { getIssueRecord } from '../review/store.js';
import type { Storage } from '../storage/index.js';
import { saveApprovalWait } from './approval.js';
import { SesEditorMail, type EditorMail } from './notify.js';
import { depsFromEnv, InvalidEventError, logger, parseEvent, signingKeyFromEnv, WeekSchema } from './runtime.js';

const RequestApprovalEvent = z.object({ week: WeekSchema, taskToken: z.string().min(1).max(2048) });

export interface RequestApprovalDeps {
  storage: Storage;
  signingKey: Buffer;
  mail: EditorMail;
  editorEmail: string;
  /** Base URL of the signed links (the HTTP API). */
  linksUrl: string;
  now?: () => number;
}

/**
 * The AwaitApproval state's function (called with a task token; the run waits until the token
 * comes back). Steps: store the token with the issue, then mail the editor the signed review link
 * of the current draft version.
 */
export function createRequestApprovalHandler(deps: RequestApprovalDeps) {
  const now = deps.now ?? Date.now;
  return async (event: unknown): Promise<{ week: string; mailed: boolean }> => {
    const { week, taskToken } = parseEvent(RequestApprovalEvent, event, 'request-approval');
    const record = await getIssueRecord(deps.storage, week);
    if (!record) throw new InvalidEventError(`request-approval: there is no issue for ${week}; the Render step makes it`);
    // The state machine skips this step for an approved issue (AlreadyApproved?).
    if (record.status === 'approved') throw new InvalidEventError(`request-approval: issue ${week} is approved already`);
    await saveApprovalWait(deps.storage.table, { week, taskToken, expiresAt: Math.floor(now() / 1000) + REVIEW_LINK_TTL_SECONDS });
    const link = reviewUrl(deps.linksUrl, makeReviewLink(deps.signingKey, week, record.draftVersion, now()));
    await deps.mail.send({
      to: deps.editorEmail,
      subject: `Kernel News ${week} is ready for review`,
      text: `The draft of ${week} (version ${record.draftVersion}) is ready.\n\nReview, edit and approve it here:\n${link}\n\nApproving sends it to the subscribers. The link works for ${REVIEW_LINK_TTL_SECONDS / 86400} days.\n`,
    });
    logger.info('review requested', { week, draftVersion: record.draftVersion });
    return { week, mailed: true };
  };
}

const Env = z.object({
  EDITOR_EMAIL: z.string().email(),
  FROM_ADDRESS: z.string().email(),
  SES_CONFIGURATION_SET: z.string().min(1),
  LINKS_URL: z.string().url(),
});

let made: Promise<(event: unknown) => Promise<{ week: string; mailed: boolean }>> | undefined;

export async function handler(event: unknown) {
  made ??= signingKeyFromEnv().then((signingKey) => {
    const env = Env.parse(process.env);
    return createRequestApprovalHandler({
      storage: depsFromEnv().storage, signingKey,
      mail: new SesEditorMail(env.FROM_ADDRESS, env.SES_CONFIGURATION_SET), editorEmail: env.EDITOR_EMAIL, linksUrl: env.LINKS_URL,
    });
  });
  made.catch(() => { made = undefined; });
  return (await made)(event);
}
