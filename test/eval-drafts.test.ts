/**
 * `npm run eval -- drafts` against a local OpenAI-compatible server with scripted answers, good and
 * bad: every story's answer quotes one real sentence of a message, by its author (good), and one
 * sentence nobody wrote (bad); the server refuses strict schemas, like some local servers do. The
 * expected figures are counted from what the server was asked and answered, not by the eval.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isMapCall, promptMessages, proseSentence, refusesJsonSchema, startFakeOpenAI, type FakeOpenAI } from './draft-openai-server.js';
import { sampleMbox } from './helpers.js';
import { main } from '../bench/eval-drafts.js';

let fake: FakeOpenAI;
before(async () => {
  fake = await startFakeOpenAI();
});
after(() => fake.close());

const FABRICATED = 'We will merge this without any further review at all';

test('eval drafts prints stories, quotes proposed/verified/repaired/removed, tokens, dollars and seconds', async () => {
  const good = new Set<string>();
  const malformed = new Set<string>();
  let tokensIn = 0;
  let tokensOut = 0;
  const paying = (reply: { content: string; promptTokens: number; completionTokens: number }) => {
    tokensIn += reply.promptTokens;
    tokensOut += reply.completionTokens;
    return reply;
  };
  fake.reply = (r) => {
    const refused = refusesJsonSchema(r);
    if (refused) return refused;
    if (isMapCall(r)) return paying({ content: JSON.stringify({ notes: [] }), promptTokens: 3000, completionTokens: 20 });
    const topic = r.messages[1].content.split('\n')[0];
    const speaker = promptMessages(r).map((m) => ({ m, s: proseSentence(m.own) })).find((x) => x.s);
    if (!speaker) {
      malformed.add(topic);
      return paying({ content: 'I cannot help with that.', promptTokens: 900, completionTokens: 10 });
    }
    good.add(topic);
    const { m, s } = speaker;
    const author = { name: m.name, email: m.email };
    return paying({
      content: JSON.stringify({ headline: 'A Quarrel Over Review', paragraphs: [
        { text: `${m.name} wrote, "${s}"`, quotes: [{ text: s, author, message: m.ref }], claims: [] },
        { text: `${m.name} also said, "${FABRICATED}."`, quotes: [{ text: FABRICATED, author, message: m.ref }], claims: [] },
      ] }),
      promptTokens: 1000, completionTokens: 200,
    });
  };
  const saved = process.env.OPENAI_API_KEY;
  process.env.OPENAI_API_KEY = 'test-key';
  const lines: string[] = [];
  try {
    const code = await main(['--base-url', fake.url, '--model', 'gpt-4o', '--mbox', sampleMbox, '--top', '3'], (l) => lines.push(l), () => undefined);
    assert.equal(code, 0);
  } finally {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
  }
  const figure = (name: string) => lines.find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
  // Good stories: two answers each (the fabricated quote sends it back once), each quoting 2: 1 verified, 1 removed.
  assert.equal(good.size + malformed.size, 3);
  assert.ok(good.size >= 1, 'at least one story the model wrote');
  assert.equal(figure('stories'), `3 (model ${good.size}, offline ${malformed.size})`);
  assert.equal(figure('quotes proposed'), String(2 * good.size));
  assert.equal(figure('verified'), String(good.size));
  assert.equal(figure('repaired'), '0');
  assert.equal(figure('removed'), String(good.size));
  assert.equal(figure('tokens in'), String(tokensIn));
  assert.equal(figure('tokens out'), String(tokensOut));
  // gpt-4o's list price: $2.50 in, $10 out per million tokens.
  const usd = (tokensIn * 2.5 + tokensOut * 10) / 1e6;
  assert.equal(figure('dollars'), usd.toFixed(4));
  assert.match(figure('seconds') ?? '', /^\d+\.\d$/);
  assert.equal(figure('structured outputs'), 'json_object');
  assert.ok(lines.filter((l) => /^ ?\d+\. /.test(l)).length === 3);
  assert.ok(!lines.join('\n').includes(FABRICATED));
});

test('eval drafts without a key, or with a bad base URL, is one line naming the setting', async () => {
  const saved = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
  const errors: string[] = [];
  try {
    assert.equal(await main(['--base-url', fake.url, '--model', 'm'], () => undefined, (l) => errors.push(l)), 2);
    process.env.OPENAI_API_KEY = 'k';
    assert.equal(await main(['--base-url', 'localhost:1/v1'], () => undefined, (l) => errors.push(l)), 2);
  } finally {
    if (saved === undefined) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = saved;
  }
  assert.match(errors[0], /OPENAI_API_KEY/);
  assert.match(errors[1], /OPENAI_BASE_URL "localhost:1\/v1"/);
});
