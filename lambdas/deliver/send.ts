import { issueTitle, NEWSLETTER_NAME } from '../render/html.js';
import { UNSUBSCRIBE_PLACEHOLDER, type IssueDocument } from '../model.js';
import type { Storage } from '../storage/index.js';
import { UserError } from '../errors.js';
import { getIssueRecord } from '../review/store.js';
import { recipients } from '../subscribers/store.js';
import { subscriptionUrl } from '../subscribers/links.js';
import { escapeHtml } from '../web/http.js';
import type { Mailer } from './mailer.js';
import { createHash } from 'node:crypto';

/** Messages in flight at once: enough to keep a pooled SMTP connection set or SES busy. */
export const SEND_CONCURRENCY = 8;

export interface SendOptions {
  week: string;
  from: string;
  /** Where the subscription pages are served, for per-recipient unsubscribe links. */
  baseUrl: string;
  signingKey: Buffer;
  onProgress?: (done: { sent: number; skipped: number; total: number }) => void;
  /**
   * Send again to recipients an earlier, interrupted run left in doubt (recorded, but the transport
   * never confirmed delivery). Off by default: a doubtful message is more likely delivered than not,
   * and a second copy is the error readers notice.
   */
  resendInDoubt?: boolean;
}

export interface SendReport {
  total: number;
  sent: number;
  alreadySent: number;
  /** Recipients an interrupted earlier run recorded but could not confirm; not sent again unless asked. */
  inDoubt: string[];
  failed: Array<{ email: string; error: string }>;
}

class AlreadySentError extends Error {}

/**
 * Sends an approved issue to every confirmed, unsuppressed subscriber, exactly once each.
 * Steps: refuse an unapproved issue; load the approved mail (HTML + text) from the site bucket; skip
 * recipients with a send record; for the rest, build the mail with their own unsubscribe link and hand
 * it to the mailer, which calls `commit` once the whole message is handed over and before the
 * transport finalises it. `commit` writes the send record with a conditional put, so:
 * - a crash before commit: nothing recorded, nothing delivered (the server drops the unfinished DATA);
 *   the re-run sends it;
 * - a crash after commit but before the transport confirmed: the record stays "committed" and the
 *   recipient is reported in doubt (most likely delivered: only the final "." may be missing); the
 *   re-run does not send it again unless `resendInDoubt` — never a silent second copy;
 * - a crash after the transport confirmed: "delivered"; never sent again;
 * - two senders racing: the second commit fails and its transaction is abandoned.
 */
export async function sendIssue(storage: Storage, mailer: Mailer, options: SendOptions): Promise<SendReport> {
  const record = await getIssueRecord(storage, options.week);
  if (!record) throw new UserError(`no issue for week ${options.week}: run \`kernel-news run\` and approve it first`);
  if (record.status !== 'approved') throw new UserError(`issue ${options.week} is not approved (draft version ${record.draftVersion}); approve it with its review link or \`kernel-news approve --issue ${options.week}\` first`);
  const [html, text, json] = await Promise.all(['issue.html', 'issue.txt', 'issue.json'].map((f) => storage.site.get(`issues/${options.week}/${f}`)));
  if (!html || !text || !json) throw new UserError(`issue ${options.week} is approved but its rendered files are missing from the site bucket; approve again after \`kernel-news run\``);
  const doc = JSON.parse(json.toString('utf8')) as IssueDocument;
  const subject = `${issueTitle(doc)}: ${doc.topics[0]?.headline ?? ''}`.replace(/: $/, '');

  const sendPk = `SEND#${options.week}`;
  const done = new Set<string>();
  const inDoubt: string[] = [];
  for await (const item of storage.table.query(sendPk)) {
    if (item.state === 'delivered') done.add(String(item.sk));
    else if (options.resendInDoubt) await storage.table.delete({ pk: sendPk, sk: String(item.sk) });
    else {
      done.add(String(item.sk));
      inDoubt.push(String(item.sk));
    }
  }
  const everyone = await recipients(storage);
  const todo = everyone.filter((e) => !done.has(e));
  const report: SendReport = { total: everyone.length, sent: 0, alreadySent: everyone.length - todo.length - inDoubt.filter((e) => everyone.includes(e)).length, inDoubt, failed: [] };

  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const email = todo[next++];
      const unsubscribe = subscriptionUrl(options.baseUrl, options.signingKey, 'unsubscribe', email);
      try {
        await mailer.send({
          from: options.from,
          to: email,
          subject,
          html: html.toString('utf8').split(UNSUBSCRIBE_PLACEHOLDER).join(escapeHtml(unsubscribe)),
          text: text.toString('utf8').split(UNSUBSCRIBE_PLACEHOLDER).join(unsubscribe),
          messageId: `<${options.week}.${createHash('sha256').update(email).digest('hex').slice(0, 24)}@kernel-news>`,
          headers: {
            'List-Unsubscribe': `<${unsubscribe}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'List-Id': `${NEWSLETTER_NAME} <kernel-news.newsletter>`,
          },
        }, async () => {
          const fresh = await storage.table.put({ pk: sendPk, sk: email, type: 'send', state: 'committed', at: new Date().toISOString() }, { ifAbsent: true });
          if (!fresh) throw new AlreadySentError(email);
        });
        await storage.table.put({ pk: sendPk, sk: email, type: 'send', state: 'delivered', at: new Date().toISOString() });
        report.sent++;
      } catch (err) {
        if (err instanceof AlreadySentError) report.alreadySent++;
        else report.failed.push({ email, error: (err as Error).message });
      }
      if ((report.sent + report.failed.length) % 100 === 0) options.onProgress?.({ sent: report.sent, skipped: report.alreadySent, total: report.total });
    }
  };
  await Promise.all(Array.from({ length: SEND_CONCURRENCY }, worker));
  return report;
}
