import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { ParsedMessage, WeekAnalysis } from '../lambdas/model.js';
import { buildTopics } from '../lambdas/topics/build.js';
import type { KnownTopic } from '../lambdas/topics/followup.js';
import { FOLLOW_UP_NOTHING_NEW } from '../lambdas/topics/followup.js';
import { loadKnownTopics, loadTopics, topicPk } from '../lambdas/topics/store.js';
import { topicsStage } from '../lambdas/topics/stage.js';
import { freshAws, sampleMbox } from './helpers.js';

let sample: WeekAnalysis;
let aws: Awaited<ReturnType<typeof freshAws>>;

before(async () => {
  sample = await analyseMboxFile(sampleMbox);
  aws = await freshAws();
});
after(() => aws.close());

/** The part of a real week whose messages pass `keep`: threads and series cut to match. */
function part(analysis: WeekAnalysis, keep: (m: ParsedMessage) => boolean): WeekAnalysis {
  const ids = new Set(analysis.messages.filter(keep).map((m) => m.messageId));
  return {
    messages: analysis.messages.filter((m) => ids.has(m.messageId)),
    body: (id) => analysis.body(id),
    threads: analysis.threads.map((t) => ({ ...t, messageIds: t.messageIds.filter((id) => ids.has(id)) })).filter((t) => t.messageIds.length > 0),
    series: analysis.series
      .map((s) => ({ ...s, versions: s.versions.map((v) => ({ ...v, messageIds: v.messageIds.filter((id) => ids.has(id)) })).filter((v) => v.messageIds.length > 0) }))
      .filter((s) => s.versions.length > 0),
    noise: analysis.noise.filter((n) => ids.has(n.messageId)),
    quarantined: [],
  };
}

test('follow-ups across two weeks stored in the emulators', async () => {
  // The real week cut in two: what was said up to Wednesday stands for an earlier, stored week.
  const cut = '2026-01-08T00:00:00.000Z';
  const earlier = part(sample, (m) => (m.date ?? '') < cut);
  const later = part(sample, (m) => (m.date ?? '') >= cut);
  const first = await topicsStage(earlier, aws.storage, { week: '2026-W01' });
  assert.ok(first.every((t) => t.followUpOf === null), 'nothing is stored before the first week');
  const stored = await loadTopics(aws.storage.table, '2026-W01');
  assert.ok(stored.length > 0);
  assert.deepEqual(stored.map((t) => t.rank), stored.map((_, i) => i + 1));

  const second = await topicsStage(later, aws.storage, { week: '2026-W02' });
  const followUps = second.filter((t) => t.followUpOf);
  assert.ok(followUps.length > 0, 'threads that went on past Wednesday are follow-ups');
  for (const t of followUps) {
    assert.equal(t.followUpOf!.week, '2026-W01');
    const earlierTopic = stored.find((s) => s.id === t.followUpOf!.topicId);
    assert.ok(earlierTopic, `follow-up points at a stored topic: ${t.followUpOf!.topicId}`);
    assert.equal(t.followUpOf!.headline, earlierTopic.title);
    assert.ok(t.reasons.some((r) => r.startsWith('follow-up of 2026-W01 story')));
  }
  // A story that only started after the cut is not a follow-up.
  const fresh = second.filter((t) => t.messageIds.every((id) => !earlier.messages.some((m) => m.messageId === id)) && !t.followUpOf);
  assert.ok(fresh.length > 0);
  // A thread whose messages fall on both sides continues the earlier story.
  const spanning = later.threads.find((t) => earlier.threads.some((e) => e.id === t.id && e.messageIds.length >= 3) && t.messageIds.length >= 3);
  assert.ok(spanning, 'the sample has a busy thread on both sides of the cut');
  const continued = second.find((t) => t.threadIds.includes(spanning.id))!;
  assert.equal(continued.followUpOf?.week, '2026-W01');

  // Storing a week again replaces it, and later weeks see both earlier weeks.
  await topicsStage(later, aws.storage, { week: '2026-W02' });
  let rows = 0;
  for await (const _ of aws.storage.table.query(topicPk('2026-W02'))) rows++;
  assert.equal(rows, (await loadTopics(aws.storage.table, '2026-W02')).length);
  const known = await loadKnownTopics(aws.storage.table, '2026-W03');
  assert.deepEqual([...new Set(known.map((k) => k.week))].sort(), ['2026-W01', '2026-W02']);
});

test('a follow-up with nothing new is pushed down; one with news keeps its place', () => {
  const topics = buildTopics(sample, { week: '2026-W02' });
  // The same stories, as if an earlier issue had told them exactly as they stand.
  const asKnown = (week: string): KnownTopic[] => topics.map((t, i) => ({
    week, id: t.id, title: t.title, rank: i + 1, messageIds: t.messageIds.slice(0, 1),
    seriesKeys: [], participantEmails: t.participants.map((p) => p.email), version: Number(t.features.versions) || 0,
  }));
  const again = buildTopics(sample, { week: '2026-W03', knownTopics: asKnown('2026-W02') });
  for (const t of again) {
    const original = topics.find((x) => x.id === t.id)!;
    assert.equal(t.followUpOf?.topicId, t.id);
    const news = t.features.newSinceFollowUp as string[];
    if (news.length === 0) {
      assert.equal(t.score, Math.round(original.score * FOLLOW_UP_NOTHING_NEW * 100) / 100);
      assert.ok(t.reasons.at(-1)!.endsWith('nothing new'));
    } else {
      assert.equal(t.score, original.score);
    }
  }
  // Remembered with fewer people, the busiest debate has news: new participants.
  const busiest = topics.reduce((a, b) => (b.participants.length > a.participants.length ? b : a));
  const known = asKnown('2026-W02').map((k) => (k.id === busiest.id ? { ...k, participantEmails: k.participantEmails.slice(0, 1) } : k));
  const withNews = buildTopics(sample, { week: '2026-W03', knownTopics: known }).find((t) => t.id === busiest.id)!;
  assert.ok((withNews.features.newSinceFollowUp as string[]).some((n) => /new participants/.test(n)));
  assert.equal(withNews.score, busiest.score);
});
