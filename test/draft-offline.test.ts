import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consensusTopics, sampleAnalysis } from './draft-fixture.js';
import { topicMaterial } from '../lambdas/verify/material.js';
import { offlineStory } from '../lambdas/draft/offline.js';
import { verifyStory } from '../lambdas/verify/verify.js';
import { headlineFrom, purposePhrase } from '../lambdas/draft/headline.js';
import { quoteCandidates } from '../lambdas/draft/sentences.js';
import { normaliseSpace, words } from '../lambdas/verify/text.js';

test('headlines drop patch tags and subsystem prefixes and read as phrases', () => {
  assert.equal(headlineFrom('[PATCH v3 02/10] crypto: aes - Rework the AES library'), 'Reworking the AES Library');
  assert.equal(headlineFrom('Re: [PATCH] x509, pkcs7, crypto: Add ML-DSA signing'), 'Adding ML-DSA Signing');
  assert.equal(headlineFrom('linux-next: build failure after merge of the tip tree'), 'Build Failure After Merge of the Tip Tree');
  assert.equal(purposePhrase('[RFC PATCH 0/2] io_uring: drop the foo lock'), 'to drop the foo lock');
});

test('quote candidates are whole prose sentences of 8-40 words, never code or greetings', () => {
  const own = 'Hi all,\n\nThis series reworks the AES library so that callers no longer\nneed the crypto API at all.\n\n\tif (x) {\n\t\treturn;\n\t}\n\nThanks!\nShort one.';
  const c = quoteCandidates(own);
  assert.deepEqual(c.map((x) => x.text), ['This series reworks the AES library so that callers no longer need the crypto API at all.']);
});

test('the offline drafter writes verified 120-400 word stories for the consensus threads', async () => {
  const analysis = await sampleAnalysis();
  const topics = consensusTopics(analysis);
  let stories = 0;
  for (const topic of topics) {
    const material = topicMaterial(analysis, topic);
    if (material.messages.length < 2) continue;
    const story = offlineStory(material);
    const result = verifyStory(story, material);
    assert.equal(result.counts.removed, 0, `${topic.title}: ${JSON.stringify(result.problems)}`);
    assert.equal(result.counts.repaired, 0, `${topic.title}: ${JSON.stringify(result.problems)}`);
    const n = story.paragraphs.reduce((sum, p) => sum + words(p.text).length, 0);
    assert.ok(n <= 400, `${topic.title}: ${n} words`);
    for (const p of story.paragraphs) {
      for (const q of p.quotes) {
        assert.ok(p.text.includes(`"${q.text}"`), 'quote stands in quotation marks in its paragraph');
        const own = normaliseSpace(analysis.body(q.messageId).own);
        assert.ok(own.includes(q.text), `verbatim own words: ${q.text}`);
        assert.equal(analysis.messages.find((m) => m.messageId === q.messageId)!.from.email, q.author.email);
      }
    }
    if (n >= 120) stories++;
  }
  assert.ok(stories >= 10, `${stories} stories of 120+ words`);
});

test('the Petkov/Morton dispute names both and quotes Morton verbatim', async () => {
  const analysis = await sampleAnalysis();
  const topic = consensusTopics(analysis)[0];
  const story = offlineStory(topicMaterial(analysis, topic));
  const text = story.paragraphs.map((p) => p.text).join('\n');
  assert.match(text, /Andrew Morton/);
  assert.match(text, /Borislav/);
  assert.ok(story.paragraphs.flatMap((p) => p.quotes).some((q) => q.author.email === 'akpm@linux-foundation.org'));
});

test('on the ranked topics of the sample week, 8-12 offline stories pass verification untouched, told as the column tells them', async () => {
  const { buildTopics } = await import('../lambdas/topics/build.js');
  const { draftIssue } = await import('../lambdas/draft/issue.js');
  const { headlineProblems } = await import('../lambdas/draft/headline-rules.js');
  const analysis = await sampleAnalysis();
  const issue = await draftIssue({ week: '2026-W02', analysis, topics: buildTopics(analysis, { week: '2026-W02' }), top: 12 });
  assert.ok(issue.topics.length >= 8 && issue.topics.length <= 12);
  assert.equal(issue.verification.removed, 0);
  assert.equal(issue.verification.repaired, 0);
  assert.ok(issue.verification.quotes >= 25, `${issue.verification.quotes} quotes`);
  const lengths: number[] = [];
  for (const t of issue.topics) {
    const n = t.paragraphs.reduce((sum, p) => sum + words(p.text).length, 0);
    lengths.push(n);
    // A thread of three short mails cannot honestly fill 150 words; none runs past the house maximum.
    assert.ok(n >= 50 && n <= 350, `${t.headline}: ${n} words`);
    const quotes = t.paragraphs.flatMap((p) => p.quotes).length;
    assert.ok(quotes <= 5, `${t.headline}: ${quotes} quotes`);
    const subjects = t.messageIds.map((id) => analysis.messages.find((m) => m.messageId === id)?.subject ?? '');
    assert.deepEqual(headlineProblems(t.headline, subjects), [], t.headline);
    const text = t.paragraphs.map((p) => p.text).join(' ');
    assert.doesNotMatch(text, /back and forth|\b\d+ times in all/, t.headline);
    for (const p of t.paragraphs) for (const c of p.claims ?? []) assert.ok(p.text.includes(c.sentence), `claim sentence in its paragraph: ${c.sentence}`);
  }
  lengths.sort((a, b) => a - b);
  assert.ok(lengths[lengths.length >> 1] >= 120, `median ${lengths[lengths.length >> 1]} words`);
});
