import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../bin/app.js';
import { STATE } from '../lib/constructs/pipeline.js';
import { localDefinition, taskStateNames } from '../lib/local-definition.js';
import { createDraftHandler } from '../lambdas/handlers/draft.js';
import { createFetchHandler } from '../lambdas/handlers/fetch.js';
import { createThreadHandler } from '../lambdas/handlers/thread.js';
import { createTopicsHandler } from '../lambdas/handlers/topics.js';
import { weekLoader } from '../lambdas/thread/week-loader.js';
import { logger } from '../lambdas/handlers/runtime.js';
import { createPublishHandler } from '../lambdas/handlers/publish.js';
import { createRenderHandler } from '../lambdas/handlers/render.js';
import { createSendHandler } from '../lambdas/handlers/send.js';
import { createPlanDeliveryHandler } from '../lambdas/handlers/plan-delivery.js';
import { SmtpMailer } from '../lambdas/deliver/mailer.js';
import { importConfirmed } from '../lambdas/subscribers/store.js';
import { createRequestApprovalHandler } from '../lambdas/handlers/request-approval.js';
import { webRoutes } from '../lambdas/handlers/web.js';
import { getIssueRecord } from '../lambdas/review/store.js';
import { dispatch, type HttpRequest } from '../lambdas/web/http.js';
import { LocalTaskTokens } from '../lib/local-definition.js';
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import type { AddressInfo } from 'node:net';
import { freshAws, sampleMbox } from './helpers.js';

/** A local SMTP server that keeps what it receives. */
async function startSmtp() {
  const received: string[] = [];
  const waiting: Array<(mail: string) => void> = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail = Buffer.concat(chunks).toString('utf8');
        received.push(mail);
        waiting.shift()?.(mail);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    next: () => new Promise<string>((resolve) => waiting.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const LINKS_URL = 'https://links.example.org';

function request(method: string, url: string, body = ''): HttpRequest {
  const u = new URL(url);
  return { method, path: u.pathname, query: u.searchParams, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, baseUrl: LINKS_URL };
}

/**
 * The cloud flow run locally: the state machine definition the CDK app synthesizes, executed by
 * aws-local-stepfunctions (needs Node 22: `npm run test:e2e` runs it with the node@22 package), each
 * Task bound in-process to the real handler, storage on the emulators.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
// An optional dependency: npm installs it only where its engines allow (Node 22), so on Node 20 it is
// absent (scripts/run-tests.mjs then installs it for the bundled Node 22 and names the module in
// KERNEL_NEWS_LOCAL_SFN), and the import goes through a variable for tsc to build without its types.
const LOCAL_SFN = process.env.KERNEL_NEWS_LOCAL_SFN ? pathToFileURL(process.env.KERNEL_NEWS_LOCAL_SFN).href : 'aws-local-stepfunctions';
interface LocalStepFunctions {
  StateMachine: new (definition: never, options: { validationOptions: { checkPaths: boolean } }) => {
    run(input: unknown, options: { overrides: { taskResourceLocalHandlers: never }; context: unknown }): { result: Promise<unknown> };
  };
}
const localSfn = NODE_MAJOR < 22 ? undefined : await import(LOCAL_SFN).then((m) => m as LocalStepFunctions, () => undefined);
const skip = NODE_MAJOR < 22
  ? `aws-local-stepfunctions needs Node 22 (this is ${process.version}); npm test runs this file on the bundled Node 22`
  : localSfn ? false : `aws-local-stepfunctions is not installed (${LOCAL_SFN}): npm test installs it on demand`;

// The handlers' structured logs are for CloudWatch; here they would bury the test report.
logger.setLogLevel('SILENT');

let aws: Awaited<ReturnType<typeof freshAws>>;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
before(async () => {
  if (skip) return;
  aws = await freshAws();
  smtp = await startSmtp();
});
after(async () => {
  await aws?.close();
  await smtp?.close();
});

test('the synthesized state machine runs locally: sample archive in, stories drafted, approved via the mailed signed link, published, delivered; re-run resumes', { skip, timeout: 180_000 }, async () => {
  const { StateMachine } = localSfn!;
  const app = new App({ context: { account: '123456789012', region: 'us-east-1' } });
  const { stateless } = buildApp(app);
  const definition = localDefinition(Template.fromStack(stateless).toJSON() as Parameters<typeof localDefinition>[0]);

  const deps = { config: aws.config, storage: aws.storage };
  const signingKey = Buffer.alloc(32, 7);
  const tokens = new LocalTaskTokens();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const requestApproval = createRequestApprovalHandler({
    storage: aws.storage, signingKey, editorEmail: 'editor@example.org', linksUrl: LINKS_URL,
    mail: { send: async (m) => { await transport.sendMail({ from: 'newsletter@example.org', ...m }); } },
  });
  const mailer = new SmtpMailer(`smtp://127.0.0.1:${smtp.port}`);
  after(() => mailer.close());
  const routes = webRoutes({ storage: aws.storage, signingKey, tokens, mailer, from: 'newsletter@example.org' });
  const sendBatch = createSendHandler({ storage: aws.storage, mailer, signingKey, from: 'newsletter@example.org', linksUrl: LINKS_URL });
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {
    [STATE.fetch]: createFetchHandler(deps),
    [STATE.thread]: createThreadHandler(deps),
    [STATE.topics]: createTopicsHandler({ ...deps, topStories: 5 }),
    // The model: none, so the offline drafter writes every story.
    [STATE.draft]: createDraftHandler({ storage: aws.storage, loadAnalysis: weekLoader(aws.storage, { bodies: true }) }),
    [STATE.render]: createRenderHandler(deps),
    // lambda:invoke.waitForTaskToken: the function gets the Payload, the state waits for the token.
    [STATE.awaitApproval]: async (input) => {
      const { Payload } = input as { Payload: { week: string; taskToken: string } };
      await requestApproval(Payload);
      return tokens.wait(Payload.taskToken);
    },
    [STATE.publish]: createPublishHandler({ ...deps, siteUrl: 'https://news.example.org' }),
    // A send rate this low makes one recipient per batch: three SendBatch items in the inline Map.
    [STATE.planDelivery]: createPlanDeliveryHandler({ ...deps, perSecond: 0.002, concurrency: 1 }),
    [STATE.sendBatch]: sendBatch,
    [STATE.sendBatchDistributed]: sendBatch,
  };
  const readers = ['ada@example.org', 'linus@example.org', 'grace@example.org'];
  await importConfirmed(aws.storage, readers);
  // Every Task of the definition must be bound: a Task left unbound would try to call AWS.
  assert.deepEqual(taskStateNames(definition).filter((name) => !handlers[name]), []);

  await aws.storage.raw.put('imports/2026-W02-sample.mbox.gz', fs.readFileSync(sampleMbox));
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false } });
  const run = () => machine.run({ archiveKey: 'imports/2026-W02-sample.mbox.gz' }, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { Execution: { Id: 'local' }, Task: { Token: 'local-task-token' } },
  }).result as Promise<{
    fetch: { week: string; found: number; stored: number; alreadyStored: number };
    topics: { topicIds: string[] };
    render: { draftVersion: number; resumed: boolean };
    approval?: { week: string; approvedVersion: number };
    plan: { recipients: number; batchCount: number };
    send: Array<{ batchId: string; total: number; sent: number; alreadySent: number }>;
  }>;

  const mailed = smtp.next();
  const firstRun = run();
  // The run now waits in AwaitApproval; the editor gets the review link by mail.
  const mail = (await mailed).replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  assert.match(mail, /Kernel News 2026-W02 is ready for review/);
  const link = /https:\/\/links\.example\.org\/review\/2026-W02\?[^\s]+/.exec(mail)?.[0];
  assert.ok(link, 'review link in the mail');
  const page = await dispatch(routes, request('GET', link));
  assert.equal(page.status, 200);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, 'the review page carries a CSRF token');
  const approved = await dispatch(routes, request('POST', link, new URLSearchParams({ action: 'approve', csrf }).toString()));
  assert.equal(approved.status, 303, approved.body);

  const first = await firstRun;
  assert.deepEqual(first.approval, { week: '2026-W02', approvedVersion: first.render.draftVersion });
  assert.equal((await getIssueRecord(aws.storage, '2026-W02'))?.status, 'approved');
  // Delivered: one mail per reader, each with its own unsubscribe link.
  assert.deepEqual({ recipients: first.plan.recipients, batchCount: first.plan.batchCount }, { recipients: 3, batchCount: 3 });
  const sum = (reports: typeof first.send, key: 'total' | 'sent' | 'alreadySent') => reports.reduce((n, r) => n + r[key], 0);
  assert.deepEqual({ total: sum(first.send, 'total'), sent: sum(first.send, 'sent') }, { total: 3, sent: 3 });
  assert.deepEqual(first.send.map((r) => r.batchId), ['0/3', '1/3', '2/3']);
  // The same plan in the site bucket, where the Distributed Map (large lists) reads its items.
  assert.deepEqual(JSON.parse((await aws.storage.site.get('deliveries/2026-W02/batches.json'))!.toString('utf8')), ['0/3', '1/3', '2/3']);
  // Soft line breaks of quoted-printable and folded header lines undone, to read the links whole.
  const issues = smtp.received.slice(1).map((m) => m.replace(/=\r?\n/g, '').replace(/=3D/g, '=').replace(/\r?\n[ \t]+/g, ' '));
  assert.equal(issues.length, 3);
  for (const reader of readers) {
    const mail = issues.find((m) => new RegExp(`^To: ${reader}`, 'm').test(m));
    assert.ok(mail, `mail to ${reader}`);
    assert.match(mail, /List-Unsubscribe:\s*<https:\/\/links\.example\.org\/unsubscribe/);
    assert.doesNotMatch(mail, /%%UNSUBSCRIBE_URL%%/);
  }
  // Published: the issue's pages and the archive's index and feed are in the site bucket.
  for (const key of ['issues/2026-W02/index.html', 'issues/2026-W02/issue.html', 'index.html', 'feed.atom']) {
    assert.ok(await aws.storage.site.has(key), key);
  }
  assert.equal(first.fetch.week, '2026-W02');
  assert.equal(first.fetch.found, 524);
  assert.ok(first.fetch.stored > 500, `stored ${first.fetch.stored}`);
  assert.equal(first.topics.topicIds.length, 5);
  const drafted = new Map<string, number>();
  for await (const item of aws.storage.table.query('ISSUE#2026-W02', 'DRAFT#')) drafted.set(String(item.topicId), Number(item.latestVersion));
  assert.deepEqual([...drafted.keys()].sort(), [...first.topics.topicIds].sort());
  assert.ok([...drafted.values()].every((v) => v === 1));

  // Re-running the week stores nothing twice, keeps the approved issue and does not ask again.
  const second = await run();
  assert.equal(second.render.resumed, true);
  assert.equal(second.approval, undefined, 'AlreadyApproved? skips the wait');
  assert.deepEqual({ sent: sum(second.send, 'sent'), alreadySent: sum(second.send, 'alreadySent') }, { sent: 0, alreadySent: 3 });
  assert.equal(smtp.received.length, 4, 'no second review mail, no second issue mail');
  assert.equal(second.fetch.stored, 0);
  assert.equal(second.fetch.alreadyStored, first.fetch.stored + first.fetch.alreadyStored);
  assert.deepEqual(second.topics.topicIds, first.topics.topicIds);
  for await (const item of aws.storage.table.query('ISSUE#2026-W02', 'DRAFT#')) assert.equal(item.latestVersion, 1, `${String(item.topicId)} drafted once`);
  let manifest = 0;
  for await (const _ of aws.storage.table.query('WEEK#2026-W02', 'MSG#')) manifest++;
  assert.ok(manifest > 400, `manifest has ${manifest}`);
});
