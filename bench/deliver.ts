import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalAws } from '../lambdas/local/emulators.js';
import { createClients } from '../lambdas/storage/index.js';
import { S3BlobStore } from '../lambdas/storage/s3-blob-store.js';
import { DynamoTable } from '../lambdas/storage/dynamo-table.js';
import type { Storage } from '../lambdas/storage/ports.js';
import { importConfirmed, recipients } from '../lambdas/subscribers/store.js';
import { createDraftIssue, approveVersion } from '../lambdas/review/store.js';
import { publishIssue } from '../lambdas/archive/publish.js';
import { sendIssue } from '../lambdas/deliver/send.js';
import { OutboxMailer } from '../lambdas/deliver/mailer.js';
import type { IssueDocument } from '../lambdas/model.js';

const SUBSCRIBERS = 10_000;

function issue(week: string): IssueDocument {
  const para = { text: 'Ada said, "the buffer must be zeroed before it reaches the drive."', quotes: [{ text: 'the buffer must be zeroed before it reaches the drive.', author: { name: 'Ada', email: 'ada@example.org' }, messageId: 'a@x', url: 'https://lore.kernel.org/r/a@x' }] };
  return {
    week, generatedAt: new Date().toISOString(), stats: { messages: 1, threads: 1, topics: 10 },
    topics: Array.from({ length: 10 }, (_, i) => ({ id: `t${i}`, headline: `Story ${i}`, score: 1, reasons: [], messageIds: ['a@x'], participants: [], paragraphs: [para, para, para] })),
    verification: { quotes: 30, verified: 30, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}

/** Storage whose DynamoDB client counts every request it sends. */
function countingStorage(config: Parameters<typeof createClients>[0]) {
  const clients = createClients(config);
  const counter = { requests: 0 };
  clients.dynamo.middlewareStack.add((next) => (args) => { counter.requests++; return next(args); }, { step: 'initialize', name: 'countRequests' });
  const storage: Storage = { raw: new S3BlobStore(clients.s3, config.rawBucket), site: new S3BlobStore(clients.s3, config.siteBucket), table: new DynamoTable(clients.documents, config.table) };
  return { storage, counter };
}

/**
 * Sending to 10,000 subscribers against the local emulators, into an outbox folder: ours (records
 * read once per run by a query, one conditional write per recipient and one batch write per 25
 * delivered marks, 8 in flight)
 * side by side with the naive loop (GetItem, send, PutItem per recipient, one at a time).
 */
export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bench-deliver-'));
  const aws = await startLocalAws(dataDir);
  try {
    const { storage, counter } = countingStorage(aws.config);
    await importConfirmed(storage, Array.from({ length: SUBSCRIBERS }, (_, i) => `reader${i}@example.net`));
    for (const week of ['2027-W01', '2027-W02']) {
      const doc = issue(week);
      const record = await createDraftIssue(storage, doc);
      await approveVersion(storage, week, record.draftVersion, 'bench');
      await publishIssue({ site: storage.site, table: storage.table, siteUrl: 'http://127.0.0.1:1' }, doc);
    }
    const key = Buffer.alloc(32, 1);
    console.log(`send one approved issue to ${SUBSCRIBERS} confirmed subscribers (local emulators, .eml outbox)`);

    counter.requests = 0;
    let started = Date.now();
    const mailer = new OutboxMailer(path.join(dataDir, 'outbox-ours'));
    const report = await sendIssue(storage, mailer, { week: '2027-W01', from: 'news@example.org', baseUrl: 'http://127.0.0.1:1', signingKey: key });
    let seconds = (Date.now() - started) / 1000;
    console.log(`kernel-news   ${report.sent} sent in ${seconds.toFixed(1)} s = ${Math.round(report.sent / seconds)} mails/s; ${(counter.requests / report.sent).toFixed(2)} DynamoDB requests per recipient`);
    counter.requests = 0;
    started = Date.now();
    const again = await sendIssue(storage, mailer, { week: '2027-W01', from: 'news@example.org', baseUrl: 'http://127.0.0.1:1', signingKey: key });
    console.log(`  re-run (all sent already): ${again.sent} sent, ${((Date.now() - started) / 1000).toFixed(1)} s, ${counter.requests} DynamoDB requests in all`);

    // The naive loop, for comparison: same mail, same outbox, one recipient at a time.
    counter.requests = 0;
    started = Date.now();
    const naiveMailer = new OutboxMailer(path.join(dataDir, 'outbox-naive'));
    const html = (await storage.site.get('issues/2027-W02/issue.html'))!.toString('utf8');
    const text = (await storage.site.get('issues/2027-W02/issue.txt'))!.toString('utf8');
    let sent = 0;
    for (const email of await recipients(storage)) {
      const done = await storage.table.get({ pk: 'NAIVE#2027-W02', sk: email });
      if (done) continue;
      await naiveMailer.send({ from: 'news@example.org', to: email, subject: 'Kernel News', html, text, messageId: `<${sent}@naive>`, headers: {} }, async () => {});
      await storage.table.put({ pk: 'NAIVE#2027-W02', sk: email, state: 'delivered' });
      sent++;
    }
    seconds = (Date.now() - started) / 1000;
    console.log(`naive loop    ${sent} sent in ${seconds.toFixed(1)} s = ${Math.round(sent / seconds)} mails/s; ${(counter.requests / sent).toFixed(2)} DynamoDB requests per recipient`);
  } finally {
    await aws.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
