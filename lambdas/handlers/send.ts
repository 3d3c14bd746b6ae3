import { SESv2Client } from '@aws-sdk/client-sesv2';
import { z } from 'zod';
import { SesMailer, type Mailer } from '../deliver/mailer.js';
import { sendIssue } from '../deliver/send.js';
import { parseBatchId } from '../deliver/plan.js';
import type { Storage } from '../storage/index.js';
import { depsFromEnv, logger, parseEvent, signingKeyFromEnv, WeekSchema } from './runtime.js';

const SendEvent = z.object({
  week: WeekSchema,
  /** One batch of a PlanDelivery plan ("<index>/<count>"); without it, every recipient. */
  batchId: z.string().refine((id) => parseBatchId(id) !== undefined, 'a batch id "<index>/<count>" with index < count').optional(),
});

/** Some recipients failed; Step Functions retries the step, which sends only to those not yet sent. */
export class SendIncompleteError extends Error {
  constructor(week: string, failed: number, first: string) {
    super(`send: ${failed} recipient(s) of ${week} failed (first: ${first}); retrying sends only to them`);
    this.name = 'SendIncompleteError';
  }
}

export interface SendDeps {
  storage: Storage;
  mailer: Mailer;
  signingKey: Buffer;
  from: string;
  /** Base URL of the signed links, for each recipient's unsubscribe link. */
  linksUrl: string;
}

/**
 * The SendBatch state (or a one-task Send): the deliver stage's sendIssue for one planned batch,
 * exactly once per confirmed subscriber (a send record is written before each mail is final), so a
 * retry or a re-run of the week resumes.
 */
export function createSendHandler(deps: SendDeps) {
  return async (event: unknown): Promise<{ week: string; batchId?: string; total: number; sent: number; alreadySent: number; inDoubt: number }> => {
    const { week, batchId } = parseEvent(SendEvent, event, 'send');
    const batch = batchId === undefined ? undefined : parseBatchId(batchId);
    const report = await sendIssue(deps.storage, deps.mailer, { week, batch, from: deps.from, baseUrl: deps.linksUrl, signingKey: deps.signingKey });
    logger.info('sent', { week, batchId, total: report.total, sent: report.sent, alreadySent: report.alreadySent, failed: report.failed.length, inDoubt: report.inDoubt });
    if (report.failed.length) throw new SendIncompleteError(week, report.failed.length, report.failed[0].error);
    return { week, batchId, total: report.total, sent: report.sent, alreadySent: report.alreadySent, inDoubt: report.inDoubt.length };
  };
}

const Env = z.object({
  FROM_ADDRESS: z.string().email(),
  SES_CONFIGURATION_SET: z.string().min(1),
  LINKS_URL: z.string().url(),
  /** The account's SES sending rate (messages per second), shared by the batches sent at once. */
  SES_MAX_PER_SECOND: z.coerce.number().positive().default(10),
  SEND_CONCURRENCY: z.coerce.number().int().positive().default(8),
});

let made: Promise<(event: unknown) => Promise<unknown>> | undefined;

export async function handler(event: unknown) {
  made ??= signingKeyFromEnv().then((signingKey) => {
    const env = Env.parse(process.env);
    return createSendHandler({
      storage: depsFromEnv().storage, signingKey, from: env.FROM_ADDRESS, linksUrl: env.LINKS_URL,
      mailer: new SesMailer(new SESv2Client({ maxAttempts: 1 }), env.SES_MAX_PER_SECOND / env.SEND_CONCURRENCY, env.SES_CONFIGURATION_SET),
    });
  });
  made.catch(() => { made = undefined; });
  return (await made)(event);
}
