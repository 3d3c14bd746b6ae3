import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * One validated configuration for every environment. Locally the CLI fills in the emulator endpoints;
 * in AWS the Lambda environment names the real bucket and table (no endpoints: the SDK default).
 */
export const ConfigSchema = z.object({
  region: z.string().min(1).default('us-east-1'),
  /** S3 endpoint override (local emulator); absent in AWS. */
  s3Endpoint: z.string().url().optional(),
  /** DynamoDB endpoint override (local emulator); absent in AWS. */
  dynamoEndpoint: z.string().url().optional(),
  rawBucket: z.string().min(3).default('kernel-news-raw'),
  siteBucket: z.string().min(3).default('kernel-news-site'),
  table: z.string().min(3).default('kernel-news'),
  /** Credentials for the emulators only; in AWS the SDK's default chain is used. */
  localCredentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }).optional(),
  /** Messages larger than this are quarantined instead of stored. */
  maxMessageBytes: z.number().int().positive().default(25 * 1024 * 1024),
});
export type Config = z.infer<typeof ConfigSchema>;

export function parseConfig(input: unknown): Config {
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration (${issues})`);
  }
  return result.data;
}

/** Config for AWS, read from the Lambda environment (names set by the CDK stack). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig({
    region: env.AWS_REGION,
    rawBucket: env.RAW_BUCKET,
    siteBucket: env.SITE_BUCKET,
    table: env.TABLE_NAME,
    maxMessageBytes: env.MAX_MESSAGE_BYTES ? Number(env.MAX_MESSAGE_BYTES) : undefined,
  });
}
