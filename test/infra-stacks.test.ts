import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../bin/app.js';
import { unacknowledgedFindings } from '../lib/constructs/nag.js';
import { Pipeline, STATE } from '../lib/constructs/pipeline.js';
import { RAW_MESSAGES_PREFIX } from '../lib/stateless-stack.js';
import { rawKey } from '../lambdas/ingest/ingest.js';

// Synthesize once (bundling every function is the slow part) and share the templates.
const app = new App({ context: { account: '123456789012', region: 'eu-west-1', timeZone: 'Europe/Berlin', editorEmail: 'ed@example.org' } });
const { stateful, stateless } = buildApp(app);
const data = Template.fromStack(stateful);
const code = Template.fromStack(stateless);

function definitionOf(template: Template): { States: Record<string, any>; StartAt: string } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  assert.equal(machines.length, 1);
  // DefinitionString is an Fn::Join of literal pieces and references; references become placeholders.
  const parts = machines[0].Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join(''));
}

test('AwsSolutions: no unacknowledged findings, every acknowledgement has a reason', () => {
  const found = unacknowledgedFindings(app).map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
  assert.deepEqual(found, []);
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== 'aws:cdk:acknowledged-rules') continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        assert.ok(typeof reason === 'string' && reason.length >= 20, `${construct.node.path} ${id}: reason "${reason}"`);
      }
    }
  }
});

test('buckets: encrypted, versioned, private, TLS only, with lifecycle rules', () => {
  const buckets = data.findResources('AWS::S3::Bucket');
  assert.equal(Object.keys(buckets).length, 3, 'raw, site, access logs');
  for (const [id, bucket] of Object.entries(buckets)) {
    const p = bucket.Properties;
    assert.ok(p.BucketEncryption?.ServerSideEncryptionConfiguration?.length, `${id} encrypted`);
    assert.deepEqual(p.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }, `${id} private`);
    assert.ok(p.LifecycleConfiguration?.Rules?.length, `${id} lifecycle`);
    if (!id.startsWith('AccessLogs')) {
      assert.equal(p.VersioningConfiguration?.Status, 'Enabled', `${id} versioned`);
      assert.ok(p.LoggingConfiguration, `${id} access logs`);
    }
  }
  const policies = Object.values(data.findResources('AWS::S3::BucketPolicy'));
  assert.equal(policies.length, 3);
  for (const policy of policies) {
    assert.ok(policy.Properties.PolicyDocument.Statement.some((s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'), 'enforceSSL');
  }
  data.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
});

test('table: pk/sk, on demand, point-in-time recovery, TTL on expiresAt', () => {
  data.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
  data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
  });
});

test('secrets: the model key and a generated link-signing key', () => {
  data.resourceCountIs('AWS::SecretsManager::Secret', 2);
  data.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: Match.objectLike({ PasswordLength: 64 }) });
});

test('functions: Node.js 22 on arm64, JSON logs, the storage names in the environment', () => {
  const functions = Object.entries(code.findResources('AWS::Lambda::Function'));
  const stages = functions.filter(([, f]) => f.Properties.Handler === 'index.handler');
  assert.ok(stages.length >= 1);
  for (const [id, f] of stages) {
    assert.equal(f.Properties.Runtime, 'nodejs22.x', id);
    assert.deepEqual(f.Properties.Architectures, ['arm64'], id);
    assert.equal(f.Properties.LoggingConfig?.LogFormat, 'JSON', id);
    for (const name of ['RAW_BUCKET', 'SITE_BUCKET', 'TABLE_NAME']) assert.ok(f.Properties.Environment.Variables[name], `${id} ${name}`);
  }
});

test('schedule: weekly cron in the configured time zone, starting the state machine', () => {
  code.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'cron(0 6 ? * MON *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
    Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('StateMachine') }, DeadLetterConfig: Match.anyValue() }),
  });
});

test('state machine: the stages in order, drafting bounded, approval waits for a task token', () => {
  code.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
  const definition = definitionOf(code);
  assert.equal(definition.StartAt, STATE.fetch);
  const order: string[] = [];
  for (let name: string | undefined = definition.StartAt; name; ) {
    order.push(name);
    const state: { Next?: string; Default?: string } = definition.States[name];
    name = state.Next ?? state.Default;
  }
  assert.deepEqual(order.slice(0, 6), [STATE.fetch, STATE.thread, STATE.topics, STATE.draftEach, STATE.render, STATE.alreadyApproved]);
  const gate = definition.States[STATE.alreadyApproved];
  assert.equal(gate.Default, STATE.awaitApproval);
  assert.equal(gate.Choices[0].Next, STATE.publish);
  assert.equal(definition.States[STATE.awaitApproval].Next, STATE.publish);
  // Publishing writes the files the sender mails, so it comes first.
  // Then the list is planned in batches and sent by an inline Map (a Distributed Map when it is large).
  assert.deepEqual(order.slice(-5), [STATE.publish, STATE.planDelivery, STATE.largeList, STATE.sendInline, STATE.done]);
  assert.equal(definition.States[STATE.sendInline].ItemProcessor.States[STATE.sendBatch].Type, 'Task');
  assert.equal(definition.States[STATE.largeList].Choices[0].Next, STATE.sendDistributed);
  const fetch = definition.States[STATE.fetch];
  assert.equal(fetch.Type, 'Task');
  assert.ok(fetch.Retry.some((r: any) => r.ErrorEquals.includes('InvalidEventError') && r.MaxAttempts === 0));
  for (const name of Object.keys(definition.States)) {
    const state = definition.States[name];
    if (state.Type === 'Task' && !String(state.Resource).includes('waitForTaskToken')) assert.ok(state.Retry?.length, `${name} retries`);
    if (state.Type === 'Map') assert.ok(state.MaxConcurrency >= 1, `${name} bounded`);
    if ('Parameters' in state) assert.equal(typeof state.Parameters, 'object', `${name}: Parameters must be an object`);
  }
  const approval = definition.States[STATE.awaitApproval];
  if (approval.Type === 'Task') {
    assert.match(approval.Resource, /lambda:invoke\.waitForTaskToken/);
    assert.equal(approval.Parameters.Payload['taskToken.$'], '$$.Task.Token');
  }
});

test('failed runs: dead-letter queue, event rule and alarms', () => {
  code.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['aws.states'], detail: Match.objectLike({ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }) }) });
  code.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  assert.ok(Object.keys(code.findResources('AWS::CloudWatch::Alarm')).length >= 3);
  code.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
    EventDestination: Match.objectLike({ MatchingEventTypes: ['bounce', 'complaint'], SnsDestination: Match.anyValue() }),
  });
});

test('props are checked early, with the value given', () => {
  assert.throws(() => buildApp(new App({ context: { timeZone: 'Mars/Olympus' } })), /timeZone: "Mars\/Olympus"/);
  assert.throws(() => buildApp(new App({ context: { editorEmail: 'nobody' } })), /editorEmail: not a mail address: "nobody"/);
});

test('links: HTTP API with access logs and throttling in front of the web function, which may resume runs', () => {
  code.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  code.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
    AutoDeploy: true,
    AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 20 }),
  });
  code.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['states:SendTaskSuccess']) })]) },
  });
});

/** The IAM statements of the function whose description matches, with their resources as text. */
function statementsOf(description: RegExp): Array<{ Action: string[]; Resource: string }> {
  const [, fn] = Object.entries(code.findResources('AWS::Lambda::Function')).find(([, f]) => description.test(f.Properties.Description ?? ''))!;
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(code.findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref?: string }) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .map((st: { Action: string | string[]; Resource: unknown }) => ({ Action: [st.Action].flat(), Resource: JSON.stringify(st.Resource) }));
}

test('web function: may read the raw messages (raw/*) an edited story is checked against, and nothing else of the raw bucket', () => {
  assert.ok(rawKey('ab12').startsWith(RAW_MESSAGES_PREFIX), 'the prefix is where ingest stores messages');
  const raw = statementsOf(/the review page/).filter((st) => st.Resource.includes('RawBucket'));
  assert.equal(raw.length, 1, JSON.stringify(raw));
  assert.deepEqual(raw[0].Action.sort(), ['s3:GetBucket*', 's3:GetObject*', 's3:List*']);
  const objects = [...raw[0].Resource.matchAll(/"(\/[^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(objects, [`/${RAW_MESSAGES_PREFIX}*`], 'objects under raw/ only: no manifests, quarantined bytes or imports');
  // The stages that read the whole week keep their grant on every key; the web function is the only narrower one.
  assert.ok(statementsOf(/draft one story/).some((st) => st.Resource.includes('RawBucket') && st.Resource.includes('"/*"')));
});

test('bounces: the SES events topic feeds the bounce function', () => {
  code.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: { Ref: Match.stringLikeRegexp('MailEvents') } });
});

test('batched sending: inline Map over planned batches, a Distributed Map over S3 when the list is large', () => {
  const stack = new Stack(new App(), 'Batched', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = (name: string) => lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
  new Pipeline(stack, 'Pipeline', {
    stages: { fetch: fn('fetch'), planDelivery: fn('plan'), sendBatch: fn('batch') },
    siteBucket: s3.Bucket.fromBucketName(stack, 'Site', 'site-bucket'),
    distributedMapThreshold: 40,
  });
  const definition = definitionOf(Template.fromStack(stack));
  const choice = definition.States[STATE.largeList];
  assert.deepEqual(choice.Choices[0], { Variable: '$.plan.batchCount', NumericGreaterThan: 40, Next: STATE.sendDistributed });
  assert.equal(choice.Default, STATE.sendInline);
  const inline = definition.States[STATE.sendInline];
  assert.equal(inline.ItemsPath, '$.plan.batchIds');
  const distributed = definition.States[STATE.sendDistributed];
  assert.equal(distributed.ItemProcessor.ProcessorConfig.Mode, 'DISTRIBUTED');
  assert.equal(distributed.ItemReader.Parameters['Key.$'], '$.plan.batchesKey');
  assert.equal(definition.States[STATE.publish].Next, STATE.planDelivery);
});
