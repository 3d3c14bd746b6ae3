import { CfnOutput, Duration, Stack, TimeZone, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './constructs/nag.js';
import { Pipeline } from './constructs/pipeline.js';
import { StageFunction, type StageFunctionProps } from './constructs/stage-function.js';

/** When the weekly run starts, in `timeZone`. */
export interface WeeklyCron {
  /** e.g. "MON"; @default "MON" */
  readonly weekDay?: string;
  /** @default "6" */
  readonly hour?: string;
  /** @default "0" */
  readonly minute?: string;
}

export interface StatelessStackProps extends StackProps {
  readonly rawBucket: s3.IBucket;
  readonly siteBucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  readonly modelKeySecret: secretsmanager.ISecret;
  readonly signingKeySecret: secretsmanager.ISecret;
  /** Who reviews and approves each issue (gets the review link, and the alarms). */
  readonly editorEmail: string;
  /** The SES-verified address issues are sent from. */
  readonly fromAddress: string;
  /**
   * The mailing lists to follow (lore names).
   * @default ['linux-kernel', 'linux-fsdevel', 'linux-mm', 'linux-block', 'io-uring', 'linux-api', 'cgroups']
   */
  readonly lists?: string[];
  /**
   * When the weekly run starts.
   * @default Monday 06:00
   */
  readonly schedule?: WeeklyCron;
  /**
   * IANA time zone the schedule is read in.
   * @default "UTC"
   */
  readonly timeZone?: string;
  /**
   * The drafting model; "offline" drafts without a model (and without cost).
   * @default "offline"
   */
  readonly model?: string;
  /**
   * The most one issue's drafting may spend on the model, in US dollars.
   * @default 5
   */
  readonly maxUsdPerIssue?: number;
  /**
   * Stories per issue.
   * @default 12
   */
  readonly topStories?: number;
  /**
   * Stories drafted at once.
   * @default 4
   */
  readonly draftConcurrency?: number;
  /**
   * The account's SES sending rate (messages per second), shared by the batches sent at once.
   * @default 10
   */
  readonly sesMaxPerSecond?: number;
  /**
   * Subscriber batches sent at once (each a SendBatch task with its share of the send rate).
   * @default 8
   */
  readonly sendConcurrency?: number;
  /**
   * Batches above which sending runs as a Distributed Map (child executions) instead of an inline Map.
   * @default 40
   */
  readonly distributedMapThreshold?: number;
  /**
   * How long a run waits for the editor's approval.
   * @default Duration.days(6)
   */
  readonly approvalTimeout?: Duration;
  /**
   * The public URL the site bucket's archive is served under (links in the feed and pages).
   * Serving it (e.g. CloudFront) is not part of this stack.
   * @default - the site bucket's regional endpoint
   */
  readonly siteUrl?: string;
  /**
   * Where alarms are mailed.
   * @default - the editor
   */
  readonly alarmEmail?: string;
}

/** What one stage function may touch; nothing unless named. */
interface StageAccess {
  raw?: 'read' | 'readWrite';
  /** The raw bucket's object keys the function may read (a grant's key pattern). @default every key */
  rawKeys?: string;
  site?: 'read' | 'readWrite';
  table?: 'read' | 'readWrite';
  modelKey?: boolean;
  signingKey?: boolean;
}

/** Where the raw bucket keeps the messages themselves (lambdas/ingest/ingest.ts rawKey), apart from manifests, quarantined bytes and imports. */
export const RAW_MESSAGES_PREFIX = 'raw/';

const DEFAULT_LISTS = ['linux-kernel', 'linux-fsdevel', 'linux-mm', 'linux-block', 'io-uring', 'linux-api', 'cgroups'];

/**
 * The code and its wiring: one function per stage, the weekly schedule, the state machine, the mail
 * configuration for bounces, and the alarms. Holds no data: it can be destroyed and redeployed.
 */
export class StatelessStack extends Stack {
  readonly pipeline: Pipeline;
  readonly api: apigwv2.HttpApi;
  readonly alarmTopic: sns.Topic;
  readonly failedRuns: sqs.Queue;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const lists = props.lists ?? DEFAULT_LISTS;
    const timeZone = props.timeZone ?? 'UTC';
    const maxUsd = props.maxUsdPerIssue ?? 5;
    const topStories = props.topStories ?? 12;
    if (lists.length === 0) throw new Error('lists: give at least one mailing list to follow');
    if (!/^[^@\s]+@[^@\s]+$/.test(props.editorEmail)) throw new Error(`editorEmail: not a mail address: "${props.editorEmail}"`);
    if (!/^[^@\s]+@[^@\s]+$/.test(props.fromAddress)) throw new Error(`fromAddress: not a mail address: "${props.fromAddress}"`);
    if (!(maxUsd >= 0)) throw new Error(`maxUsdPerIssue must be >= 0, got ${maxUsd}`);
    if (props.sesMaxPerSecond !== undefined && !(props.sesMaxPerSecond > 0)) throw new Error(`sesMaxPerSecond must be > 0, got ${props.sesMaxPerSecond}`);
    if (!Number.isInteger(topStories) || topStories < 1) throw new Error(`topStories must be a whole number >= 1, got ${topStories}`);

    // Bounces and complaints: SES publishes them to this topic through the configuration set.
    const mailEvents = new sns.Topic(this, 'MailEvents', { masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'), enforceSSL: true });
    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(mailEvents),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    const environment = {
      RAW_BUCKET: props.rawBucket.bucketName,
      SITE_BUCKET: props.siteBucket.bucketName,
      TABLE_NAME: props.table.tableName,
      LISTS: lists.join(','),
      MODEL: props.model ?? 'offline',
      MAX_USD_PER_ISSUE: String(maxUsd),
      TOP_STORIES: String(topStories),
      MODEL_KEY_SECRET_ARN: props.modelKeySecret.secretArn,
      SIGNING_KEY_SECRET_ARN: props.signingKeySecret.secretArn,
      EDITOR_EMAIL: props.editorEmail,
      FROM_ADDRESS: props.fromAddress,
      SES_CONFIGURATION_SET: configurationSet.configurationSetName,
    };

    const functions: lambda.IFunction[] = [];
    /** One stage's function with exactly the access it declares; grants' wildcards acknowledged here. */
    const stage = (id: string, options: Omit<StageFunctionProps, 'environment'> & { access: StageAccess }) => {
      const fn = new StageFunction(this, id, { ...options, environment }).function;
      const { access } = options;
      const objectWildcards: string[] = [];
      for (const [bucket, mode, keys] of [[props.rawBucket, access.raw, access.rawKeys ?? '*'], [props.siteBucket, access.site, '*']] as const) {
        if (!mode) continue;
        if (mode === 'read') bucket.grantRead(fn, keys);
        else bucket.grantReadWrite(fn, keys);
        objectWildcards.push(`AwsSolutions-IAM5[Resource::<${logicalIdOf(bucket)}.Arn>/${keys}]`);
      }
      if (access.table === 'read') props.table.grantReadData(fn);
      else if (access.table === 'readWrite') props.table.grantReadWriteData(fn);
      if (access.modelKey) props.modelKeySecret.grantRead(fn);
      if (access.signingKey) props.signingKeySecret.grantRead(fn);
      if (objectWildcards.length) {
        acknowledge(fn, 'Bucket grants cover every object key: raw messages are content-addressed (raw/<sha>) and issues are keyed by week, so no narrower prefix names them.',
          'AwsSolutions-IAM5[Action::s3:GetObject*]', 'AwsSolutions-IAM5[Action::s3:GetBucket*]', 'AwsSolutions-IAM5[Action::s3:List*]',
          'AwsSolutions-IAM5[Action::s3:DeleteObject*]', 'AwsSolutions-IAM5[Action::s3:Abort*]', ...objectWildcards);
      }
      functions.push(fn);
      return fn;
    };

    const fetch = stage('Fetch', {
      handler: 'fetch',
      description: 'kernel-news: ingest the week\'s archive into S3 and the table',
      memorySizeMb: 1024,
      timeout: Duration.minutes(15),
      access: { raw: 'readWrite', table: 'readWrite' },
    });
    // Thread, Topics and DraftStory each read the whole stored week (a week of all lists is
    // ~140 MB of mail), hence the memory.
    const thread = stage('Thread', {
      handler: 'thread',
      description: 'kernel-news: thread the week, link patch series, set noise aside; store series versions',
      memorySizeMb: 2048,
      timeout: Duration.minutes(15),
      access: { raw: 'read', table: 'readWrite' },
    });
    const topics = stage('Topics', {
      handler: 'topics',
      description: 'kernel-news: group threads into stories, rank them, store them',
      memorySizeMb: 2048,
      timeout: Duration.minutes(15),
      access: { raw: 'read', table: 'readWrite' },
    });
    const draft = stage('DraftStory', {
      handler: 'draft',
      description: 'kernel-news: draft one story with verified quotes and store it as a new version',
      memorySizeMb: 2048,
      timeout: Duration.minutes(15),
      access: { raw: 'read', table: 'readWrite', modelKey: true },
    });

    const render = stage('Render', {
      handler: 'render',
      description: 'kernel-news: assemble the stored drafts into the issue\'s draft version',
      access: { table: 'readWrite' },
    });
    const requestApproval = stage('RequestApproval', {
      handler: 'request-approval',
      description: 'kernel-news: keep the run\'s task token with the issue and mail the editor the review link',
      access: { table: 'readWrite', signingKey: true },
    });
    this.grantSendMail(requestApproval, configurationSet, props.fromAddress);
    const publish = stage('PublishArchive', {
      handler: 'publish',
      description: 'kernel-news: write the approved issue, the archive index and the Atom feed to the site bucket',
      timeout: Duration.minutes(2),
      access: { site: 'readWrite', table: 'readWrite' },
    });
    // Sending is planned in batches (shares of the address hash), each one SendBatch task at its
    // share of the SES rate, so no task nears Lambda's 15 minutes however long the list grows.
    const sendRate = { SES_MAX_PER_SECOND: String(props.sesMaxPerSecond ?? 10), SEND_CONCURRENCY: String(props.sendConcurrency ?? 8) };
    const planDelivery = stage('PlanDelivery', {
      handler: 'plan-delivery',
      description: 'kernel-news: split the week\'s subscribers into send batches',
      timeout: Duration.minutes(5),
      access: { site: 'readWrite', table: 'read' },
    });
    const sendBatch = stage('SendBatch', {
      handler: 'send',
      description: 'kernel-news: mail the approved issue to one batch of subscribers, exactly once each',
      timeout: Duration.minutes(15),
      access: { site: 'read', table: 'readWrite', signingKey: true },
    });
    for (const [name, value] of Object.entries(sendRate)) {
      planDelivery.addEnvironment(name, value);
      sendBatch.addEnvironment(name, value);
    }
    this.grantSendMail(sendBatch, configurationSet, props.fromAddress);
    publish.addEnvironment('SITE_URL', props.siteUrl ?? `https://${props.siteBucket.bucketRegionalDomainName}`);

    this.pipeline = new Pipeline(this, 'Pipeline', {
      stages: { fetch, thread, topics, draft, render, requestApproval, publish, planDelivery, sendBatch },
      siteBucket: props.siteBucket,
      draftConcurrency: props.draftConcurrency,
      sendConcurrency: props.sendConcurrency,
      distributedMapThreshold: props.distributedMapThreshold,
      approvalTimeout: props.approvalTimeout,
    });
    const stateMachine = this.pipeline.stateMachine;

    // The links in mail (review; subscribe and unsubscribe once they land) are served by one
    // function behind an HTTP API; each link carries its own HMAC signature instead of a login.
    // Checking an edited story reads that story's raw messages (raw/<sha>.eml, found through the
    // week's manifest in the table), never the week (lambdas/thread/topic-loader.ts).
    const web = stage('Web', {
      handler: 'web',
      description: 'kernel-news: subscribe, confirm, unsubscribe; the review page (approve resumes the waiting run, edits are checked against the story\'s mail)',
      timeout: Duration.seconds(29),
      access: { site: 'read', raw: 'read', rawKeys: `${RAW_MESSAGES_PREFIX}*`, table: 'readWrite', signingKey: true },
    });
    stateMachine.grantTaskResponse(web);
    const apiLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigwv2.HttpApi(this, 'Links', {
      description: 'kernel-news: signed links from mail',
      defaultIntegration: new integrations.HttpLambdaIntegration('Web', web),
      createDefaultStage: false,
    });
    new apigwv2.HttpStage(this, 'LinksStage', {
      httpApi: this.api,
      autoDeploy: true,
      // Links are clicked by people (and mail scanners); a burst beyond this is not a reader.
      throttle: { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(apiLogs) },
    });
    acknowledge(this.api, 'Every route checks the HMAC signature and expiry its link carries (lambdas/web/signing.ts); readers and the editor have no accounts to authorize.', 'AwsSolutions-APIG4');
    new CfnOutput(this, 'LinksUrl', { value: this.api.apiEndpoint });
    requestApproval.addEnvironment('LINKS_URL', this.api.apiEndpoint);
    sendBatch.addEnvironment('LINKS_URL', this.api.apiEndpoint);
    this.grantSendMail(web, configurationSet, props.fromAddress);

    const bounces = stage('Bounces', {
      handler: 'bounces',
      description: 'kernel-news: suppress addresses that bounce permanently or complain',
      access: { table: 'readWrite' },
    });
    mailEvents.addSubscription(new subscriptions.LambdaSubscription(bounces));
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'ConfigurationSetName', { value: configurationSet.configurationSetName });

    // Failed runs: the execution events go to a queue an operator drains, and an alarm says so.
    this.failedRuns = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    new events.Rule(this, 'RunFailed', {
      description: 'kernel-news: a weekly run failed, timed out or was stopped',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [stateMachine.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      targets: [new eventTargets.SqsQueue(this.failedRuns)],
    });

    new scheduler.Schedule(this, 'Weekly', {
      description: 'kernel-news: start the weekly run',
      schedule: scheduler.ScheduleExpression.cron({
        weekDay: props.schedule?.weekDay ?? 'MON',
        hour: props.schedule?.hour ?? '6',
        minute: props.schedule?.minute ?? '0',
        timeZone: timeZoneOf(timeZone),
      }),
      target: new schedulerTargets.StepFunctionsStartExecution(stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: this.failedRuns,
        retryAttempts: 3,
      }),
    });

    this.alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: kms.Alias.fromAliasName(this, 'AlarmKey', 'alias/aws/sns'), enforceSSL: true });
    this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail ?? props.editorEmail));
    const alarm = (id: string, metric: cloudwatch.IMetric, description: string) => {
      new cloudwatch.Alarm(this, id, {
        metric, threshold: 1, evaluationPeriods: 1, alarmDescription: description,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
    };
    alarm('RunFailedAlarm', stateMachine.metricFailed({ period: Duration.hours(1) }), 'A weekly run failed; its events are in the FailedRuns queue.');
    alarm('RunTimedOutAlarm', stateMachine.metricTimedOut({ period: Duration.hours(1) }), 'A weekly run timed out.');
    alarm('FailedRunsAlarm', this.failedRuns.metricApproximateNumberOfMessagesVisible({ period: Duration.hours(1) }), 'Failed runs (or schedules that could not start one) are waiting in the FailedRuns queue.');
    for (const fn of functions) {
      alarm(`${fn.node.scope!.node.id}ErrorsAlarm`, fn.metricErrors({ period: Duration.hours(1) }), `The ${fn.node.scope!.node.id} function failed.`);
    }

    // grantX renders object-level wildcards; these are the findings they produce, each acknowledged.
    acknowledge(this.pipeline, 'Step Functions invokes each stage function by any version or alias (the "<arn>:*" form the Lambda task grants).',
      ...functions.map((f) => `AwsSolutions-IAM5[Resource::<${logicalIdOf(f)}.Arn>:*]`));
    acknowledge(this.failedRuns, 'This queue is itself the dead-letter queue for failed runs and failed schedule starts.', 'AwsSolutions-SQS3');
  }

  /** SES v2 SendEmail from the sending identity (address or its domain), through the configuration set. */
  private grantSendMail(fn: lambda.IFunction, configurationSet: ses.IConfigurationSet, fromAddress: string) {
    const identity = (name: string) => Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        identity(fromAddress), identity(fromAddress.split('@')[1]),
        Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
      ],
    }));
  }
}

/** The CloudFormation logical id of a resource's default child, as cdk-nag names it in findings. */
function logicalIdOf(construct: Construct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** An IANA zone name, checked here rather than at deploy time. */
function timeZoneOf(name: string): TimeZone {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
  } catch {
    throw new Error(`timeZone: "${name}" is not an IANA time zone name (e.g. "Europe/Berlin")`);
  }
  return TimeZone.of(name);
}
