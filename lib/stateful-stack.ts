import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge } from './constructs/nag.js';

export interface StatefulStackProps extends StackProps {
  /**
   * What happens to the buckets, table and secrets when the stack is deleted. Subscriber lists and the
   * archive are not re-creatable, so they are kept unless a throwaway stack says otherwise.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Days an old version of a raw message or rendered page is kept after it was replaced or deleted.
   * @default 90
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Days the S3 server access logs are kept.
   * @default 365
   */
  readonly accessLogRetentionDays?: number;
}

/**
 * Everything kernel-news keeps (docs/storage.md): the raw archive and site buckets, the one table,
 * and the two secrets. Kept apart from the functions so that redeploying code never touches data.
 */
export class StatefulStack extends Stack {
  readonly rawBucket: s3.IBucket;
  readonly siteBucket: s3.IBucket;
  readonly table: dynamodb.ITable;
  /** The language model's API key; set by the operator after the first deploy (docs/deploy.md). */
  readonly modelKeySecret: secretsmanager.ISecret;
  /** HMAC key for review, confirm and unsubscribe links; generated here, never leaves AWS. */
  readonly signingKeySecret: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: StatefulStackProps = {}) {
    super(scope, id, props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 90;
    const logDays = props.accessLogRetentionDays ?? 365;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) throw new Error(`noncurrentVersionExpirationDays must be a whole number of days >= 1, got ${noncurrentDays}`);
    if (!Number.isInteger(logDays) || logDays < 1) throw new Error(`accessLogRetentionDays must be a whole number of days >= 1, got ${logDays}`);
    const autoDelete = removalPolicy === RemovalPolicy.DESTROY;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(logDays) }],
      removalPolicy,
      autoDeleteObjects: autoDelete,
    });
    acknowledge(accessLogs, 'This is the access-log bucket itself; logging it into itself would loop.', 'AwsSolutions-S1');

    const common: s3.BucketProps = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      removalPolicy,
      autoDeleteObjects: autoDelete,
    };
    this.rawBucket = new s3.Bucket(this, 'RawBucket', {
      ...common,
      serverAccessLogsPrefix: 'raw/',
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(noncurrentDays), abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Raw messages are read once a week and rarely again: cheaper storage after a month.
        { id: 'raw-to-infrequent-access', prefix: 'raw/', transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }] },
        // Quarantined samples are for diagnosis, not the record.
        { id: 'expire-quarantine', prefix: 'quarantine/', expiration: Duration.days(180) },
      ],
    });
    this.siteBucket = new s3.Bucket(this, 'SiteBucket', {
      ...common,
      serverAccessLogsPrefix: 'site/',
      lifecycleRules: [
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(noncurrentDays), abortIncompleteMultipartUploadAfter: Duration.days(7) },
        // Per-run delivery plans (subscriber batches) are working files.
        { id: 'expire-delivery-plans', prefix: 'deliveries/', expiration: Duration.days(30) },
      ],
    });

    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Task tokens, pending confirmations and delivery receipts carry an expiry.
      timeToLiveAttribute: 'expiresAt',
      removalPolicy,
    });

    this.modelKeySecret = new secretsmanager.Secret(this, 'ModelKey', {
      description: 'kernel-news: API key of the language model that drafts stories (set by the operator)',
      removalPolicy,
    });
    this.signingKeySecret = new secretsmanager.Secret(this, 'LinkSigningKey', {
      description: 'kernel-news: HMAC key that signs review, confirm and unsubscribe links',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy,
    });
    // For the operator (docs/deploy.md): where to upload archives, which secret takes the key.
    new CfnOutput(this, 'RawBucketName', { value: this.rawBucket.bucketName });
    new CfnOutput(this, 'SiteBucketName', { value: this.siteBucket.bucketName });
    new CfnOutput(this, 'ModelKeySecretArn', { value: this.modelKeySecret.secretArn });
    acknowledge(this.modelKeySecret, 'The model key is issued by the model vendor and rotated there (docs/deploy.md).', 'AwsSolutions-SMG4');
    acknowledge(this.signingKeySecret, 'Rotating the link-signing key invalidates every unsubscribe link already mailed, so it is rotated by hand (docs/deploy.md).', 'AwsSolutions-SMG4');
  }
}
