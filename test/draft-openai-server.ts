/**
 * A small OpenAI-compatible HTTP server on 127.0.0.1 for the drafting tests: each test scripts its
 * answers (good, misquoting, misattributing, malformed, hostile, 429) and reads back what was asked.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';

export interface ChatRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  [key: string]: unknown;
}

export type Reply =
  | { content: string; promptTokens?: number; completionTokens?: number; finishReason?: string; refusal?: string }
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answers (a hung endpoint); the connection stays open until the client gives up. */
  | { hang: true }
  /** Drops the connection without an answer. */
  | { drop: true };

export interface FakeOpenAI {
  url: string;
  requests: ChatRequest[];
  /** Called per request with the request and its 0-based number. */
  reply: (request: ChatRequest, n: number) => Reply;
  client(options?: { maxRetries?: number }): OpenAI;
  close(): Promise<void>;
}

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const fake: FakeOpenAI = {
    url: '',
    requests: [],
    reply: () => ({ status: 500, body: { error: { message: 'no reply scripted' } } }),
    client: (options = {}) => new OpenAI({ apiKey: 'test-key', baseURL: fake.url, maxRetries: options.maxRetries ?? 2, timeout: 10_000 }),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      const n = fake.requests.length;
      fake.requests.push(request);
      const reply = fake.reply(request, n);
      if ('hang' in reply) return;
      if ('drop' in reply) {
        req.socket.destroy();
        return;
      }
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: `chatcmpl-${n}`, object: 'chat.completion', created: 1767225600, model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content, ...(reply.refusal ? { refusal: reply.refusal } : {}) }, finish_reason: reply.finishReason ?? 'stop', logprobs: null }],
        usage: { prompt_tokens: reply.promptTokens ?? 1000, completion_tokens: reply.completionTokens ?? 200, total_tokens: (reply.promptTokens ?? 1000) + (reply.completionTokens ?? 200) },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

export const isMapCall = (r: ChatRequest) => r.messages[0]?.content.startsWith('You take notes');

/** A server that does not take strict JSON schemas answers a request asking for one like this (as llama.cpp builds without grammar support do). */
export const refusesJsonSchema = (r: ChatRequest): Reply | undefined =>
  (r.response_format as { type?: string } | undefined)?.type === 'json_schema'
    ? { status: 400, body: { error: { message: "response_format type 'json_schema' is not supported", type: 'invalid_request_error' } } }
    : undefined;

export interface PromptMessage {
  ref: string;
  name: string;
  email: string;
  /** The message's text as the prompt shows it (own words; subject, patch note and trailers lines dropped). */
  own: string;
}

/** The messages of a story prompt, as the model sees them: for scripting answers that fit any week. */
export function promptMessages(r: ChatRequest): PromptMessage[] {
  const user = r.messages.find((m) => m.role === 'user')?.content ?? '';
  const out: PromptMessage[] = [];
  for (const m of user.matchAll(/<message ref="([^"]+)" from="(.*?) <([^>]*)>"[^>]*>\n([\s\S]*?)<\/message>/g)) {
    const own = m[4].split('\n').filter((l) => !/^(Subject: |\[patch omitted|[a-z-]+-by: |fixes: )/.test(l)).join('\n');
    out.push({ ref: m[1], name: m[2], email: m[3], own });
  }
  return out;
}

/** A whole sentence of 6 to 30 words of plain prose from a message's text, or undefined. */
export function proseSentence(own: string): string | undefined {
  for (const line of own.split(/\n\s*\n/)) {
    const flat = line.replace(/\s+/g, ' ').trim();
    for (const s of flat.match(/[A-Z][^.!?]*[.!?](?=\s|$)/g) ?? []) {
      const n = s.split(' ').length;
      if (n >= 6 && n <= 30 && !/["<>\u201c\u201d]|\.\.\.|[_/]|[a-z]\.[a-z]/.test(s) && flat.includes(s)) return s;
    }
  }
  return undefined;
}
