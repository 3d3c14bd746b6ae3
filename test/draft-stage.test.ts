import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { consensusTopics, sampleAnalysis } from './draft-fixture.js';
import { startFakeOpenAI, type FakeOpenAI } from './draft-openai-server.js';
import { freshAws } from './helpers.js';
import { saveTopics } from '../lambdas/topics/store.js';
import { parseDraftConfig } from '../lambdas/draft/config.js';
import { ModelDrafter } from '../lambdas/draft/model-drafter.js';
import { MemoryResponseCache } from '../lambdas/draft/cache.js';
import { issueFromDrafts, makeDraftStoryHandler, weekSpendUsd } from '../lambdas/draft/handler.js';
import { draftIssue } from '../lambdas/draft/issue.js';

let fake: FakeOpenAI;
before(async () => { fake = await startFakeOpenAI(); });
after(() => fake.close());

test('DraftStory step: one stored topic per call, model until the issue budget is spent, then offline; the issue assembles from the drafts', async () => {
  const aws = await freshAws();
  try {
    const analysis = await sampleAnalysis();
    const topics = consensusTopics(analysis).slice(0, 3);
    await saveTopics(aws.storage.table, '2026-W02', topics);
    // Every answer is unusable JSON, but costs: 1M input tokens at $1 = $1 per call, budget $1.5.
    fake.reply = () => ({ content: '{"headline": 1}', promptTokens: 1_000_000, completionTokens: 0 });
    const config = parseDraftConfig({ apiKey: 'k', inputUsdPerMTok: 1, outputUsdPerMTok: 0, maxUsdPerIssue: 1.5 });
    const drafter = new ModelDrafter(config, { client: fake.client(), cache: new MemoryResponseCache() });
    const handler = makeDraftStoryHandler({ storage: aws.storage, loadAnalysis: async () => analysis, drafter });
    fake.requests.length = 0;
    const first = await handler({ week: '2026-W02', topicId: topics[0].id });
    assert.equal(first.drafter, 'offline'); // malformed twice: offline, but both calls were paid
    assert.equal(fake.requests.length, 2);
    assert.equal(await weekSpendUsd(aws.storage, '2026-W02', config), 2);
    const second = await handler({ week: '2026-W02', topicId: topics[1].id });
    assert.equal(fake.requests.length, 2, 'budget spent: no more model calls');
    assert.equal(second.version, 1);
    await assert.rejects(handler({ week: '2026-W02', topicId: 'nope' }), /no stored topic/);
    await assert.rejects(handler({ week: 'last week', topicId: 'x' }), /bad event/);

    const issue = await issueFromDrafts(aws.storage, { week: '2026-W02', topics, stats: { messages: 1, threads: 1, topics: 3 }, config });
    assert.deepEqual(issue.topics.map((t) => t.id), [topics[0].id, topics[1].id]);
    assert.equal(issue.cost.usd, 2);
    assert.ok(issue.verification.quotes > 0 && issue.verification.quotes === issue.verification.verified);
    assert.match(issue.drafts[1].fallback ?? '', /budget/);
  } finally {
    await aws.close();
  }
});

test('draftIssue without a model: the contract shape, every story offline and verified', async () => {
  const analysis = await sampleAnalysis();
  const topics = consensusTopics(analysis);
  const issue = await draftIssue({ week: '2026-W02', analysis, topics, top: 10 }, { now: () => new Date('2026-01-12T06:00:00Z') });
  assert.equal(issue.topics.length, 10);
  assert.equal(issue.generatedAt, '2026-01-12T06:00:00.000Z');
  assert.deepEqual(Object.keys(issue.verification).sort(), ['quotes', 'removed', 'repaired', 'verified']);
  assert.equal(issue.verification.removed, 0);
  assert.deepEqual({ i: issue.cost.inputTokens, o: issue.cost.outputTokens, u: issue.cost.usd }, { i: 0, o: 0, u: 0 });
  for (const t of issue.topics) {
    assert.ok(t.headline && t.paragraphs.length > 0 && Array.isArray(t.participants));
    for (const p of t.paragraphs) for (const q of p.quotes) {
      assert.ok(p.text.includes(q.text));
      assert.ok(t.messageIds.includes(q.messageId));
      assert.match(q.url, /^https:\/\/lore\.kernel\.org\/r\//);
    }
  }
});
