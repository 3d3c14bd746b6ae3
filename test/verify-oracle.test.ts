import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { consensusTopics, sampleAnalysis } from './draft-fixture.js';
import { topicMaterial } from '../lambdas/verify/material.js';
import { verifyStory } from '../lambdas/verify/verify.js';
import type { Quote, Story } from '../lambdas/model.js';
import { sampleMbox } from './helpers.js';

/**
 * A second, deliberately simple reading of the CONTRACT's quote rule, independent of lambdas/verify
 * and of the project's own mail parsing: the sample archive split on its "From " lines, each message
 * decoded by postal-mime, its author's words = the plain-text lines that do not start with ">".
 * A published quote must be, whitespace aside, pieces (split on "...") of those lines, in order, in
 * the message it names, whose From address is the quote's author.
 */
async function rawMessages(wanted: Set<string>): Promise<Map<string, { from: string; lines: string }>> {
  const text = zlib.gunzipSync(fs.readFileSync(sampleMbox)).toString('latin1');
  const byId = new Map<string, { from: string; lines: string }>();
  for (const chunk of text.split(/^From .*\n/m)) {
    const header = /^Message-ID:\s*<([^>]+)>/im.exec(chunk.slice(0, chunk.search(/\n\n|$/)));
    if (!header || !wanted.has(header[1])) continue;
    const mail = await PostalMime.parse(Buffer.from(chunk, 'latin1'));
    const id = (mail.messageId ?? '').replace(/^<|>$/g, '');
    const own = (mail.text ?? '').split(/\r?\n/).filter((l) => !/^\s*>/.test(l)).join('\n');
    if (id && !byId.has(id)) byId.set(id, { from: (mail.from?.address ?? '').toLowerCase(), lines: own.replace(/\s+/g, ' ') });
  }
  return byId;
}

function verbatimIn(source: string, quote: string): boolean {
  let at = 0;
  for (const piece of quote.split(/\s*(?:\.\.\.|\u2026)\s*/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean)) {
    const found = source.indexOf(piece, at);
    if (found < 0) return false;
    at = found + piece.length;
  }
  return true;
}

test('every quote the verifier lets through is, by an independent reading of the raw mail, verbatim from its author\'s own lines; invented and altered quotes never are', async () => {
  const analysis = await sampleAnalysis();
  const material = topicMaterial(analysis, consensusTopics(analysis)[0]);
  const raw = await rawMessages(new Set(material.messages.map((m) => m.messageId)));
  // Candidate quotes written from the raw mail, not from the project's sentence splitter: whole
  // lines of an author's own words, 8 words or more, ending a sentence.
  const pool = material.messages.flatMap((m) => {
    const r = raw.get(m.messageId);
    if (!r) return [];
    return r.lines.split(/(?<=[.!?]) /).filter((s) => s.split(' ').length >= 8 && s.length < 200 && /^[A-Z]/.test(s) && /[.!?]$/.test(s)).map((s) => ({ m, text: s }));
  });
  assert.ok(pool.length >= 10, `the topic has quotable sentences (${pool.length})`);
  const people = material.participants;
  const kinds = ['good', 'altered-word', 'wrong-author', 'invented', 'other-message'] as const;
  const arb = fc.record({ pick: fc.nat(pool.length - 1), kind: fc.constantFrom(...kinds), other: fc.nat(people.length - 1) }).map(({ pick, kind, other }) => {
    const { m, text } = pool[pick];
    let q: Quote = { text, author: m.from, messageId: m.messageId, url: '' };
    if (kind === 'altered-word') q = { ...q, text: text.replace(/\b([a-z]{4,})\b/, 'kernelrewrite') };
    if (kind === 'wrong-author' && people[other].email !== m.from.email) q = { ...q, author: { name: 'Nobody Here', email: people[other].email } };
    if (kind === 'invented') q = { ...q, text: 'Every maintainer agreed to drop the whole subsystem by Friday.' };
    if (kind === 'other-message') q = { ...q, text: 'The patch was merged into a tree that does not exist anywhere.' };
    return { q, kind, sentence: `${q.author.name} said, "${q.text}"` };
  });
  let published = 0;
  let goodOffered = 0;
  await fc.assert(fc.asyncProperty(fc.array(arb, { minLength: 1, maxLength: 5 }), async (items) => {
    const story: Story = { topicId: 't', headline: 'Headline', paragraphs: [{ text: items.map((i) => i.sentence).join(' '), quotes: items.map((i) => i.q) }] };
    goodOffered += items.filter((i) => i.kind === 'good').length;
    const r = verifyStory(story, material);
    for (const p of r.story.paragraphs) {
      for (const q of p.quotes) {
        published++;
        const source = raw.get(q.messageId);
        assert.ok(source, `published quote names a message of the archive: ${q.messageId}`);
        assert.equal(q.author.email.toLowerCase(), source.from, `"${q.text}" attributed to the message's sender`);
        assert.ok(verbatimIn(source.lines, q.text), `published but not verbatim in ${q.messageId}: "${q.text}"`);
        assert.ok(p.text.replace(/\s+/g, ' ').includes(q.text.replace(/\s+/g, ' ')), 'the quote stands in its paragraph');
        assert.doesNotMatch(q.text, /kernelrewrite|drop the whole subsystem|does not exist anywhere/);
      }
    }
  }), { numRuns: 80, seed: 22 });
  // A verifier that removes everything would pass the above: good quotes must get through.
  assert.ok(goodOffered > 20 && published >= goodOffered / 2, `${published} of ${goodOffered} verbatim quotes offered were published`);
});
