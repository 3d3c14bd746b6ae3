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
  | { content: string; promptTokens?: number; completionTokens?: number }
  | { status: number; body?: unknown; headers?: Record<string, string> };

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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
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
      if ('status' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
        res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        id: `chatcmpl-${n}`, object: 'chat.completion', created: 1767225600, model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply.content }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: reply.promptTokens ?? 1000, completion_tokens: reply.completionTokens ?? 200, total_tokens: (reply.promptTokens ?? 1000) + (reply.completionTokens ?? 200) },
      }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}

export const isMapCall = (r: ChatRequest) => r.messages[0]?.content.startsWith('You take notes');
