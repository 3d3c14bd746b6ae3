import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configFromEnv, type Config } from '../config.js';
import { createStorage, type Storage } from '../storage/index.js';

/**
 * What every Lambda entry shares: the logger, the config and storage built once per cold start from
 * the environment the CDK stack sets, and event parsing at the edge. Handlers are factories over
 * their dependencies so the local state-machine run binds them to the emulators instead.
 */
export const logger = new Logger({ serviceName: 'kernel-news' });

/** An ISO week, as every stage names one. */
export const WeekSchema = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, 'an ISO week, YYYY-Www');

/** The event did not have the shape the state machine sends; Step Functions does not retry it. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export function parseEvent<T extends z.ZodTypeAny>(schema: T, event: unknown, handler: string): z.infer<T> {
  const result = schema.safeParse(event);
  if (!result.success) {
    throw new InvalidEventError(`${handler}: bad event (${result.error.issues.map((i) => `${i.path.join('.') || 'event'}: ${i.message}`).join('; ')})`);
  }
  return result.data;
}

export interface StageDeps {
  config: Config;
  storage: Storage;
}

let cached: StageDeps | undefined;

/** Config and storage from the Lambda environment, made on first use and kept for the warm container. */
export function depsFromEnv(): StageDeps {
  if (!cached) {
    const config = configFromEnv();
    cached = { config, storage: createStorage(config) };
  }
  return cached;
}

/** Wraps a handler factory so AWS gets a handler whose dependencies come from the environment. */
export function fromEnv<E, R>(make: (deps: StageDeps) => (event: E) => Promise<R>): (event: E) => Promise<R> {
  let handler: ((event: E) => Promise<R>) | undefined;
  return async (event: E) => {
    handler ??= make(depsFromEnv());
    return handler(event);
  };
}

let signingKey: Promise<Buffer> | undefined;

/**
 * The link-signing key from Secrets Manager (SIGNING_KEY_SECRET_ARN), read once per container. The
 * stack generates it as 64 random alphanumerics; its bytes are the HMAC key.
 */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const arn = env.SIGNING_KEY_SECRET_ARN;
  if (!arn) return Promise.reject(new ConfigError('SIGNING_KEY_SECRET_ARN is not set: the stack passes the link-signing secret to this function'));
  signingKey ??= new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn })).then((out) => {
    const value = out.SecretString?.trim();
    if (!value || value.length < 32) throw new ConfigError(`secret ${arn} is empty or shorter than 32 characters: it must hold the link-signing key`);
    return Buffer.from(value, 'utf8');
  });
  signingKey.catch(() => { signingKey = undefined; });
  return signingKey;
}
