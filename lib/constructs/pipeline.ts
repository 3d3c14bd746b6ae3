import { Duration, Stack, Token, type CfnElement } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { TRACING_REASON } from './stage-function.js';

/** State names: the template tests and the local run (test/e2e-*.test.ts) address states by these. */
export const STATE = {
  fetch: 'Fetch',
  thread: 'Thread',
  topics: 'Topics',
  draftEach: 'DraftStories',
  draft: 'DraftStory',
  render: 'Render',
  alreadyApproved: 'AlreadyApproved?',
  awaitApproval: 'AwaitApproval',
  notApproved: 'NotApproved',
  planDelivery: 'PlanDelivery',
  send: 'Send',
  largeList: 'LargeList?',
  sendInline: 'SendBatches',
  sendDistributed: 'SendBatchesDistributed',
  sendBatch: 'SendBatch',
  sendBatchDistributed: 'SendBatchDistributed',
  publish: 'PublishArchive',
  done: 'Done',
} as const;

/**
 * The Lambda function of each stage. A stage whose function is not given runs as a Pass state that
 * says so in its comment (the stages are built in parallel; see docs/deploy.md for which exist).
 */
export interface PipelineStages {
  /** Input `{week?, archiveKey?}`, returns `{week, found, stored, ...}`. */
  readonly fetch: lambda.IFunction;
  /** Input `{week}`, returns `{week, messages, threads, ...}` counts; stores series versions. @default - a Pass state */
  readonly thread?: lambda.IFunction;
  /** Input `{week}`, returns `{week, topicIds}` (ids only: the state limit is 256 KB). @default - a Pass state */
  readonly topics?: lambda.IFunction;
  /** Input `{week, topicId}`: drafts one story and stores it. @default - a Pass state */
  readonly draft?: lambda.IFunction;
  /** Input `{week, stats}`: assembles the stored drafts into the issue's draft version. @default - a Pass state */
  readonly render?: lambda.IFunction;
  /** Input `{week, taskToken}`: stores the token with the issue and mails the editor the review link. @default - a Pass state */
  readonly requestApproval?: lambda.IFunction;
  /**
   * Input `{week}`: sends the approved issue to every subscriber not yet sent, in one task (for small
   * lists; the stack plans batches).
   * Ignored when `planDelivery` is given. @default - a Pass state
   */
  readonly send?: lambda.IFunction;
  /** Input `{week}`, returns `{week, recipients, batchCount, batchIds, batchesKey}`: batched sending. @default - no batches */
  readonly planDelivery?: lambda.IFunction;
  /** Input `{week, batchId}`, returns that batch's counts: sends one batch, exactly once per subscriber. @default - a Pass state */
  readonly sendBatch?: lambda.IFunction;
  /** Input `{week}`: the approved issue into the public archive, index and feed. @default - a Pass state */
  readonly publish?: lambda.IFunction;
}

export interface PipelineProps {
  readonly stages: PipelineStages;
  /** Holds the delivery plan the Distributed Map reads. */
  readonly siteBucket: s3.IBucket;
  /**
   * Stories drafted at once (each calls the model).
   * @default 4
   */
  readonly draftConcurrency?: number;
  /**
   * How long the run waits for the editor before it stops as not approved.
   * @default Duration.days(6)
   */
  readonly approvalTimeout?: Duration;
  /**
   * Subscriber batches above which sending runs as a Distributed Map (child executions) rather than
   * an inline Map, whose items live in the 256 KB state.
   * @default 40
   */
  readonly distributedMapThreshold?: number;
  /**
   * Batches sent at once.
   * @default 8
   */
  readonly sendConcurrency?: number;
  /**
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The weekly run as a Step Functions state machine: Fetch -> Thread -> Topics -> draft each topic
 * (bounded Map) -> Render -> wait for the editor (task token) -> publish (the sender mails the
 * published files) -> send (one resumable task, or planned batches in an inline or Distributed Map). States carry a week and ids; the work lives in S3 and
 * DynamoDB, and every stage is idempotent per week, so re-running a week resumes.
 */
export class Pipeline extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const draftConcurrency = props.draftConcurrency ?? 4;
    const sendConcurrency = props.sendConcurrency ?? 8;
    const threshold = props.distributedMapThreshold ?? 40;
    const approvalTimeout = props.approvalTimeout ?? Duration.days(6);
    for (const [name, value] of Object.entries({ draftConcurrency, sendConcurrency, distributedMapThreshold: threshold })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${id}: ${name} must be a whole number >= 1, got ${value}`);
    }
    if (approvalTimeout.toSeconds() > Duration.days(300).toSeconds()) throw new Error(`${id}: approvalTimeout must be under a year (Step Functions' limit), got ${approvalTimeout.toHumanString()}`);
    const s = props.stages;
    const week = sfn.JsonPath.stringAt('$.fetch.week');

    // No payload: the execution input ({week?, archiveKey?}) is the event.
    const fetch = this.invoke(STATE.fetch, s.fetch, undefined, '$.fetch');
    const thread = this.stage(STATE.thread, s.thread, { week }, '$.thread');
    const topics = this.stage(STATE.topics, s.topics, { week }, '$.topics');

    // Without the topics stage there are no topic ids to map over.
    const draftEach = s.topics ? this.draftMap(s.draft, week, draftConcurrency) : this.missing(STATE.draftEach);

    const render = this.stage(STATE.render, s.render, {
      week,
      stats: {
        messages: sfn.JsonPath.numberAt('$.thread.messages'),
        threads: sfn.JsonPath.numberAt('$.thread.threads'),
        topics: sfn.JsonPath.numberAt('$.topics.topics'),
      },
    }, '$.render');

    const approval: sfn.INextable & sfn.IChainable = s.requestApproval
      ? new tasks.LambdaInvoke(this, STATE.awaitApproval, {
        lambdaFunction: s.requestApproval,
        comment: 'Mails the editor the signed review link and waits; the approve route sends the stored token back (SendTaskSuccess).',
        integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
        payload: sfn.TaskInput.fromObject({ week, taskToken: sfn.JsonPath.taskToken }),
        taskTimeout: sfn.Timeout.duration(approvalTimeout),
        resultPath: '$.approval',
      }).addCatch(new sfn.Fail(this, STATE.notApproved, { error: 'NotApproved', cause: 'The editor did not approve the issue in time; approve it and re-run the week to send.' }), { errors: ['States.Timeout', 'Rejected'] })
      : this.missing(STATE.awaitApproval);

    // Publish comes before sending: the sender mails the rendered files PublishArchive writes.
    const publish = this.stage(STATE.publish, s.publish, { week }, sfn.JsonPath.DISCARD);
    const done = new sfn.Succeed(this, STATE.done);
    let send: sfn.IChainable;
    if (s.planDelivery) {
      const plan = this.invoke(STATE.planDelivery, s.planDelivery, sfn.TaskInput.fromObject({ week }), '$.plan');
      send = plan.next(this.sendStates(s.sendBatch, week, sendConcurrency, threshold, props.siteBucket, done));
    } else if (s.send) {
      // One task for the whole list: every retry sends only to those not sent yet.
      send = new tasks.LambdaInvoke(this, STATE.send, { lambdaFunction: s.send, payload: sfn.TaskInput.fromObject({ week }), payloadResponseOnly: true, resultPath: '$.send' })
        .addRetry({ errors: ['InvalidEventError'], maxAttempts: 0 })
        .addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(30), backoffRate: 2, maxAttempts: 5, jitterStrategy: sfn.JitterType.FULL })
        .next(done);
    } else {
      send = this.missing(STATE.send).next(done);
    }
    publish.next(send);
    approval.next(publish);

    // A re-run of a week the editor approved already goes straight on to publishing and sending.
    const afterRender = s.render
      ? new sfn.Choice(this, STATE.alreadyApproved).when(sfn.Condition.stringEquals('$.render.status', 'approved'), publish).otherwise(approval)
      : approval;
    const definition = fetch.next(thread).next(topics).next(draftEach).next(render).next(afterRender);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      comment: 'kernel-news weekly run: input {"week"?: "YYYY-Www", "archiveKey"?: "imports/<file>"}',
      // The approval wait dominates; a day on top covers the stages around it.
      timeout: approvalTimeout.plus(Duration.days(1)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    acknowledge(this.stateMachine, TRACING_REASON, 'AwsSolutions-IAM5[Resource::*]');
    if (s.planDelivery) this.acknowledgeDistributedMap(props.siteBucket);
  }

  /** Draft each chosen topic, a few at a time; each story is stored, so the Map's result is dropped. */
  private draftMap(fn: lambda.IFunction | undefined, week: string, concurrency: number) {
    const map = new sfn.Map(this, STATE.draftEach, {
      itemsPath: '$.topics.topicIds',
      itemSelector: { week, topicId: sfn.JsonPath.stringAt('$$.Map.Item.Value') },
      maxConcurrency: concurrency,
      resultPath: sfn.JsonPath.DISCARD,
    });
    map.itemProcessor(this.stage(STATE.draft, fn, { week: sfn.JsonPath.stringAt('$.week'), topicId: sfn.JsonPath.stringAt('$.topicId') }, sfn.JsonPath.DISCARD));
    return map;
  }

  /** Send every planned batch: an inline Map while the ids fit the state, a Distributed Map beyond. */
  private sendStates(fn: lambda.IFunction | undefined, week: string, concurrency: number, threshold: number, bucket: s3.IBucket, next: sfn.IChainable) {
    const batchInput = { week: sfn.JsonPath.stringAt('$.week'), batchId: sfn.JsonPath.stringAt('$.batchId') };
    const itemSelector = { week, batchId: sfn.JsonPath.stringAt('$$.Map.Item.Value') };
    // The inline Map keeps each batch's counts (at most `threshold` small objects) as the run's output.
    const inline = new sfn.Map(this, STATE.sendInline, { itemsPath: '$.plan.batchIds', itemSelector, maxConcurrency: concurrency, resultPath: '$.send' });
    inline.itemProcessor(this.stage(STATE.sendBatch, fn, batchInput));
    const distributed = new sfn.DistributedMap(this, STATE.sendDistributed, {
      // The plan also writes every batch id as a JSON array to S3: the list may outgrow the state.
      itemReader: new sfn.S3JsonItemReader({ bucket, key: sfn.JsonPath.stringAt('$.plan.batchesKey') }),
      itemSelector,
      maxConcurrency: concurrency * 4,
      resultPath: sfn.JsonPath.DISCARD,
    });
    distributed.itemProcessor(this.stage(STATE.sendBatchDistributed, fn, batchInput, sfn.JsonPath.DISCARD));
    inline.next(next);
    distributed.next(next);
    return new sfn.Choice(this, STATE.largeList)
      .when(sfn.Condition.numberGreaterThan('$.plan.batchCount', threshold), distributed)
      .otherwise(inline);
  }

  /**
   * The Distributed Map's grants: it reads the plan object under the site bucket (any key: the week
   * is in it) and starts and stops child executions of this same state machine (any execution name).
   */
  private acknowledgeDistributedMap(bucket: s3.IBucket) {
    const stack = Stack.of(this);
    const [region, account] = [stack.region, stack.account].map((v, i) => (Token.isUnresolved(v) ? ['<AWS::Region>', '<AWS::AccountId>'][i] : v));
    const machine = stack.getLogicalId(this.stateMachine.node.defaultChild as CfnElement);
    const executions = `arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}`;
    const ids = [`AwsSolutions-IAM5[Resource::${executions}/*:*]`, `AwsSolutions-IAM5[Resource::${executions}:*]`];
    const bucketResource = bucket.node.defaultChild as CfnElement | undefined;
    ids.push(`AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucketResource ? `<${Stack.of(bucket).getLogicalId(bucketResource)}>` : bucket.bucketName}/*]`);
    acknowledge(this.stateMachine, 'The Distributed Map reads its plan (deliveries/<week>/batches.json, a key per week) from the site bucket and runs child executions of this state machine, whose names Step Functions generates.', ...ids);
  }

  /** A Lambda task whose result replaces `resultPath` (the whole state when none); retried on throttles and transient failures. */
  private invoke(id: string, fn: lambda.IFunction, payload: sfn.TaskInput | undefined, resultPath?: string) {
    return new tasks.LambdaInvoke(this, id, {
      lambdaFunction: fn,
      payload,
      // The function's return value is the result, not the Invoke API envelope.
      payloadResponseOnly: true,
      resultPath,
    })
      // A malformed event will not get better by retrying.
      .addRetry({ errors: ['InvalidEventError'], maxAttempts: 0 })
      .addRetry({ errors: [sfn.Errors.ALL], interval: Duration.seconds(10), backoffRate: 2, maxAttempts: 3, jitterStrategy: sfn.JitterType.FULL });
  }

  private stage(id: string, fn: lambda.IFunction | undefined, payload: Record<string, unknown>, resultPath?: string) {
    return fn ? this.invoke(id, fn, sfn.TaskInput.fromObject(payload), resultPath) : this.missing(id);
  }

  private missing(id: string) {
    return new sfn.Pass(this, id, { comment: 'Stage not built yet: passes its input through unchanged.' });
  }
}
