import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { consensusTopics, sampleAnalysis } from './draft-fixture.js';
import { topicMaterial } from '../lambdas/verify/material.js';
import { checkQuote, namesPerson, verifyStory } from '../lambdas/verify/verify.js';
import { quotedSegments, words } from '../lambdas/verify/text.js';
import { quoteCandidates } from '../lambdas/draft/sentences.js';
import type { Quote, Story } from '../lambdas/model.js';

test('whatever a writer hands in, every published quote is verbatim, attributed and in its paragraph', async () => {
  const analysis = await sampleAnalysis();
  const material = topicMaterial(analysis, consensusTopics(analysis)[0]);
  const pool = material.messages.flatMap((m) => quoteCandidates(m.own).map((c) => ({ m, text: c.text })));
  const quotedByOthers = material.messages.map((m) => analysis.body(m.messageId).quoted).join('\n').split('\n').map((l) => l.replace(/^[>\s]+/, '')).filter((l) => words(l).length >= 6);
  assert.ok(pool.length > 5 && quotedByOthers.length > 0);
  const people = material.participants;

  const quoteArb = fc.record({
    pick: fc.nat(pool.length - 1),
    kind: fc.constantFrom('good', 'mutated', 'wrong-author', 'wrong-message', 'quoted-text', 'invented', 'case'),
    other: fc.nat(people.length - 1),
    verb: fc.constantFrom('said', 'replied', 'argued', 'wrote'),
  }).map(({ pick, kind, other, verb }) => {
    const { m, text } = pool[pick];
    let q: Quote = { text, author: m.from, messageId: m.messageId, url: '' };
    if (kind === 'mutated') q = { ...q, text: text.replace(/\b(\w)(\w+)/, (_w, a: string, b: string) => `${a}${b}x`) };
    if (kind === 'wrong-author') q = { ...q, author: people[other].email === m.from.email ? { name: 'Someone Else', email: 'else@example.org' } : people[other] };
    if (kind === 'wrong-message') q = { ...q, messageId: material.messages[(material.messages.indexOf(m) + 1) % material.messages.length].messageId };
    if (kind === 'quoted-text') q = { ...q, text: quotedByOthers[pick % quotedByOthers.length] };
    if (kind === 'invented') q = { ...q, text: 'We must rewrite the whole kernel in a weekend and nobody will notice.' };
    if (kind === 'case') q = { ...q, text: text.toUpperCase() };
    return { q, sentence: `${q.author.name} ${verb}, "${q.text}"`, kind, source: { text, email: m.from.email } };
  });
  // Whitespace and a sentence's closing punctuation aside (a repaired quote ends at its last word).
  const spaced = (t: string) => t.replace(/\s+/g, ' ').trim().replace(/[.,;:!?]+$/, '');

  await fc.assert(fc.asyncProperty(fc.array(fc.array(quoteArb, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), async (paras) => {
    const story: Story = { topicId: 't', headline: 'H', paragraphs: paras.map((ps) => ({ text: ps.map((p) => p.sentence).join(' '), quotes: ps.map((p) => p.q) })) };
    const r = verifyStory(story, material);
    assert.equal(r.counts.quotes, r.counts.verified + r.counts.repaired + r.counts.removed);
    for (const p of r.story.paragraphs) {
      for (const q of p.quotes) {
        assert.ok(p.text.includes(q.text));
        // The oracle is the generator, not the code under test: a published quote is the source
        // sentence of a quote made from real words (as handed in, re-cased, or under a wrong message
        // id), by that sentence's author; an invented, altered or someone-else's-words quote never is.
        // (Words someone quoted may be the quoted person's own: those are left to verify-oracle, which
        // reads the raw mail.)
        const handedIn = paras.flat();
        const same = (g: (typeof handedIn)[number]) => spaced(g.q.text).toLowerCase() === spaced(q.text).toLowerCase();
        assert.ok(!handedIn.some((g) => (g.kind === 'invented' || g.kind === 'mutated') && spaced(g.q.text) === spaced(q.text)), `an invented or altered quote was published: ${q.text}`);
        if (!handedIn.some((g) => g.kind === 'quoted-text' && same(g))) {
          const real = handedIn.filter((g) => g.kind !== 'invented' && g.kind !== 'mutated' && g.kind !== 'quoted-text');
          assert.ok(real.some((g) => spaced(g.source.text) === spaced(q.text) && g.source.email === q.author.email), `published, but no real sentence of its author: ${q.text}`);
        }
        const c = checkQuote(q, material);
        assert.ok(c.ok && !c.repaired, `published: ${q.text}`);
        // The prose names the quote's real author (each generated sentence names its speaker).
        const sentence = p.text.slice(Math.max(0, p.text.indexOf(q.text) - 120), p.text.indexOf(q.text)).split('"').slice(-2)[0];
        assert.ok(namesPerson(sentence, q.author), `"${q.text}" published in the mouth of: ${sentence}`);
      }
      for (const seg of quotedSegments(p.text)) {
        if (words(seg.inner).length > 3) assert.ok(p.quotes.some((q) => q.text.includes(seg.inner.trim()) || seg.inner.includes(q.text)), `unlisted quotation published: ${seg.inner}`);
      }
    }
  }), { numRuns: 150 });
});
