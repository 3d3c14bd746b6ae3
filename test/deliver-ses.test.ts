import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { freshAws } from './helpers.js';
import { publishIssue } from '../lambdas/archive/publish.js';
import { createDraftIssue, approveVersion } from '../lambdas/review/store.js';
import { sendIssue } from '../lambdas/deliver/send.js';
import { SesMailer } from '../lambdas/deliver/mailer.js';
import { importConfirmed } from '../lambdas/subscribers/store.js';
import type { IssueDocument } from '../lambdas/model.js';

// SesMailer through the real AWS SDK, against a server on 127.0.0.1 that answers as the SES v2 API does
// (POST /v2/email/outbound-emails, JSON; errors named in x-amzn-ErrorType): it accepts, throttles,
// rejects or never answers, by recipient. At each call it looks up the recipient's send record in
// DynamoDB: the record must exist before the message is handed to SES.

type Behaviour = 'accept' | 'throttle-once' | 'throttle-always' | 'reject' | 'hang';
interface Call { to: string; answered: number; recordBefore: string | undefined }

let aws: Awaited<ReturnType<typeof freshAws>>;
let ses: { url: string; calls: Call[]; behaviour: Map<string, Behaviour>; close(): Promise<void> };
const FROM = 'Kernel News <news@example.org>';
const key = Buffer.alloc(32, 7);

async function sesServer(week: () => string) {
  const calls: Call[] = [];
  const behaviour = new Map<string, Behaviour>();
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails') {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'NotFoundException' }).end('{"message":"no such route"}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Content: { Raw: { Data: string } } };
      const raw = Buffer.from(body.Content.Raw.Data, 'base64').toString('utf8');
      const to = /^To: (.+)$/m.exec(raw)![1].trim();
      const record = await aws.storage.table.get({ pk: `SEND#${week()}`, sk: to });
      const call: Call = { to, answered: 0, recordBefore: record?.state as string | undefined };
      calls.push(call);
      const how = behaviour.get(to) ?? 'accept';
      const earlier = calls.filter((c) => c.to === to).length;
      if (how === 'hang') { hanging.push(res); return; }
      if ((how === 'throttle-once' && earlier === 1) || how === 'throttle-always') {
        res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'TooManyRequestsException' }).end('{"message":"Maximum sending rate exceeded."}');
        return;
      }
      if (how === 'reject') {
        res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'MessageRejected' }).end('{"message":"Email address is not verified."}');
        return;
      }
      call.answered = 200;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `ses-${calls.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, behaviour,
    close: () => new Promise<void>((resolve) => { for (const r of hanging) r.destroy(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function issue(week: string): IssueDocument {
  return {
    week, generatedAt: new Date().toISOString(), stats: { messages: 1, threads: 1, topics: 1 }, lists: ['linux-mm@kvack.org'],
    topics: [{ id: 't', headline: 'A Story', score: 1, reasons: ['r'], messageIds: ['a@x'], participants: [{ name: 'Ada', email: 'ada@example.org' }], paragraphs: [{ text: 'Ada wrote a patch.', quotes: [] }] }],
    verification: { quotes: 0, verified: 0, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}

let currentWeek = '';
async function approved(week: string, emails: string[]) {
  currentWeek = week;
  const doc = issue(week);
  const record = await createDraftIssue(aws.storage, doc);
  await approveVersion(aws.storage, week, record.draftVersion, 'test');
  await publishIssue({ site: aws.storage.site, table: aws.storage.table, siteUrl: 'http://127.0.0.1:1' }, doc);
  await importConfirmed(aws.storage, emails);
}

// Built as the send handler builds it: no SDK retries (a retried timeout could be a second copy).
const client = (requestTimeout = 60_000) => new SESv2Client({
  maxAttempts: 1, endpoint: ses.url, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: { requestTimeout, throwOnRequestTimeout: true },
});
const options = (week: string) => ({ week, from: FROM, baseUrl: 'http://127.0.0.1:1', signingKey: key });
const mine = (week: string, list: string[]) => list.filter((e) => e.endsWith(`@${week.toLowerCase()}.example.org`));

before(async () => {
  aws = await freshAws();
  ses = await sesServer(() => currentWeek);
});
after(async () => {
  await ses?.close();
  await aws?.close();
});

test('SES accepts: every recipient once, each send recorded before its call, paced to the send rate', async () => {
  const week = '2026-W30';
  const emails = Array.from({ length: 6 }, (_, i) => `r${i}@${week.toLowerCase()}.example.org`);
  await approved(week, emails);
  const started = Date.now();
  const report = await sendIssue(aws.storage, new SesMailer(client(), 10), options(week));
  const elapsed = Date.now() - started;
  assert.equal(report.sent, 6, 'the first test: these are all the subscribers');
  assert.deepEqual(report.failed, []);
  const calls = ses.calls.filter((c) => emails.includes(c.to));
  assert.deepEqual(calls.map((c) => c.to).sort(), emails);
  for (const c of calls) assert.equal(c.recordBefore, 'committed', `${c.to}: no send record when SES was called`);
  // Ten a second: the sixth call cannot start before half a second after the first (a lower bound only).
  assert.ok(elapsed >= 500, `6 messages at 10/s went out in ${elapsed} ms`);
  const again = await sendIssue(aws.storage, new SesMailer(client(), 10), options(week));
  assert.equal(again.sent, 0);
  assert.equal(again.alreadySent, 6);
  assert.equal(ses.calls.filter((c) => emails.includes(c.to)).length, 6, 'a second run calls SES for nobody');
});

test('SES throttles: the throttled call is retried and the reader gets one message', async () => {
  const week = '2026-W31';
  const emails = [`a@${week.toLowerCase()}.example.org`, `b@${week.toLowerCase()}.example.org`];
  await approved(week, emails);
  ses.behaviour.set(emails[0], 'throttle-once');
  const report = await sendIssue(aws.storage, new SesMailer(client(), 50), options(week));
  assert.deepEqual(report.failed, []);
  for (const e of emails) assert.equal(ses.calls.filter((c) => c.to === e && c.answered === 200).length, 1, e);
  assert.equal(ses.calls.filter((c) => c.to === emails[0]).length, 2);
});

test('SES throttles without end: the mailer gives up after a few tries, the reader is reported failed (SES refused every call whole), the others are delivered', async () => {
  const week = '2026-W35';
  const [busy, good] = [`busy@${week.toLowerCase()}.example.org`, `good@${week.toLowerCase()}.example.org`];
  await approved(week, [busy, good]);
  ses.behaviour.set(busy, 'throttle-always');
  const report = await sendIssue(aws.storage, new SesMailer(client(), 50), options(week));
  const tries = ses.calls.filter((c) => c.to === busy).length;
  assert.ok(tries >= 2 && tries <= 10, `a throttled call is retried, but not for ever: ${tries} calls`);
  assert.deepEqual(report.failed.map((f) => f.email), [busy]);
  assert.deepEqual(report.inDoubt, []);
  assert.equal(ses.calls.filter((c) => c.to === good && c.answered === 200).length, 1);
  ses.behaviour.delete(busy); // later tests send to every subscriber of the table
});

test('SES rejects: the recipient is reported failed with SES\'s reason, the others are delivered', async () => {
  const week = '2026-W32';
  const [bad, good] = [`bad@${week.toLowerCase()}.example.org`, `good@${week.toLowerCase()}.example.org`];
  await approved(week, [bad, good]);
  ses.behaviour.set(bad, 'reject');
  const report = await sendIssue(aws.storage, new SesMailer(client(), 50), options(week));
  assert.deepEqual(report.failed.map((f) => f.email), [bad]);
  assert.match(report.failed[0].error, /not verified/);
  assert.equal(ses.calls.filter((c) => c.to === good && c.answered === 200).length, 1);
});

test('SES never answers: the call is given up, and the recipient is in doubt until --resend-in-doubt', async () => {
  const week = '2026-W33';
  const [silent, fine] = [`silent@${week.toLowerCase()}.example.org`, `fine@${week.toLowerCase()}.example.org`];
  await approved(week, [silent, fine]);
  ses.behaviour.set(silent, 'hang');
  const first = await sendIssue(aws.storage, new SesMailer(client(3_000), 50), options(week));
  assert.deepEqual(mine(week, first.failed.map((f) => f.email)), [silent]);
  const callsAfterFirst = ses.calls.filter((c) => c.to === silent).length;
  assert.ok(callsAfterFirst >= 1);
  // Did SES take it before the line went quiet? Nothing can tell: the re-run does not guess.
  const second = await sendIssue(aws.storage, new SesMailer(client(3_000), 50), options(week));
  assert.deepEqual(mine(week, second.inDoubt), [silent]);
  assert.equal(second.sent, 0, 'everyone else has it already');
  assert.equal(ses.calls.filter((c) => c.to === silent).length, callsAfterFirst, 'no call for a recipient in doubt');
  ses.behaviour.set(silent, 'accept');
  const third = await sendIssue(aws.storage, new SesMailer(client(3_000), 50), { ...options(week), resendInDoubt: true });
  assert.equal(third.sent, 1, 'only the recipient in doubt');
  assert.deepEqual(mine(week, third.inDoubt), []);
  assert.equal(ses.calls.filter((c) => c.to === silent && c.answered === 200).length, 1);
  assert.equal(ses.calls.filter((c) => c.to === fine && c.answered === 200).length, 1, 'the other reader got one copy in all');
});
