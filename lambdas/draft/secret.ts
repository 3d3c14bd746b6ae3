import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../errors.js';

/**
 * In AWS the model key lives in Secrets Manager; this getter reads it on first use and keeps it for
 * the life of the Lambda container. The secret is the bare key or JSON with an `apiKey` field.
 */
export function secretApiKeyGetter(secretId: string, client: SecretsManagerClient = new SecretsManagerClient({})): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    key ??= client.send(new GetSecretValueCommand({ SecretId: secretId })).then((out) => {
      const value = (out.SecretString ?? '').trim();
      if (!value) throw new ConfigError(`secret ${secretId} is empty: store the model API key in it`);
      if (!value.startsWith('{')) return value;
      const parsed = JSON.parse(value) as { apiKey?: unknown; OPENAI_API_KEY?: unknown };
      const found = parsed.apiKey ?? parsed.OPENAI_API_KEY;
      if (typeof found !== 'string' || !found) throw new ConfigError(`secret ${secretId} has no "apiKey" field`);
      return found;
    });
    key.catch(() => { key = undefined; }); // a failed read is retried on the next call
    return key;
  };
}
