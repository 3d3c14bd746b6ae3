import { issueTitle, NEWSLETTER_NAME } from '../render/html.js';
import { UNSUBSCRIBE_PLACEHOLDER, type IssueDocument } from '../model.js';
import type { Storage } from '../storage/index.js';
import type { Item } from '../storage/ports.js';
import { UserError } from '../errors.js';
import { getIssueRecord } from '../review/store.js';
import { recipients } from '../subscribers/store.js';
import { subscriptionUrl } from '../subscribers/links.js';
import { escapeHtml } from '../web/http.js';
import { InDoubtError, type Mailer } from './mailer.js';
import { createHash } from 'node:crypto';

/** Messages in flight at once: enough to keep a pooled SMTP connection set or SES busy. */
export const SEND_CONCURRENCY = 8;

/**
 * Delivered marks are written in batches of this many (one BatchWriteItem each), or after this long:
 * a slow sender (SES at a low rate) should not leave many unmarked, and so in doubt, if it dies.
 */
const MARK_BATCH = 25;
const MARK_MAX_WAIT_MS = 1000;

export interface SendOptions {
  week: string;
  from: string;
  /** Where the subscription pages are served, for per-recipient unsubscribe links. */
  baseUrl: string;
  signingKey: Buffer;
  /** Only this share of the recipients (those whose address hashes to `index` of `of`): one Map item in AWS. */
  batch?: { index: number; of: number };
  onProgress?: (done: { sent: number; skipped: number; total: number }) => void;
  /**
   * Send again to recipients an earlier, interrupted run left in doubt (recorded, and the transport
   * has no evidence whether it was handed over). Off by default: a second copy is the error readers notice.
   */
  resendInDoubt?: boolean;
}

export interface SendReport {
  total: number;
  sent: number;
  alreadySent: number;
  /**
   * Recipients whose message may or may not have been delivered (an interrupted earlier run recorded
   * them and nothing confirms it, or this run's "." got no reply); not sent again unless asked.
   */
  inDoubt: string[];
  failed: Array<{ email: string; error: string }>;
}

class AlreadySentError extends Error {}

/** Stable per (issue, recipient): a retried send carries the same Message-ID, and the journal finds it. */
export function sendMessageId(week: string, email: string): string {
  return `<${week}.${createHash('sha256').update(email).digest('hex').slice(0, 24)}@kernel-news>`;
}

/** Which of `of` batches an address belongs to (stable, roughly even). */
export function batchOf(email: string, of: number): number {
  return createHash('sha256').update(email).digest().readUInt32BE(0) % of;
}

/**
 * Sends an approved issue to every confirmed, unsuppressed subscriber, exactly once each.
 * Steps: refuse an unapproved issue; load the approved mail (HTML + text) from the site bucket; skip
 * recipients with a send record; for the rest, build the mail with their own unsubscribe link and hand
 * it to the mailer, which calls `commit` once the whole message is handed over and before the
 * transport finalises it. `commit` writes the send record with a conditional put, so:
 * - a crash before commit: nothing recorded, nothing delivered (the server drops the unfinished DATA);
 *   the re-run sends it;
 * - a crash after commit but before the "delivered" mark: the record stays "committed" and the re-run
 *   asks the mailer what its own evidence says (SMTP: its wire journal; outbox: the file): handed over
 *   (SMTP: the server's 2xx reply to the end of data seen) means delivered, not handed over means send
 *   it now; no evidence either way (SMTP: the "." went out and no reply was seen; SES) means the
 *   recipient is reported in doubt and not sent again unless `resendInDoubt`;
 * - the mailer failing with InDoubtError in this run (the server died after the "."): in doubt, likewise;
 * - a crash after the "delivered" mark: never sent again;
 * - two senders racing: the second commit fails and its transaction is abandoned.
 * "Delivered" marks go out in batches of 25, so a recipient costs about one conditional write and a
 * twenty-fifth of a batch write.
 */
export async function sendIssue(storage: Storage, mailer: Mailer, options: SendOptions): Promise<SendReport> {
  const record = await getIssueRecord(storage, options.week);
  if (!record) throw new UserError(`no issue for week ${options.week}: run \`kernel-news run\` and approve it first`);
  if (record.status !== 'approved') throw new UserError(`issue ${options.week} is not approved (draft version ${record.draftVersion}); approve it with its review link or \`kernel-news approve --issue ${options.week}\` first`);
  const [html, text, json] = await Promise.all(['issue.html', 'issue.txt', 'issue.json'].map((f) => storage.site.get(`issues/${options.week}/${f}`)));
  if (!html || !text || !json) throw new UserError(`issue ${options.week} is approved but its rendered files are missing from the site bucket; approve again after \`kernel-news run\``);
  const doc = JSON.parse(json.toString('utf8')) as IssueDocument;
  const subject = `${issueTitle(doc)}: ${doc.topics[0]?.headline ?? ''}`.replace(/: $/, '');
  // The mail around each recipient's unsubscribe link, decoded and split once, not once per recipient.
  const htmlParts = html.toString('utf8').split(UNSUBSCRIBE_PLACEHOLDER);
  const textParts = text.toString('utf8').split(UNSUBSCRIBE_PLACEHOLDER);

  const sendPk = `SEND#${options.week}`;
  const marks: Item[] = [];
  const flushMarks = async () => {
    if (marks.length) await storage.table.batchPut(marks.splice(0));
  };
  let oldestMarkAt = 0;
  const markDelivered = async (email: string) => {
    const now = Date.now();
    if (marks.length === 0) oldestMarkAt = now;
    marks.push({ pk: sendPk, sk: email, type: 'send', state: 'delivered', at: new Date(now).toISOString() });
    if (marks.length >= MARK_BATCH || now - oldestMarkAt >= MARK_MAX_WAIT_MS) await flushMarks();
  };

  let everyone = await recipients(storage);
  if (options.batch) everyone = everyone.filter((e) => batchOf(e, options.batch!.of) === options.batch!.index);
  const wanted = new Set(everyone);
  const report: SendReport = { total: everyone.length, sent: 0, alreadySent: 0, inDoubt: [], failed: [] };
  // Committed records an interrupted run left, by recipient: the retry's commit must find them unchanged.
  const retry = new Map<string, string>();
  const done = new Set<string>();
  for await (const item of storage.table.query(sendPk)) {
    const email = String(item.sk);
    if (!wanted.has(email)) continue;
    done.add(email);
    if (item.state === 'delivered') {
      report.alreadySent++;
      continue;
    }
    const handedOver = await mailer.settle({ messageId: sendMessageId(options.week, email), to: email });
    if (handedOver === true) {
      await markDelivered(email);
      report.alreadySent++;
    } else if (handedOver === false || options.resendInDoubt) {
      retry.set(email, String(item.at));
      done.delete(email);
    } else report.inDoubt.push(email);
  }
  await flushMarks();
  const todo = everyone.filter((e) => !done.has(e));

  const deliver = async (email: string) => {
    const unsubscribe = subscriptionUrl(options.baseUrl, options.signingKey, 'unsubscribe', email);
    const earlier = retry.get(email);
    await mailer.send({
      from: options.from,
      to: email,
      subject,
      html: htmlParts.join(escapeHtml(unsubscribe)),
      text: textParts.join(unsubscribe),
      messageId: sendMessageId(options.week, email),
      headers: {
        'List-Unsubscribe': `<${unsubscribe}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        'List-Id': `${NEWSLETTER_NAME} <kernel-news.newsletter>`,
      },
    }, async () => {
      const item = { pk: sendPk, sk: email, type: 'send', state: 'committed', at: new Date().toISOString() };
      const fresh = await storage.table.put(item, earlier === undefined ? { ifAbsent: true } : { ifEquals: { state: 'committed', at: earlier } });
      if (!fresh) throw new AlreadySentError(email);
    });
  };
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const email = todo[next++];
      let sent = false;
      try {
        await deliver(email);
        sent = true;
      } catch (err) {
        if (err instanceof AlreadySentError) report.alreadySent++;
        // Left "committed": later runs report it in doubt too, and send it again only if asked.
        else if (err instanceof InDoubtError) report.inDoubt.push(email);
        else report.failed.push({ email, error: (err as Error).message });
      }
      if (sent) {
        report.sent++;
        await markDelivered(email); // a failure here stops the run; the re-run settles what it left
      }
      if ((report.sent + report.failed.length) % 100 === 0) options.onProgress?.({ sent: report.sent, skipped: report.alreadySent, total: report.total });
    }
  };
  try {
    await Promise.all(Array.from({ length: SEND_CONCURRENCY }, worker));
  } finally {
    await flushMarks();
  }
  return report;
}
