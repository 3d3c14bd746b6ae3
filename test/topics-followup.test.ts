import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { buildTopics } from '../lambdas/topics/build.js';
import type { KnownTopic } from '../lambdas/topics/followup.js';
import { sampleMbox } from './helpers.js';

// What a reader expects of follow-ups, stated without the code's constants: a story last week's issue
// already told, with nothing new since, sinks well below where it would rank fresh (to less than half
// its score); one with news (a new version, new people in the debate) keeps its fresh score.

let sample: WeekAnalysis;
let fresh: Topic[];
before(async () => {
  sample = await analyseMboxFile(sampleMbox);
  fresh = buildTopics(sample, { week: '2026-W02' });
});

/** `t` as last week's issue told it: same people, same series version, one of its messages. */
function told(t: Topic, rank: number, changes: Partial<KnownTopic> = {}): KnownTopic {
  return {
    week: '2026-W01', id: `earlier-${t.id}`, title: t.title, rank, messageIds: t.messageIds.slice(0, 1), seriesKeys: [],
    participantEmails: t.participants.map((p) => p.email), version: Number(t.features.versions) || 0, ...changes,
  };
}

test('a story told last week with nothing new sinks to under half its score and below the stories it led', () => {
  const top = fresh[0];
  assert.ok(fresh[1].score > top.score / 2, 'the sample week has a close second (else the test proves little)');
  const again = buildTopics(sample, { week: '2026-W02', knownTopics: [told(top, 1)] });
  const same = again.find((t) => t.id === top.id)!;
  assert.equal(same.followUpOf?.week, '2026-W01');
  assert.equal(same.followUpOf?.topicId, `earlier-${top.id}`);
  assert.ok(same.score < top.score / 2, `follow-up with nothing new scored ${same.score}, fresh ${top.score}`);
  assert.ok(same.score > 0, 'demoted, not dropped');
  assert.notEqual(again[0].id, top.id, 'no longer the lead story');
  assert.ok(again.indexOf(same) > again.findIndex((t) => t.id === fresh[1].id), 'ranks below the fresh second story');
  assert.match(same.reasons.join('\n'), /follow-up of 2026-W01/);
  // The other stories are untouched.
  for (const t of again.filter((x) => x.id !== top.id)) assert.equal(t.score, fresh.find((f) => f.id === t.id)!.score, t.title);
});

test('a follow-up with news keeps its fresh score: new people joined, or a new version was posted', () => {
  const busy = fresh.find((t) => t.participants.length >= 4)!;
  assert.ok(busy, 'the sample has a debate with four or more people');
  const withPeople = buildTopics(sample, { week: '2026-W02', knownTopics: [told(busy, 1, { participantEmails: busy.participants.slice(0, 1).map((p) => p.email) })] }).find((t) => t.id === busy.id)!;
  assert.equal(withPeople.followUpOf?.week, '2026-W01');
  assert.equal(withPeople.score, busy.score);
  assert.match(withPeople.reasons.join('\n'), /new participants/);

  const series = fresh.find((t) => Number(t.features.versions) >= 2);
  assert.ok(series, 'the sample has a series with two or more versions');
  const v = Number(series.features.versions);
  const withVersion = buildTopics(sample, { week: '2026-W02', knownTopics: [told(series, 1, { version: v - 1 })] }).find((t) => t.id === series.id)!;
  assert.equal(withVersion.score, series.score);
  assert.match(withVersion.reasons.join('\n'), new RegExp(`v${v} posted`));

  // One newcomer is not news: the debate is the same one.
  const oneNew = buildTopics(sample, { week: '2026-W02', knownTopics: [told(busy, 1, { participantEmails: busy.participants.slice(1).map((p) => p.email) })] }).find((t) => t.id === busy.id)!;
  if (!/decision/.test(oneNew.reasons.join('\n'))) assert.ok(oneNew.score < busy.score / 2, 'a single new voice does not make an old story news');
});

test('a story not told before is no follow-up, whatever else was told', () => {
  const [first, ...rest] = fresh;
  const again = buildTopics(sample, { week: '2026-W02', knownTopics: rest.slice(0, 5).map((t, i) => told(t, i + 1)) });
  const same = again.find((t) => t.id === first.id)!;
  assert.equal(same.followUpOf, null);
  assert.equal(same.score, first.score);
});
