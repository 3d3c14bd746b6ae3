/**
 * The claim check against hostile mail, written here by hand as a list would carry it, parsed and
 * threaded by the real stages: a NAK inside a quote, an "applied" note for a sibling series, a
 * Reviewed-by for another version, a bot's text pasted into a reply, a NAK answering another
 * reviewer, a NAK overtaken by a new version. Each property has a control (the same mail made
 * honest) so that a check that always says "no" fails the test too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TopicMaterial } from '../lambdas/verify/material.js';
import { checkClaim, checkClaims } from '../lambdas/claims/check.js';
import { checkQuote } from '../lambdas/verify/verify.js';
import type { Claim, Person, Story } from '../lambdas/model.js';
import { BOT, MAIN, MAINTAINER, OTHER, REVIEWER, SIBLING, addr, mail, materialOf, series } from './claims-week.js';

const seriesIdOf = (material: TopicMaterial, title: string) => {
  const s = material.series?.find((x) => x.title === title);
  assert.ok(s, `series "${title}" linked (have: ${material.series?.map((x) => x.title).join(', ')})`);
  return s.id;
};

const claim = (who: Person, what: Claim['what'], seriesId: string | undefined, extra: Partial<Claim> = {}): Claim =>
  ({ who, what, seriesId, evidence: [], sentence: `${who.name} did it.`, ...extra });

const NAK_LINES = ['NAK', 'Hard NAK.', 'NACK', `Nacked-by: ${addr(OTHER)}`, 'NAK, this breaks userspace.'];
const PROSE = ['I am not sure about this.', 'Can we talk about the locking first?', 'This needs more thought.', 'Interesting idea.', 'What about the error path?'];
const APPLIED = ['Applied, thanks!', 'Applied to for-next, thanks.', 'Thanks, applied.', 'Queued up for the next merge window.', 'Applied to the block tree.'];

test('a NAK inside quoted text is never a NAK of the person quoting it; the same NAK in their own words is', async () => {
  await fc.assert(fc.asyncProperty(fc.constantFrom(...NAK_LINES), fc.integer({ min: 1, max: 3 }), fc.constantFrom(...PROSE), async (nak, depth, prose) => {
    const q = '>'.repeat(depth) + ' ';
    const hostile = await materialOf([
      ...series(1, MAIN, 'm'),
      mail('otto@x', OTHER, `Re: [PATCH 1/1] ${MAIN}`, `${nak}\n`, 'm-v1-1@x'),
      mail('rita@x', REVIEWER, `Re: [PATCH 1/1] ${MAIN}`, `On Tue, Otto Other wrote:\n${q}${nak}\n\n${prose}\n`, 'otto@x'),
    ]);
    const id = seriesIdOf(hostile, MAIN);
    assert.notEqual(checkClaim(claim(REVIEWER, 'nak', id), hostile).status, 'verified');
    const story: Story = { topicId: 't', headline: 'H', paragraphs: [{ text: `Something happened. ${REVIEWER.name} NAKed the work.`, quotes: [], claims: [claim(REVIEWER, 'nak', id, { sentence: `${REVIEWER.name} NAKed the work.` })] }] };
    const out = checkClaims(story, hostile).story.paragraphs.map((p) => p.text).join(' ');
    assert.ok(!out.includes('NAKed the work'), out);

    const honest = await materialOf([...series(1, MAIN, 'm'), mail('rita@x', REVIEWER, `Re: [PATCH 1/1] ${MAIN}`, `${nak.replace(addr(OTHER), addr(REVIEWER))}\n\n${prose}\n`, 'm-v1-1@x')]);
    assert.equal(checkClaim(claim(REVIEWER, 'nak', seriesIdOf(honest, MAIN)), honest).status, 'verified');
  }), { numRuns: 20 });
});

test('an "applied" note answering a sibling series in the same story is not an applied note for the story\'s series', async () => {
  await fc.assert(fc.asyncProperty(fc.constantFrom(...APPLIED), fc.boolean(), async (note, listsPatch) => {
    const body = `On Tue, Ada Author wrote:\n\n${note}\n${listsPatch ? `\n[1/1] ${SIBLING}\n      commit: 0123456789ab\n` : ''}\nBest regards,\n-- \nMax\n`;
    const hostile = await materialOf([...series(1, MAIN, 'm'), ...series(1, SIBLING, 's'), mail('max@x', MAINTAINER, `Re: [PATCH 0/1] ${SIBLING}`, body, 's-v1-0@x')]);
    const verdict = checkClaim(claim(MAINTAINER, 'applied', seriesIdOf(hostile, MAIN)), hostile);
    assert.equal(verdict.status, 'removed', JSON.stringify(verdict));
    // Control: the sibling's own claim, and the same note on the main series, pass.
    assert.equal(checkClaim(claim(MAINTAINER, 'applied', seriesIdOf(hostile, SIBLING)), hostile).status, 'verified');
    const honest = await materialOf([...series(1, MAIN, 'm'), ...series(1, SIBLING, 's'), mail('max@x', MAINTAINER, `Re: [PATCH 0/1] ${MAIN}`, body.replace(SIBLING, MAIN), 'm-v1-0@x')]);
    assert.equal(checkClaim(claim(MAINTAINER, 'applied', seriesIdOf(honest, MAIN)), honest).status, 'verified');
  }), { numRuns: 10 });
});

test('a Reviewed-by on one version is not a Reviewed-by on another; a tag in reply to another reviewer is not a tag on the patch', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 2, max: 5 }), fc.constantFrom('Reviewed-by', 'Acked-by', 'Tested-by'), async (v, kind) => {
    const what = kind === 'Reviewed-by' ? 'review' : kind === 'Acked-by' ? 'ack' : 'test';
    const material = await materialOf([
      ...series(v, MAIN, 'm'), ...series(v + 1, MAIN, 'm'),
      mail('rita@x', REVIEWER, `Re: [PATCH v${v} 1/1] ${MAIN}`, `Looks fine.\n\n${kind}: ${addr(REVIEWER)}\n`, `m-v${v}-1@x`),
      mail('otto@x', OTHER, `Re: [PATCH v${v + 1} 1/1] ${MAIN}`, 'Maybe use a spinlock here instead?\n', `m-v${v + 1}-1@x`),
      mail('rita2@x', REVIEWER, `Re: [PATCH v${v + 1} 1/1] ${MAIN}`, `If you do it that way:\n\n${kind}: ${addr(REVIEWER)}\n`, 'otto@x'),
    ]);
    const id = seriesIdOf(material, MAIN);
    assert.deepEqual(material.series?.find((s) => s.id === id)?.versions.map((x) => x.version), [v, v + 1]);
    const wrong = checkClaim(claim(REVIEWER, what, id, { version: v + 1 }), material);
    assert.notEqual(wrong.status, 'verified', JSON.stringify(wrong));
    if (wrong.status === 'softened') assert.match(wrong.sentence, new RegExp(`version ${v}\\b|in a reply to ${OTHER.name}`));
    assert.equal(checkClaim(claim(REVIEWER, what, id, { version: v }), material).status, 'verified');
  }), { numRuns: 12 });
});

test("a bot's text pasted into a reply is not the sender's words, for quotes and for claims", async () => {
  const report = 'The function frob_lock() can return without releasing the spinlock when the allocation fails, which leaks the lock on the error path.';
  await fc.assert(fc.asyncProperty(fc.constantFrom('repeat', 'ai-review', 'forwarded'), fc.constantFrom(...PROSE), async (how, prose) => {
    const pasted = how === 'repeat' ? `${report}\n`
      : how === 'ai-review' ? `AI reviewed your patch. Please fix the bug or email reply why it's not a bug.\n\n${report}\n`
      : `---------- Forwarded message ---------\nFrom: someone\n\n${report}\n`;
    const body = how === 'forwarded' ? `${prose}\n\n${pasted}` : `${pasted}\n${prose}\n`;
    const material = await materialOf([
      ...series(1, MAIN, 'm'),
      // Only the plain repeat has the bot's message in the thread: the other two must be caught on their own.
      ...(how === 'repeat' ? [mail('bot@x', BOT, `Re: [PATCH 1/1] ${MAIN}`, `Hi Ada,\n\n${report}\n\n--\n0-DAY CI Kernel Test Service\n`, 'm-v1-1@x')] : []),
      mail('rita@x', REVIEWER, `Re: [PATCH 1/1] ${MAIN}`, body, 'm-v1-1@x'),
    ]);
    const rita = material.byId.get('rita@x')!;
    const quote = checkQuote({ text: report, author: REVIEWER, messageId: 'rita@x', url: '' }, material);
    assert.equal(quote.ok, false, `${how}: the pasted text passed as ${REVIEWER.name}'s words`);
    assert.ok(!rita.own.includes('releasing the spinlock'), rita.own);
    assert.equal(checkClaim(claim(REVIEWER, 'objects', seriesIdOf(material, MAIN)), material).status, 'removed');
    // Control: her own sentence is hers.
    assert.equal(checkQuote({ text: prose, author: REVIEWER, messageId: 'rita@x', url: '' }, material).ok, true, rita.own);
  }), { numRuns: 12 });
});

test('a NAK answering another reviewer targets an argument; a NAK on v3 answered by v4 and approval is told as such', async () => {
  const argued = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('otto@x', OTHER, `Re: [PATCH 1/1] ${MAIN}`, 'We should also convert every caller in the same patch.\n', 'm-v1-1@x'),
    mail('rita@x', REVIEWER, `Re: [PATCH 1/1] ${MAIN}`, 'Hard NAK on converting every caller at once.\n', 'otto@x'),
    mail('rita2@x', REVIEWER, `Re: [PATCH 1/1] ${MAIN}`, 'That sounds good to me too.\n', 'm-v1-1@x'),
  ]);
  const v1 = checkClaim(claim(REVIEWER, 'nak', seriesIdOf(argued, MAIN)), argued);
  assert.equal(v1.status, 'softened');
  assert.match((v1 as { sentence: string }).sentence, /objected to Otto Other's argument/);

  const overtaken = await materialOf([
    ...series(3, MAIN, 'm'),
    mail('rita@x', REVIEWER, `Re: [PATCH v3 1/1] ${MAIN}`, 'NAK to this patch.\n', 'm-v3-1@x'),
    ...series(4, MAIN, 'm'),
    mail('rita2@x', REVIEWER, `Re: [PATCH v4 0/1] ${MAIN}`, 'And now I like the solution, thanks!\n', 'm-v4-0@x'),
  ]);
  const v3 = checkClaim(claim(REVIEWER, 'nak', seriesIdOf(overtaken, MAIN)), overtaken);
  assert.equal(v3.status, 'softened');
  assert.equal((v3 as { sentence: string }).sentence, `${REVIEWER.name} NAKed version 3; version 4 answered the objection, and ${REVIEWER.name} approved it.`);
});

test('in the story: verified claims keep their sentence and link their evidence, softened ones replace it, removed ones are cut', async () => {
  const material = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('rita@x', REVIEWER, `Re: [PATCH 1/1] ${MAIN}`, `Reviewed-by: ${addr(REVIEWER)}\n`, 'm-v1-1@x'),
    mail('otto@x', OTHER, `Re: [PATCH 1/1] ${MAIN}`, 'Hard NAK on that idea.\n', 'rita@x'),
  ]);
  const id = seriesIdOf(material, MAIN);
  const s1 = 'Rita Reviewer reviewed the patch.';
  const s2 = 'Otto Other NAKed the work.';
  const s3 = 'Max Maintainer applied it.';
  const story: Story = { topicId: 't', headline: 'H', paragraphs: [{ text: `It began. ${s1} ${s2} ${s3} The end.`, quotes: [], claims: [
    claim(REVIEWER, 'review', id, { sentence: s1 }), claim(OTHER, 'nak', id, { sentence: s2 }), claim(MAINTAINER, 'applied', id, { sentence: s3 }),
  ] }] };
  const r = checkClaims(story, material);
  const p = r.story.paragraphs[0];
  assert.equal(p.text, `It began. ${s1} Otto Other objected to Rita Reviewer's argument. The end.`);
  assert.deepEqual(r.counts, { claims: 3, verified: 1, softened: 1, removed: 1 });
  const [rev, nak, applied] = p.claims!;
  assert.deepEqual(rev.urls, ['https://lore.kernel.org/r/rita@x']);
  assert.equal(nak.status, 'softened');
  assert.equal(applied.status, 'removed');
  assert.ok(applied.note);
});

test('the review page shows the editor each removed and softened claim with its reason, escaped', async () => {
  const { reviewPage } = await import('../lambdas/review/page.js');
  const { paragraphHtml } = await import('../lambdas/render/html.js');
  const hostile = '<script>alert(1)</script>';
  const paragraph = {
    text: 'Rita Reviewer reviewed the patch. Otto objected.', quotes: [],
    claims: [
      { ...claim(REVIEWER, 'review', 's'), sentence: 'Rita Reviewer reviewed the patch.', status: 'verified' as const, urls: ['https://lore.kernel.org/r/rita@x'] },
      { ...claim(OTHER, 'nak', 's'), sentence: 'Otto objected.', status: 'softened' as const, note: `answers ${hostile}` },
      { ...claim(MAINTAINER, 'applied', 's'), sentence: `Max applied ${hostile}.`, status: 'removed' as const, note: 'no applied note' },
    ],
  };
  const doc = { week: '2026-W02', generatedAt: '', stats: { messages: 0, threads: 0, topics: 1 }, verification: { quotes: 0, verified: 0, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
    topics: [{ id: 't', headline: 'H', score: 1, reasons: [], messageIds: [], participants: [], paragraphs: [paragraph] }] };
  const html = reviewPage({ doc, record: { week: '2026-W02', status: 'draft', draftVersion: 1 }, actionUrl: '/r', csrf: 'c', flags: new Map() });
  assert.ok(!html.includes(hostile));
  assert.match(html, /Removed: &ldquo;Max applied &lt;script&gt;alert\(1\)&lt;\/script&gt;\.&rdquo; &mdash; no applied note/);
  assert.match(html, /Softened to &ldquo;Otto objected\.&rdquo; &mdash; answers &lt;script&gt;/);
  assert.match(paragraphHtml(paragraph), /<a href="https:\/\/lore\.kernel\.org\/r\/rita@x"[^>]*>Rita Reviewer reviewed the patch\.<\/a>/);
});

test('the offline issue of the sample week: every claim accounted for; verified and softened sentences are in the prose, removed ones are not', async () => {
  const { draftIssue } = await import('../lambdas/draft/issue.js');
  const { sampleAnalysis, consensusTopics } = await import('./draft-fixture.js');
  const analysis = await sampleAnalysis();
  const issue = await draftIssue({ week: '2026-W02', analysis, topics: consensusTopics(analysis), top: 10 });
  const claims = issue.topics.flatMap((t) => t.paragraphs.flatMap((p) => (p.claims ?? []).map((c) => ({ c, p, prose: t.paragraphs.map((x) => x.text).join(' ') }))));
  assert.ok(claims.length > 0, 'the offline drafter states claims about the sample week');
  assert.deepEqual(issue.claims, {
    claims: claims.length, verified: claims.filter(({ c }) => c.status === 'verified').length,
    softened: claims.filter(({ c }) => c.status === 'softened').length, removed: claims.filter(({ c }) => c.status === 'removed').length,
  });
  for (const { c, p, prose } of claims) {
    if (c.status === 'removed') assert.ok(!prose.includes(c.sentence), `removed but printed: ${c.sentence}`);
    else {
      assert.ok(p.text.includes(c.sentence), `kept but not in its paragraph: ${c.sentence}`);
      // A denial ("No one had raised an objection") has no message to link: the mail shows nothing.
      if (c.negated) { assert.deepEqual([c.evidence, c.urls ?? []], [[], []], c.sentence); continue; }
      assert.ok(c.urls?.length && c.urls.every((u) => /^https:\/\/lore\.kernel\.org\/r\//.test(u)), c.sentence);
      const mine = analysis.messages.filter((m) => c.evidence.includes(m.messageId));
      // The same person, from the same address or (Günther Noack writes from two) under the same full name.
      const same = (a: { name: string; email: string }) => a.email === c.who.email || (a.name.trim().split(/\s+/).length >= 2 && a.name.trim() === c.who.name.trim());
      assert.ok(mine.length > 0 && mine.every((m) => same(m.from)), `evidence of ${c.who.name} is theirs`);
    }
  }
});
