/**
 * A short thread of terse mails told with substance, not filler (issue 16): what the mail records
 * about the work. Expectations written by hand from the raw mail of the bundled sample week
 * (the blk-mq boot-stall patch: its Fixes: line, and the b4 "Applied" reply's commit line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { sampleAnalysis, loadAnalysis } from './draft-fixture.js';
import { sharedCorpus } from './helpers.js';
import { topicMaterial, weekSenders } from '../lambdas/verify/material.js';
import { offlineStory, whereApplied } from '../lambdas/draft/offline.js';
import { verifyStory } from '../lambdas/verify/verify.js';
import { checkClaims } from '../lambdas/claims/check.js';
import type { MaterialMessage } from '../lambdas/verify/material.js';

test('a terse applied fix says which commit it fixes and where it was applied, every quote and claim verified', async () => {
  const { buildTopics } = await import('../lambdas/topics/build.js');
  const analysis = await sampleAnalysis();
  const topic = buildTopics(analysis, { week: '2026-W02' }).find((t) => /avoid stall during boot/.test(t.title));
  assert.ok(topic, 'the blk-mq boot-stall patch is a topic of the sample week');
  const material = topicMaterial(analysis, topic, weekSenders(analysis));
  const story = offlineStory(material);
  const prose = story.paragraphs.map((p) => p.text).join('\n');
  // From the patch's "Fixes: 89e1fb7ceffd (...)" line and the maintainer's "commit: 9670db22e7ab..." line.
  assert.match(prose, /fix for commit 89e1fb7ceffd \(blk-mq: fix potential uaf for 'queue_hw_ctx'\)/);
  assert.match(prose, /Jens applied the patch as commit 9670db22e7ab\./);
  assert.equal(verifyStory(story, material).counts.removed, 0);
  assert.equal(checkClaims(story, material).counts.removed, 0);
});

test('where an applied note says the work went: a named branch, else the commit b4 records, never "my tree"', () => {
  const note = (own: string) => ({ own } as MaterialMessage);
  assert.equal(whereApplied(note('Applied to for-next, thanks!')), ' to for-next');
  assert.equal(whereApplied(note('Applied to the vfs-6.20.misc branch of the vfs/vfs.git tree.')), ' to vfs-6.20.misc branch');
  assert.equal(whereApplied(note('Applied to my tree, thanks.')), '');
  assert.equal(whereApplied(note('Applied, thanks!\n\n[1/1] blk-mq: fix it\n      commit: 9670db22e7ab4aefe2b2619589a47fef9d3e0c7e')), ' as commit 9670db22e7ab');
  assert.equal(whereApplied(note('> Applied to for-next\nThis is not my note.')), '');
});

test('the shared week: the claim check strikes no group sentence of the offline drafter (asked, objected, reviewed)', { skip: !fs.existsSync(sharedCorpus) && 'shared corpus absent' }, async () => {
  const { buildTopics } = await import('../lambdas/topics/build.js');
  const analysis = await loadAnalysis(sharedCorpus);
  const people = weekSenders(analysis);
  const removed: string[] = [];
  for (const topic of buildTopics(analysis, { week: '2026-W02' }).slice(0, 10)) {
    const material = topicMaterial(analysis, topic, people);
    // The gate is another engineer's code, read from outside: its verdicts are the expectation.
    for (const c of checkClaims(offlineStory(material), material).claims) if (c.status === 'removed') removed.push(`${c.who.name} ${c.what}: ${c.note}`);
  }
  assert.deepEqual(removed, []);
});
