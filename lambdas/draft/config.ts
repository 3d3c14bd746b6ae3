import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** The model used when none is named: a current small model with strict structured outputs. */
export const DEFAULT_MODEL = 'gpt-4.1-mini';

/**
 * List prices in dollars per million tokens (input, output), by model name. A model not listed has
 * no known price: its cost is reported as "price unknown" unless KERNEL_NEWS_PRICE_IN/OUT give one.
 */
export const MODEL_PRICES: Record<string, { inputUsdPerMTok: number; outputUsdPerMTok: number }> = {
  'gpt-4o-mini': { inputUsdPerMTok: 0.15, outputUsdPerMTok: 0.6 },
  'gpt-4o': { inputUsdPerMTok: 2.5, outputUsdPerMTok: 10 },
  'gpt-4.1': { inputUsdPerMTok: 2, outputUsdPerMTok: 8 },
  'gpt-4.1-mini': { inputUsdPerMTok: 0.4, outputUsdPerMTok: 1.6 },
  'gpt-4.1-nano': { inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.4 },
  'gpt-5': { inputUsdPerMTok: 1.25, outputUsdPerMTok: 10 },
  'gpt-5-mini': { inputUsdPerMTok: 0.25, outputUsdPerMTok: 2 },
  'gpt-5-nano': { inputUsdPerMTok: 0.05, outputUsdPerMTok: 0.4 },
};

/** The listed price of a model; dated snapshots ("gpt-4o-2024-08-06") take their family's price. */
export function listPrice(model: string): { inputUsdPerMTok: number; outputUsdPerMTok: number } | undefined {
  const name = model.toLowerCase();
  return MODEL_PRICES[name] ?? MODEL_PRICES[name.replace(/-\d{4}-\d{2}-\d{2}$/, '')];
}

/** An http(s) URL: "localhost:8080" parses as a URL with scheme "localhost:", and is not one. */
const HttpUrl = z.string().url().refine((u) => /^https?:\/\//i.test(u), 'must start with http:// or https://');

/**
 * Settings of the model drafter. Any OpenAI-compatible server works (OpenAI, llama.cpp, vLLM,
 * Ollama): set `baseURL`. Without an API key the offline drafter writes the stories.
 */
export const DraftConfigSchema = z.object({
  /** Absent: offline drafter only. In AWS it comes from Secrets Manager through `apiKeyGetter`. */
  apiKey: z.string().min(1).optional(),
  baseURL: HttpUrl.optional(),
  model: z.string().min(1).default(DEFAULT_MODEL),
  /** Dollars per million tokens, for the cost report; absent: the model's list price (MODEL_PRICES), if known. */
  inputUsdPerMTok: z.number().nonnegative().optional(),
  outputUsdPerMTok: z.number().nonnegative().optional(),
  /** A topic packed larger than this is summarised in chunks first (map-reduce). */
  singleCallTokens: z.number().int().positive().default(12_000),
  /** Size of one chunk in the map step. */
  chunkTokens: z.number().int().positive().default(6_000),
  /** Hard cap per topic: own words beyond it are cut (longest messages first) and reported. */
  maxTopicTokens: z.number().int().positive().default(60_000),
  /** `max_tokens` of every call: a story is some 600 tokens of JSON; this bounds what one answer costs. */
  maxOutputTokens: z.number().int().positive().max(16_000).default(2_000),
  /**
   * An answer longer than this (characters) is refused before it is parsed or stored: a server that
   * ignores `max_tokens` cannot fill the table (DynamoDB items stop at 400 KB). Its tokens still count.
   */
  maxAnswerChars: z.number().int().positive().max(300_000).default(64_000),
  /** The SDK retries 429, 5xx, timeouts and dropped connections with backoff (honouring Retry-After) this many times. */
  maxRetries: z.number().int().nonnegative().max(10).default(2),
  /** One HTTP attempt's limit. */
  timeoutMs: z.number().int().positive().default(45_000),
  /** The whole issue's model drafting: once past it, no new call starts and the rest is written offline. */
  issueDeadlineMs: z.number().int().positive().default(360_000),
  /** Calls failing in a row (after the SDK's retries) before the endpoint is not called again this issue. */
  maxConsecutiveFailures: z.number().int().positive().default(2),
  temperature: z.number().min(0).max(2).default(0.2),
  /** Once an issue's drafting has cost this much, the remaining stories are written offline. */
  maxUsdPerIssue: z.number().nonnegative().default(5),
});
export type DraftConfig = z.infer<typeof DraftConfigSchema>;

/** The environment variable behind each setting, and how to fix a bad value, for one-line errors. */
const ENV_OF: Record<string, { name: string; fix: string }> = {
  apiKey: { name: 'OPENAI_API_KEY', fix: 'set it to the key, or unset it for the offline drafter' },
  baseURL: { name: 'OPENAI_BASE_URL', fix: 'set it to the server\'s API root, e.g. http://127.0.0.1:8080/v1, or unset it for api.openai.com' },
  model: { name: 'KERNEL_NEWS_MODEL', fix: 'name a model the server offers, e.g. gpt-4.1-mini' },
  inputUsdPerMTok: { name: 'KERNEL_NEWS_PRICE_IN', fix: 'give dollars per million input tokens, e.g. 0.4' },
  outputUsdPerMTok: { name: 'KERNEL_NEWS_PRICE_OUT', fix: 'give dollars per million output tokens, e.g. 1.6' },
  maxUsdPerIssue: { name: 'MAX_USD_PER_ISSUE', fix: 'give a dollar amount, e.g. 5' },
  singleCallTokens: { name: 'KERNEL_NEWS_TOPIC_TOKENS', fix: 'give a whole number of tokens, e.g. 12000' },
  maxRetries: { name: 'KERNEL_NEWS_MODEL_RETRIES', fix: 'give a whole number from 0 to 10' },
  timeoutMs: { name: 'KERNEL_NEWS_MODEL_TIMEOUT_S', fix: 'give seconds per call, e.g. 45' },
  issueDeadlineMs: { name: 'KERNEL_NEWS_DRAFT_DEADLINE_S', fix: 'give seconds for the whole issue\'s drafting, e.g. 360' },
  maxOutputTokens: { name: 'KERNEL_NEWS_MAX_OUTPUT_TOKENS', fix: 'give a whole number of tokens up to 16000, e.g. 2000' },
};

/** `fromEnv`: the raw environment values by setting, to name the variable and show what it held. */
export function parseDraftConfig(input: unknown, fromEnv?: Record<string, string | undefined>): DraftConfig {
  const result = DraftConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = String(issue.path[0] ?? '');
    const env = ENV_OF[field];
    if (fromEnv && env) {
      const shown = field === 'apiKey' ? ':' : ` ${JSON.stringify(fromEnv[field] ?? '')}:`;
      throw new ConfigError(`${env.name}${shown} ${issue.message.toLowerCase()}; ${env.fix}`);
    }
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'draft config'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid drafting configuration (${issues})`);
  }
  const config = result.data;
  const price = listPrice(config.model);
  return { ...config, inputUsdPerMTok: config.inputUsdPerMTok ?? price?.inputUsdPerMTok, outputUsdPerMTok: config.outputUsdPerMTok ?? price?.outputUsdPerMTok };
}

/** Whether dollars can be given for this config's model (listed, or priced in the environment). */
export const priceKnown = (config: Pick<DraftConfig, 'inputUsdPerMTok' | 'outputUsdPerMTok'>) =>
  config.inputUsdPerMTok !== undefined && config.outputUsdPerMTok !== undefined;

const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v));
const seconds = (v: string | undefined) => {
  const n = num(v);
  return n === undefined ? undefined : Math.round(n * 1000);
};

/** Settings given on the command line, over the environment's. */
export interface DraftConfigFlags {
  baseURL?: string;
  model?: string;
}

/**
 * From the environment: OPENAI_API_KEY, OPENAI_BASE_URL, KERNEL_NEWS_MODEL (or MODEL, as the CDK
 * stack sets it), KERNEL_NEWS_PRICE_IN/OUT (USD per 1M tokens), MAX_USD_PER_ISSUE,
 * KERNEL_NEWS_MODEL_TIMEOUT_S, KERNEL_NEWS_DRAFT_DEADLINE_S, KERNEL_NEWS_MODEL_RETRIES,
 * KERNEL_NEWS_MAX_OUTPUT_TOKENS. A bad value is a one-line ConfigError naming the variable.
 */
export function draftConfigFromEnv(env: NodeJS.ProcessEnv = process.env, flags: DraftConfigFlags = {}): DraftConfig {
  const raw: Record<string, string | undefined> = {};
  for (const [field, { name }] of Object.entries(ENV_OF)) raw[field] = env[name];
  raw.baseURL = flags.baseURL ?? (env.OPENAI_BASE_URL || undefined);
  raw.model = flags.model ?? (env.KERNEL_NEWS_MODEL || (env.MODEL && env.MODEL !== 'offline' ? env.MODEL : undefined));
  return parseDraftConfig({
    apiKey: env.OPENAI_API_KEY || undefined,
    baseURL: raw.baseURL,
    model: raw.model,
    maxUsdPerIssue: num(raw.maxUsdPerIssue),
    inputUsdPerMTok: num(raw.inputUsdPerMTok),
    outputUsdPerMTok: num(raw.outputUsdPerMTok),
    singleCallTokens: num(raw.singleCallTokens),
    maxRetries: num(raw.maxRetries),
    timeoutMs: seconds(raw.timeoutMs),
    issueDeadlineMs: seconds(raw.issueDeadlineMs),
    maxOutputTokens: num(raw.maxOutputTokens),
  }, raw);
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

/** Dollars for the tokens, at the configured prices (0 when the price is unknown: see `priceKnown`); rounded to 1/10000 of a dollar. */
export function costOf(usage: Usage, config: Pick<DraftConfig, 'inputUsdPerMTok' | 'outputUsdPerMTok'>): number {
  const usd = (usage.inputTokens * (config.inputUsdPerMTok ?? 0) + usage.outputTokens * (config.outputUsdPerMTok ?? 0)) / 1_000_000;
  return Math.round(usd * 10_000) / 10_000;
}
