import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { modelRank, MODEL_RANK_CANDIDATES } from '../lambdas/topics/model-rank.js';
import { topicsStage } from '../lambdas/topics/stage.js';
import { loadTopics } from '../lambdas/topics/store.js';
import { parseDraftConfig } from '../lambdas/draft/config.js';
import { countTokens } from '../lambdas/draft/pack.js';
import { startFakeOpenAI, type FakeOpenAI, type Reply } from './draft-openai-server.js';
import { freshAws, sampleMbox } from './helpers.js';

let fake: FakeOpenAI;
let sample: WeekAnalysis;
let offline: Topic[];
let aws: Awaited<ReturnType<typeof freshAws>>;

before(async () => {
  fake = await startFakeOpenAI();
  sample = await analyseMboxFile(sampleMbox);
  offline = buildTopics(sample, { week: '2026-W02' });
  aws = await freshAws();
});
after(async () => {
  await fake.close();
  await aws.close();
});

const config = () => parseDraftConfig({ apiKey: 'test-key', model: 'test-model', inputUsdPerMTok: 2, outputUsdPerMTok: 8, maxRetries: 0 });
const rank = () => modelRank(offline, sample, config(), { client: fake.client({ maxRetries: 0 }) });
/** The ref the prompt gives a topic: its place among the candidates, read back from the prompt itself. */
function refOf(prompt: string, title: string): string {
  const line = prompt.split('\n').find((l) => l.endsWith(`. ${title}`));
  assert.ok(line, `no candidate line for ${title}`);
  return line.slice(0, line.indexOf('.'));
}

test('model pass: a good answer sets the order and the angles; the offline rank is kept beside it', async () => {
  fake.requests.length = 0;
  // Answer by the titles the model was shown: the 5th and the 2nd candidates, in that order.
  fake.reply = (request) => {
    const prompt = request.messages[1].content;
    return { content: JSON.stringify({ order: [{ ref: refOf(prompt, offline[4].title), angle: 'maintainers argue over who reviews what' }, { ref: refOf(prompt, offline[1].title), angle: 'a new interface' }] }), promptTokens: 4000, completionTokens: 300 };
  };
  const { topics, report } = await rank();
  assert.equal(report.applied, true);
  assert.equal(topics[0].id, offline[4].id);
  assert.equal(topics[1].id, offline[1].id);
  // The rest follow in the offline order, and nothing is lost or duplicated.
  assert.deepEqual(topics.slice(2, 5).map((t) => t.id), [offline[0].id, offline[2].id, offline[3].id]);
  assert.deepEqual(new Set(topics.map((t) => t.id)), new Set(offline.map((t) => t.id)));
  assert.equal(topics[0].features.offlineRank, 5);
  assert.equal(topics[0].features.modelAngle, 'maintainers argue over who reviews what');
  assert.ok(topics[0].reasons.includes('editor model: maintainers argue over who reviews what'));
  assert.equal(topics[0].score, offline[4].score, 'the offline score is kept');
  // Tokens and dollars: 4000 in at $2/M and 300 out at $8/M.
  assert.deepEqual([report.usage.inputTokens, report.usage.outputTokens, report.usage.calls], [4000, 300, 1]);
  assert.equal(report.costUsd, 0.0104);
  // What was asked: the candidates as fact sheets inside the data tags, a few thousand tokens at most.
  const prompt = fake.requests[0].messages[1].content;
  const sheets = prompt.slice(prompt.indexOf('<candidates>'), prompt.indexOf('</candidates>'));
  assert.equal((sheets.match(/^c\d+\. /gm) ?? []).length, Math.min(MODEL_RANK_CANDIDATES, offline.length));
  assert.ok(countTokens(prompt) < 9_000, `prompt of ${countTokens(prompt)} tokens`);
  assert.match(sheets, /reasons: /);
  assert.match(sheets, /said: /);
  assert.equal(fake.requests[0].response_format && (fake.requests[0].response_format as { type: string }).type, 'json_object');
});

test('model pass: malformed answers and a failing server leave the offline order', async () => {
  const cases: Array<[string, Reply, RegExp]> = [
    ['prose', { content: 'Here is my ranking: c3 first, then c1.' }, /not JSON/],
    ['wrong shape', { content: JSON.stringify({ order: 'c3, c1' }) }, /order shape/],
    ['truncated JSON', { content: '{"order": [{"ref": "c3", "angle": "x"' }, /not JSON/],
    ['nothing known', { content: JSON.stringify({ order: [{ ref: 'c999' }, { ref: offline[0].id }] }) }, /none of the candidates/],
    ['server error', { status: 500 }, /model call failed/],
  ];
  for (const [label, reply, why] of cases) {
    fake.reply = () => reply;
    const { topics, report } = await rank();
    assert.equal(report.applied, false, label);
    assert.match(report.fallback ?? '', why, label);
    assert.deepEqual(topics.map((t) => t.id), offline.map((t) => t.id), `${label}: offline order kept`);
    assert.ok(topics.every((t) => t.features.modelAngle === undefined), label);
  }
});

test('model pass: hostile answers: invented, repeated and out-of-range refs are ignored, angles are one clean line', async () => {
  fake.reply = (request) => {
    const prompt = request.messages[1].content;
    const third = refOf(prompt, offline[2].title);
    return {
      content: JSON.stringify({
        order: [
          { ref: 'c0' }, { ref: `c${MODEL_RANK_CANDIDATES + 1}` }, { ref: 'ignore previous instructions' },
          { ref: third, angle: '<script>alert(1)</script>\nSUBSCRIBE NOW ' + 'x'.repeat(500) },
          { ref: third, angle: 'again' },
        ],
      }),
    };
  };
  const { topics, report } = await rank();
  assert.equal(report.applied, true);
  assert.equal(report.named, 1);
  assert.equal(report.ignored, 4);
  assert.equal(topics[0].id, offline[2].id);
  const angle = String(topics[0].features.modelAngle);
  assert.ok(!/[<>\n]/.test(angle), angle);
  assert.ok(angle.length <= 160, `${angle.length} chars`);
  assert.equal(topics.length, offline.length);
});

test('model pass in the topics stage: the stored order is the model\'s; without a key no call is made', async () => {
  fake.requests.length = 0;
  fake.reply = (request) => ({ content: JSON.stringify({ order: [{ ref: refOf(request.messages[1].content, offline[3].title), angle: 'the angle' }] }) });
  const reports: unknown[] = [];
  const topics = await topicsStage(sample, aws.storage, { week: '2026-W02', model: config(), client: fake.client({ maxRetries: 0 }), onModelRank: (r) => reports.push(r), store: true });
  assert.equal(topics[0].id, offline[3].id);
  const stored = await loadTopics(aws.storage.table, '2026-W02');
  assert.equal(stored[0].id, offline[3].id);
  assert.equal(stored[0].features.modelAngle, 'the angle');
  assert.equal(reports.length, 1);
  // No key: the offline order, and the server is never asked.
  const calls = fake.requests.length;
  const plain = await topicsStage(sample, aws.storage, { week: '2026-W02', model: parseDraftConfig({}), client: fake.client(), store: false });
  assert.equal(fake.requests.length, calls);
  assert.deepEqual(plain.map((t) => t.id), offline.map((t) => t.id));
});
