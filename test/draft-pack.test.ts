import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consensusTopics, sampleAnalysis } from './draft-fixture.js';
import { topicMaterial } from '../lambdas/verify/material.js';
import { countTokens, packTopic, chunk } from '../lambdas/draft/pack.js';
import { normaliseSpace } from '../lambdas/verify/text.js';
import { costOf, parseDraftConfig, draftConfigFromEnv } from '../lambdas/draft/config.js';

test('packing keeps every own word, drops quoted text and reduces patches to diffstat and trailers', async () => {
  const analysis = await sampleAnalysis();
  const aes = consensusTopics(analysis)[7];
  const material = topicMaterial(analysis, aes);
  const packing = packTopic(material, 1_000_000);
  const all = packing.messages.map((m) => m.text).join('\n');
  assert.equal(packing.cutTokens, 0);
  for (const m of material.messages) {
    for (const sentence of normaliseSpace(m.own).split(/(?<=[.!?])\s+/).slice(0, 5)) assert.ok(normaliseSpace(all).includes(sentence), sentence);
  }
  const patch = material.messages.find((m) => m.hasPatch)!;
  const packed = packing.messages.find((p) => p.messageId === patch.messageId)!.text;
  assert.match(packed, /\[patch omitted/);
  assert.ok(!/^diff --git/m.test(packed) && !/^@@ /m.test(packed), 'no diff lines');
  assert.ok(!/^> /m.test(all), 'no quoted lines');
});

test('a topic over the hard budget is cut, and the cut is counted', async () => {
  const analysis = await sampleAnalysis();
  const material = topicMaterial(analysis, consensusTopics(analysis)[7]);
  const full = packTopic(material, 1_000_000);
  const budget = Math.floor(full.tokens * 0.7);
  const cut = packTopic(material, budget);
  assert.ok(cut.tokens <= budget, `${cut.tokens} > ${budget}`);
  assert.ok(cut.cutTokens > 0);
  assert.equal(countTokens(cut.messages.map((m) => m.text).join('')) > 0, true);
  const chunks = chunk(full.messages, 2_000);
  assert.ok(chunks.length > 1);
  assert.equal(chunks.flat().length, full.messages.length);
});

test('config: env and prices, validated', () => {
  const c = draftConfigFromEnv({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1', KERNEL_NEWS_MODEL: 'local', KERNEL_NEWS_PRICE_IN: '1', KERNEL_NEWS_PRICE_OUT: '4' });
  assert.equal(c.model, 'local');
  assert.equal(costOf({ inputTokens: 1_000_000, outputTokens: 500_000, calls: 1, cachedCalls: 0 }, c), 3);
  assert.equal(draftConfigFromEnv({}).apiKey, undefined);
  assert.throws(() => parseDraftConfig({ baseURL: 'not a url' }), /baseURL/);
});
