import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyStory } from '../lambdas/verify/verify.js';
import type { MaterialMessage, TopicMaterial } from '../lambdas/verify/material.js';
import type { Person, Story, Topic } from '../lambdas/model.js';

/**
 * A quote repaired to the source's case keeps the closing punctuation the source has at that point
 * (the prose used to lose its full stop: `"I have reverted that commit for today"` with no stop), and
 * gains none the source does not have. Words as written in Stephen Rothwell's linux-next report.
 */
const stephen: Person = { name: 'Stephen Rothwell', email: 'sfr@canb.auug.org.au' };
const own = 'Caused by commit 9f2ea5a5d6e0. I have reverted that commit for today. Is this fixed yet';
const report: MaterialMessage = { messageId: 'm1@kernel-news.test', ref: 'm1', from: stephen, subject: 'linux-next: build failure', url: 'https://lore.kernel.org/r/m1@kernel-news.test', own, trailers: [], diffstat: '', files: [], hasPatch: false, naks: 0 };
const topic = { id: 't-1', title: 'linux-next: build failure', score: 1, reasons: [], threadIds: [], messageIds: [report.messageId], participants: [stephen], followUpOf: null } as unknown as Topic;
const material: TopicMaterial = { topic, messages: [report], byId: new Map([[report.messageId, report]]), participants: [stephen], weekPeople: [stephen] };

function repaired(quoted: string): string {
  const story: Story = { topicId: 't-1', headline: 'A Revert in linux-next', paragraphs: [{ text: `Stephen Rothwell wrote, "${quoted}" That was all.`, quotes: [{ text: quoted, author: stephen, messageId: report.messageId, url: report.url }] }] };
  const result = verifyStory(story, material);
  assert.equal(result.counts.repaired, 1, JSON.stringify(result.problems));
  return result.story.paragraphs[0].text;
}

test('a case-repaired quote keeps the full stop the source has after it', () => {
  assert.equal(repaired('i have reverted THAT commit for today.'), 'Stephen Rothwell wrote, "I have reverted that commit for today." That was all.');
});

test('a case-repaired quote gains no punctuation the source lacks, and keeps none the source lacks', () => {
  assert.equal(repaired('is this FIXED yet'), 'Stephen Rothwell wrote, "Is this fixed yet" That was all.');
  assert.equal(repaired('is this fixed yet?'), 'Stephen Rothwell wrote, "Is this fixed yet" That was all.', 'the source asks no question mark');
});
