import { z } from 'zod';
import { ConfigError } from '../errors.js';

/**
 * Settings of the model drafter. Any OpenAI-compatible server works (OpenAI, llama.cpp, vLLM,
 * Ollama): set `baseURL`. Without an API key the offline drafter writes the stories.
 */
export const DraftConfigSchema = z.object({
  /** Absent: offline drafter only. In AWS it comes from Secrets Manager through `apiKeyGetter`. */
  apiKey: z.string().min(1).optional(),
  baseURL: z.string().url().optional(),
  model: z.string().min(1).default('gpt-4o-mini'),
  /** Dollars per million tokens, for the cost report. */
  inputUsdPerMTok: z.number().nonnegative().default(0.15),
  outputUsdPerMTok: z.number().nonnegative().default(0.6),
  /** A topic packed larger than this is summarised in chunks first (map-reduce). */
  singleCallTokens: z.number().int().positive().default(12_000),
  /** Size of one chunk in the map step. */
  chunkTokens: z.number().int().positive().default(6_000),
  /** Hard cap per topic: own words beyond it are cut (longest messages first) and reported. */
  maxTopicTokens: z.number().int().positive().default(60_000),
  maxOutputTokens: z.number().int().positive().default(1_500),
  /** The SDK retries 429 and 5xx with exponential backoff (honouring Retry-After) this many times. */
  maxRetries: z.number().int().nonnegative().default(3),
  timeoutMs: z.number().int().positive().default(120_000),
  temperature: z.number().min(0).max(2).default(0.2),
  /** Once an issue's drafting has cost this much, the remaining stories are written offline. */
  maxUsdPerIssue: z.number().nonnegative().default(5),
});
export type DraftConfig = z.infer<typeof DraftConfigSchema>;

export function parseDraftConfig(input: unknown): DraftConfig {
  const result = DraftConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'draft config'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid drafting configuration (${issues})`);
  }
  return result.data;
}

const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));

/**
 * From the environment: OPENAI_API_KEY, OPENAI_BASE_URL, KERNEL_NEWS_MODEL (or MODEL, as the CDK
 * stack sets it), KERNEL_NEWS_PRICE_IN/OUT (USD per 1M tokens), MAX_USD_PER_ISSUE.
 */
export function draftConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DraftConfig {
  return parseDraftConfig({
    apiKey: env.OPENAI_API_KEY || undefined,
    baseURL: env.OPENAI_BASE_URL || undefined,
    model: env.KERNEL_NEWS_MODEL || (env.MODEL && env.MODEL !== 'offline' ? env.MODEL : undefined),
    maxUsdPerIssue: num(env.MAX_USD_PER_ISSUE),
    inputUsdPerMTok: num(env.KERNEL_NEWS_PRICE_IN),
    outputUsdPerMTok: num(env.KERNEL_NEWS_PRICE_OUT),
    singleCallTokens: num(env.KERNEL_NEWS_TOPIC_TOKENS),
    maxRetries: num(env.KERNEL_NEWS_MODEL_RETRIES),
  });
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Model calls made, and those answered from the cache (no tokens spent). */
  calls: number;
  cachedCalls: number;
}

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, calls: 0, cachedCalls: 0 });

export function addUsage(a: Usage, b: Usage): Usage {
  return { inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens, calls: a.calls + b.calls, cachedCalls: a.cachedCalls + b.cachedCalls };
}

/** Dollars for the tokens, at the configured prices; cents rounded to 1/10000 of a dollar. */
export function costOf(usage: Usage, config: Pick<DraftConfig, 'inputUsdPerMTok' | 'outputUsdPerMTok'>): number {
  const usd = (usage.inputTokens * config.inputUsdPerMTok + usage.outputTokens * config.outputUsdPerMTok) / 1_000_000;
  return Math.round(usd * 10_000) / 10_000;
}
