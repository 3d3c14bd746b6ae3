import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../bin/app.js';
import { STATE } from '../lib/constructs/pipeline.js';
import { localDefinition, taskStateNames } from '../lib/local-definition.js';
import { createDraftHandler } from '../lambdas/handlers/draft.js';
import { createFetchHandler } from '../lambdas/handlers/fetch.js';
import { createThreadHandler } from '../lambdas/handlers/thread.js';
import { createTopicsHandler } from '../lambdas/handlers/topics.js';
import { weekLoader } from '../lambdas/handlers/week.js';
import { freshAws, sampleMbox } from './helpers.js';

/**
 * The cloud flow run locally: the state machine definition the CDK app synthesizes, executed by
 * aws-local-stepfunctions (needs Node 22: `npm run test:e2e` runs it with the node@22 package), each
 * Task bound in-process to the real handler, storage on the emulators.
 */
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const skip = NODE_MAJOR < 22 ? `aws-local-stepfunctions needs Node 22 (this is ${process.version}); run npm run test:e2e` : false;

let aws: Awaited<ReturnType<typeof freshAws>>;
before(async () => {
  if (!skip) aws = await freshAws();
});
after(async () => {
  await aws?.close();
});

test('the synthesized state machine runs locally: sample archive in, stories drafted, re-run resumes', { skip, timeout: 180_000 }, async () => {
  const { StateMachine } = await import('aws-local-stepfunctions');
  const app = new App({ context: { account: '123456789012', region: 'us-east-1' } });
  const { stateless } = buildApp(app);
  const definition = localDefinition(Template.fromStack(stateless).toJSON() as Parameters<typeof localDefinition>[0]);

  const deps = { config: aws.config, storage: aws.storage };
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {
    [STATE.fetch]: createFetchHandler(deps),
    [STATE.thread]: createThreadHandler(deps),
    [STATE.topics]: createTopicsHandler({ ...deps, topStories: 5 }),
    // The model: none, so the offline drafter writes every story.
    [STATE.draft]: createDraftHandler({ storage: aws.storage, loadAnalysis: weekLoader(aws.storage, { bodies: true }) }),
  };
  // Every Task of the definition must be bound: a Task left unbound would try to call AWS.
  assert.deepEqual(taskStateNames(definition).filter((name) => !handlers[name]), []);

  await aws.storage.raw.put('imports/2026-W02-sample.mbox.gz', fs.readFileSync(sampleMbox));
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false } });
  const run = () => machine.run({ archiveKey: 'imports/2026-W02-sample.mbox.gz' }, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: { Execution: { Id: 'local' }, Task: { Token: 'local-task-token' } },
  }).result as Promise<{ fetch: { week: string; found: number; stored: number; alreadyStored: number }; topics: { topicIds: string[] } }>;

  const first = await run();
  assert.equal(first.fetch.week, '2026-W02');
  assert.equal(first.fetch.found, 524);
  assert.ok(first.fetch.stored > 500, `stored ${first.fetch.stored}`);
  assert.equal(first.topics.topicIds.length, 5);
  const drafted = new Map<string, number>();
  for await (const item of aws.storage.table.query('ISSUE#2026-W02', 'DRAFT#')) drafted.set(String(item.topicId), Number(item.latestVersion));
  assert.deepEqual([...drafted.keys()].sort(), [...first.topics.topicIds].sort());
  assert.ok([...drafted.values()].every((v) => v === 1));

  // Re-running the week stores nothing twice.
  const second = await run();
  assert.equal(second.fetch.stored, 0);
  assert.equal(second.fetch.alreadyStored, first.fetch.stored + first.fetch.alreadyStored);
  assert.deepEqual(second.topics.topicIds, first.topics.topicIds);
  for await (const item of aws.storage.table.query('ISSUE#2026-W02', 'DRAFT#')) assert.equal(item.latestVersion, 1, `${String(item.topicId)} drafted once`);
  let manifest = 0;
  for await (const _ of aws.storage.table.query('WEEK#2026-W02', 'MSG#')) manifest++;
  assert.ok(manifest > 400, `manifest has ${manifest}`);
});
