import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consensusTopics, sampleAnalysis } from './draft-fixture.js';
import { topicMaterial } from '../lambdas/verify/material.js';
import { verifyStory } from '../lambdas/verify/verify.js';
import type { Story } from '../lambdas/model.js';

const MORTON = { name: 'Andrew Morton', email: 'akpm@linux-foundation.org' };
const PETKOV = { name: 'Borislav Petkov', email: 'bp@alien8.de' };
const AKPM_MSG = '20260109111744.07e51bf5c0bde0e419d09b34@linux-foundation.org';
const SAID = 'This is utterly impractical without support from the x86 maintainers.';

async function material() {
  const analysis = await sampleAnalysis();
  return topicMaterial(analysis, consensusTopics(analysis)[0]);
}

const story = (text: string, quotes: Story['paragraphs'][0]['quotes'], headline = 'Tip and mm'): Story => ({ topicId: 't', headline, paragraphs: [{ text, quotes }] });

test('a verbatim, correctly attributed quote passes unchanged', async () => {
  const m = await material();
  const r = verifyStory(story(`Andrew Morton replied, "${SAID}"`, [{ text: SAID, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.deepEqual(r.counts, { quotes: 1, verified: 1, repaired: 0, removed: 0 });
  assert.equal(r.story.paragraphs[0].quotes[0].url, `https://lore.kernel.org/r/${AKPM_MSG}`);
});

test('whitespace, case and curly quotes are repaired to the exact source words', async () => {
  const m = await material();
  const given = 'this is utterly   impractical without support from the x86 maintainers';
  const r = verifyStory(story(`Andrew Morton replied, "${given}." He was firm.`, [{ text: given, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.counts.repaired, 1);
  assert.ok(r.story.paragraphs[0].text.includes(SAID.slice(0, -1)));
});

test('a misquote is removed with its sentence; other sentences stay', async () => {
  const m = await material();
  const r = verifyStory(story(`Morton spoke up. Andrew Morton replied, "The x86 maintainers are doing a great job and I love them."`,
    [{ text: 'The x86 maintainers are doing a great job and I love them.', author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.counts.removed, 1);
  assert.equal(r.story.paragraphs[0].text, 'Morton spoke up.');
  assert.equal(r.story.paragraphs[0].quotes.length, 0);
});

test("a quote put in the wrong mouth is removed", async () => {
  const m = await material();
  const r = verifyStory(story(`Borislav Petkov said, "${SAID}"`, [{ text: SAID, author: PETKOV, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.counts.removed, 1);
  assert.equal(r.story.paragraphs.length, 0);
  assert.ok(r.problems.some((p) => p.kind === 'wrong-author'));
});

test('words someone quoted from another are not their own words', async () => {
  const m = await material();
  // Morton's reply quotes Petkov's "please stop taking patches touching arch/x86!"; it is Petkov's, not Morton's.
  const q = 'So, Andrew, once again: please stop taking patches touching arch/x86!';
  const r = verifyStory(story(`Andrew Morton wrote, "${q}"`, [{ text: q, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.counts.removed, 1);
});

test('ellipsis joins two pieces of one message in order, not out of order', async () => {
  const m = await material();
  const ok = 'I upstream a *lot* of patchsets which alter x86 ... it\'s always crickets';
  const r = verifyStory(story(`Morton said, "${ok}."`, [{ text: ok, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.counts.removed, 0, JSON.stringify(r.problems));
  const bad = 'it\'s always crickets ... I upstream a *lot* of patchsets which alter x86';
  const r2 = verifyStory(story(`Morton said, "${bad}."`, [{ text: bad, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r2.counts.removed, 1);
});

test('unlisted quotations, strangers and foreign links are taken out', async () => {
  const m = await material();
  const text = 'Andrew Morton had a view. Linus Torvalds said, "this is the best patch ever written by anyone". '
    + 'See https://evil.example.com/x for more. Petkov disagreed.';
  const r = verifyStory(story(text, []), m);
  const out = r.story.paragraphs[0].text;
  assert.ok(!out.includes('Linus'));
  assert.ok(!out.includes('evil'));
  assert.ok(out.includes('Petkov disagreed.'));
  assert.equal(r.counts.removed, 1);
});

test('a quote missing from its paragraph text is dropped from the list', async () => {
  const m = await material();
  const r = verifyStory(story('Morton answered at length.', [{ text: SAID, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.story.paragraphs[0].quotes.length, 0);
  assert.ok(r.problems.some((p) => p.kind === 'not-in-paragraph'));
});

test('words put in the wrong mouth by the prose are removed even when the quote fields are right', async () => {
  const m = await material();
  const r = verifyStory(story(`Borislav Petkov said, "${SAID}" Andrew Morton said, "${SAID}"`, [{ text: SAID, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.ok(r.problems.some((p) => p.kind === 'wrong-author'));
  assert.ok(!r.story.paragraphs.some((p) => p.text.includes('Borislav')));
});

test('a pronoun before a quote is fine', async () => {
  const m = await material();
  const r = verifyStory(story(`Morton was not having it. He said, "${SAID}"`, [{ text: SAID, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.deepEqual(r.counts, { quotes: 1, verified: 1, repaired: 0, removed: 0 });
});

test('capitalised things that are not people are left alone', async () => {
  const m = await material();
  const text = `Morton, of the Linux Foundation, answered in the Kernel Mailing List thread. He said, "${SAID}"`;
  const r = verifyStory(story(text, [{ text: SAID, author: MORTON, messageId: AKPM_MSG, url: '' }]), m);
  assert.equal(r.story.paragraphs[0].text, text);
  assert.deepEqual(r.counts, { quotes: 1, verified: 1, repaired: 0, removed: 0 });
});
