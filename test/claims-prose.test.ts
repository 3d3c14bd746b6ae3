/**
 * The prose pass against hostile prose: claims a story states without declaring them, about mail
 * written here by hand as a list would carry it (parsed and threaded by the real stages). Every
 * expectation is written from the mail by hand: who sent what, to whom. Each hostile case has an
 * honest control (the same sentence, the mail now showing it) so that a pass that cuts everything
 * fails too. The model path runs against a real local OpenAI-compatible server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TopicMaterial } from '../lambdas/verify/material.js';
import { verifyWithClaims } from '../lambdas/claims/stage.js';
import { parseDraftConfig } from '../lambdas/draft/config.js';
import { ModelDrafter } from '../lambdas/draft/model-drafter.js';
import { MemoryResponseCache } from '../lambdas/draft/cache.js';
import { draftTopic } from '../lambdas/draft/draft-topic.js';
import type { Paragraph, Person, Quote, Story } from '../lambdas/model.js';
import { AUTHOR, MAIN, MAINTAINER as MAX, OTHER as OTTO, REVIEWER as RITA, SIBLING, addr, mail, materialOf, series } from './claims-week.js';
import { startFakeOpenAI, type FakeOpenAI } from './draft-openai-server.js';

const story = (...paragraphs: Paragraph[]): Story => ({ topicId: 't', headline: 'H', paragraphs });
const para = (text: string, quotes: Quote[] = []): Paragraph => ({ text, quotes });
const quote = (text: string, author: Person, messageId: string): Quote => ({ text, author, messageId, url: '' });
const prose = (s: Story) => s.paragraphs.map((p) => p.text).join(' ');
const found = (s: Story) => s.paragraphs.flatMap((p) => p.claims ?? []).filter((c) => c.found === 'prose');

/** Rita acked the patch; Otto NAKed it; Max applied the sibling series only. */
async function week(): Promise<TopicMaterial> {
  return materialOf([
    ...series(1, MAIN, 'm'), ...series(1, SIBLING, 's'),
    mail('rita-ack@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, `Looks fine to me.\n\nAcked-by: ${addr(RITA)}\n`, 'm-v1-1@x'),
    mail('otto-nak@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, 'NAK, this breaks every caller that holds the queue lock.\n', 'm-v1-1@x'),
    mail('max-applied@x', MAX, `Re: [PATCH 0/1] ${SIBLING}`, 'Applied to the block tree, thanks!\n', 's-v1-0@x'),
  ]);
}

// Spellings of "NAKed" a drafter (or a hostile text) could use: case, fullwidth, zero-width, Cyrillic A.
const NAK_SPELLINGS = ['NAKed', 'nacked', 'NACKed', "NAK'd", 'Naked', '\uff2e\uff21\uff2bed', 'NA\u200bKed', 'N\u0410Ked', 'gave it a hard NAK', 'vetoed'];

test('"X NAKed" when X only acked is cut, in any spelling; the same sentence about the one who did NAK stays', async () => {
  const material = await week();
  await fc.assert(fc.property(fc.constantFrom(...NAK_SPELLINGS), fc.constantFrom('the patch', 'it', 'the lockless frobnicator'), (verb, object) => {
    const lie = `${RITA.name} ${verb} ${object}.`;
    const out = verifyWithClaims(story(para(`Ada posted a patch. ${lie}`)), material);
    assert.ok(!prose(out.story).includes(lie), prose(out.story));
    assert.ok(prose(out.story).includes('Ada posted a patch.'));
    const c = found(out.story).find((x) => x.what === 'nak');
    assert.equal(c?.status, 'removed');
    assert.equal(c?.who.email, RITA.email);
    assert.equal(out.claims.removed, 1);
    // Control: Otto did NAK it.
    const truth = `${OTTO.name} ${verb} ${object}.`;
    const kept = verifyWithClaims(story(para(`Ada posted a patch. ${truth}`)), material);
    // Quote verification may fold the text (fullwidth letters, zero-width spaces): compare folded.
    const norm = (t: string) => t.normalize('NFKC').replace(/\u200b/g, '');
    assert.ok(norm(prose(kept.story)).includes(norm(truth)), prose(kept.story));
    assert.deepEqual(found(kept.story).map((x) => [x.who.email, x.what, x.status]), [[OTTO.email, 'nak', 'verified']]);
    assert.deepEqual(found(kept.story)[0].evidence, ['otto-nak@x']);
  }), { numRuns: 30 });
});

test('"applied" for a sibling series is cut; the sibling\'s own "applied" stays', async () => {
  const material = await week();
  const lie = `${MAX.name} applied the ${MAIN} series.`;
  const out = verifyWithClaims(story(para(lie)), material);
  assert.equal(prose(out.story), '');
  assert.match(found(out.story)[0].note ?? '', /another series|neither answers nor names/);
  for (const passive of [`The ${MAIN} series was applied.`, `The ${MAIN} series landed in the block tree.`]) {
    const p = verifyWithClaims(story(para(`Something. ${passive}`)), material);
    assert.ok(!prose(p.story).includes(passive), passive);
  }
  const truth = `${MAX.name} applied the ${SIBLING} series.`;
  const kept = verifyWithClaims(story(para(truth)), material);
  assert.equal(prose(kept.story), truth);
  assert.equal(found(kept.story)[0].status, 'verified');
});

test('"Y agreed" when the agreement is inside text Y quoted is cut; Y\'s own agreement stays', async () => {
  for (const [quoted, own] of [['Looks good to me.', 'I still think the lock is needed.'], ['Sounds good.', 'Why not a mutex?'], ['I agree with this approach.', 'I have not looked at the error path.']]) {
    const hostile = await materialOf([
      ...series(1, MAIN, 'm'),
      mail('otto@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, `${quoted}\n`, 'm-v1-1@x'),
      mail('rita@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, `On Tue, Otto Other wrote:\n> ${quoted}\n\n${own}\n`, 'otto@x'),
    ]);
    for (const verb of ['agreed', 'backed the patch', 'was in favour', 'endorsed it', 'supported the change']) {
      const out = verifyWithClaims(story(para(`${RITA.name} ${verb}.`)), hostile);
      assert.equal(prose(out.story), '', `${verb} / ${quoted}`);
      const control = verifyWithClaims(story(para(`${OTTO.name} ${verb}.`)), hostile);
      assert.equal(prose(control.story), `${OTTO.name} ${verb}.`, `${verb} / ${quoted}`);
    }
  }
});

test('a NAK on v3 and approval of v4: "Y NAKed the series" becomes what happened', async () => {
  const material = await materialOf([
    ...series(3, MAIN, 'm'),
    mail('rita-nak@x', RITA, `Re: [PATCH v3 1/1] ${MAIN}`, 'NAK, the frobnicator must keep its lock.\n', 'm-v3-1@x'),
    ...series(4, MAIN, 'm'),
    mail('rita-ok@x', RITA, `Re: [PATCH v4 0/1] ${MAIN}`, 'And now I like the solution, thanks!\n', 'm-v4-0@x'),
  ]);
  const out = verifyWithClaims(story(para(`Ada posted two versions. ${RITA.name} NAKed the series.`)), material);
  const text = prose(out.story);
  assert.ok(!text.includes('NAKed the series'), text);
  assert.match(text, /NAKed version 3; version 4 answered the objection, and Rita Reviewer approved it\./);
  assert.equal(found(out.story)[0].status, 'softened');
});

test('a claim in a relative clause is the claim of the name before it', async () => {
  const material = await week();
  assert.equal(prose(verifyWithClaims(story(para(`Ada posted a patch. ${RITA.name}, who NAKed the patch, was not alone.`)), material).story), 'Ada posted a patch.');
  const truth = `${OTTO.name}, who NAKed the patch, was not alone.`;
  assert.equal(prose(verifyWithClaims(story(para(`Ada posted a patch. ${truth}`)), material).story), `Ada posted a patch. ${truth}`);
});

test('names not in the thread, and people named by role, fail closed', async () => {
  const material = await week();
  for (const s of ['Linus Torvalds NAKed the patch.', 'Greg merged it.', 'The maintainer applied the series.', 'A reviewer acked it.', 'He NAKed it.']) {
    const out = verifyWithClaims(story(para(`Ada posted a patch. ${s}`)), material);
    assert.equal(prose(out.story), 'Ada posted a patch.', s);
    // Quote verification may already cut a stranger's full name; what the prose pass found, it removed.
    assert.ok(found(out.story).every((c) => c.status === 'removed'), s);
  }
  // A pronoun is the person just named: true of Otto, so it stays.
  const kept = verifyWithClaims(story(para(`${OTTO.name} read the patch. He NAKed it.`)), material);
  assert.equal(prose(kept.story), `${OTTO.name} read the patch. He NAKed it.`);
});

test('a claim sentence beside a quote is checked; the quote stays when only the claim is false', async () => {
  const material = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('rita@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, 'The frobnicator needs the lock for the slow path anyway.\n', 'm-v1-1@x'),
  ]);
  const said = 'The frobnicator needs the lock for the slow path anyway.';
  const q = quote(said, RITA, 'rita@x');
  // A claim hidden after the quote: cut, the quote kept.
  const out = verifyWithClaims(story(para(`${RITA.name} said, "${said}" ${MAX.name} then applied the patch.`, [q])), material);
  assert.equal(prose(out.story), `${RITA.name} said, "${said}"`);
  assert.equal(out.story.paragraphs[0].quotes.length, 1);
  // A stance the quoted words do not carry: told as what she wrote.
  for (const verb of ['NAKed the patch, saying', 'disagreed', 'objected', 'agreed', 'was in favour']) {
    const told = verifyWithClaims(story(para(`${RITA.name} ${verb}, "${said}"`, [q])), material);
    assert.equal(prose(told.story), `${RITA.name} wrote, "${said}"`, verb);
    assert.equal(told.story.paragraphs[0].quotes.length, 1);
    assert.equal(found(told.story)[0].status, 'softened');
  }
  // Control: a stance the words do carry stays.
  const doubt = 'I am not convinced the slow path needs the lock at all.';
  const m2 = await materialOf([...series(1, MAIN, 'm'), mail('rita@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, `${doubt}\n`, 'm-v1-1@x')]);
  const kept = verifyWithClaims(story(para(`${RITA.name} was not convinced, "${doubt}"`, [quote(doubt, RITA, 'rita@x')])), m2);
  assert.equal(prose(kept.story), `${RITA.name} was not convinced, "${doubt}"`);
});

test('"answered" needs the message to be in reply, directly or up the thread, to the person answered', async () => {
  const answer = 'The lock is only taken on the slow path, so the fast path stays lockless.';
  const material = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('rita@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, 'Why drop the lock here?\n', 'm-v1-1@x'),
    mail('otto@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, 'Is the slow path covered?\n', 'm-v1-1@x'),
    mail('ada-to-otto@x', AUTHOR, `Re: [PATCH 1/1] ${MAIN}`, `${answer}\n`, 'otto@x'),
  ]);
  const q = quote(answer, AUTHOR, 'ada-to-otto@x');
  const hostile = verifyWithClaims(story(para(`${RITA.name} asked, "Why drop the lock here?"`, [quote('Why drop the lock here?', RITA, 'rita@x')]), para(`${AUTHOR.name} answered, "${answer}"`, [q])), material);
  assert.equal(hostile.story.paragraphs[1].text, `${AUTHOR.name} wrote, "${answer}"`);
  const named = verifyWithClaims(story(para(`${AUTHOR.name} replied to ${RITA.name}, "${answer}"`, [q])), material);
  assert.equal(named.story.paragraphs[0].text, `${AUTHOR.name} wrote, "${answer}"`);
  // Control: the answer to Otto, told as such.
  const truth = verifyWithClaims(story(para(`${OTTO.name} asked, "Is the slow path covered?"`, [quote('Is the slow path covered?', OTTO, 'otto@x')]), para(`${AUTHOR.name} answered, "${answer}"`, [q])), material);
  assert.equal(truth.story.paragraphs[1].text, `${AUTHOR.name} answered, "${answer}"`);
  assert.equal(found(truth.story).find((c) => c.what === 'answers')?.status, 'verified');
});

test('an objection is a stance stated in reply, not a question and not the poster\'s own posting', async () => {
  const material = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('rita@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, 'Is this not the wrong approach?\n', 'm-v1-1@x'),
    mail('otto@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, 'I disagree: this is the wrong approach, the lock protects the slow path.\n', 'm-v1-1@x'),
  ]);
  assert.equal(prose(verifyWithClaims(story(para(`${RITA.name} objected.`)), material).story), '');
  assert.equal(prose(verifyWithClaims(story(para(`${AUTHOR.name} pushed back.`)), material).story), '');
  assert.equal(prose(verifyWithClaims(story(para(`${OTTO.name} objected.`)), material).story), `${OTTO.name} objected.`);
  assert.equal(prose(verifyWithClaims(story(para(`${RITA.name} asked about the approach.`)), material).story), `${RITA.name} asked about the approach.`);
});

test('the names after a preposition are its object: "Replying to X, Y objected" is Y\'s claim, not X\'s', async () => {
  const material = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('rita@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, 'Is this not the wrong approach?\n', 'm-v1-1@x'),
    mail('otto@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, 'I disagree: this is the wrong approach, the lock protects the slow path.\n', 'rita@x'),
  ]);
  // Otto objected (his own words), Rita only asked: who the sentence is about decides.
  const otto = verifyWithClaims(story(para('Replying to Rita, Otto objected.')), material);
  assert.equal(prose(otto.story), 'Replying to Rita, Otto objected.');
  assert.deepEqual(found(otto.story).map((c) => c.who?.email), [OTTO.email]);
  assert.equal(prose(verifyWithClaims(story(para('Replying to Otto, Rita objected.')), material).story), '');
  assert.equal(prose(verifyWithClaims(story(para(`In a reply to ${OTTO.name}, ${RITA.name} objected.`)), material).story), '');
});

let fake: FakeOpenAI;
before(async () => { fake = await startFakeOpenAI(); });
after(() => fake.close());

test('model path: prose claims the model did not declare are checked like the offline drafter\'s (real local OpenAI-compatible server)', async () => {
  const material = await week();
  const ref = (id: string) => material.byId.get(id)!.ref;
  const nak = 'NAK, this breaks every caller that holds the queue lock.';
  const answer = JSON.stringify({
    headline: 'Frobnicator Goes Lockless',
    paragraphs: [
      { text: `Ada Author posted a patch to make the frobnicator lockless. ${OTTO.name} NAKed it, "${nak}"`, quotes: [{ text: nak, author: OTTO, message: ref('otto-nak@x') }], claims: [] },
      // Undeclared and false: Rita only acked; Max applied the sibling series; nobody named "Linus" wrote.
      { text: `${RITA.name} NAKed the patch as well. ${MAX.name} said the patches had been applied to the block tree. Linus Torvalds merged it.`, quotes: [], claims: [] },
      { text: `${RITA.name} acked the patch.`, quotes: [], claims: [] },
    ],
  });
  fake.reply = () => ({ content: answer });
  const drafter = new ModelDrafter(parseDraftConfig({ apiKey: 'test-key', model: 'test-model', inputUsdPerMTok: 2, outputUsdPerMTok: 8 }), { client: fake.client({ maxRetries: 0 }), cache: new MemoryResponseCache() });
  const d = await draftTopic(material, { model: drafter });
  assert.equal(d.drafter, 'model');
  const text = prose(d.story);
  assert.ok(text.includes(`${OTTO.name} NAKed it, "${nak}"`), text);
  assert.ok(text.includes(`${RITA.name} acked the patch.`), text);
  for (const lie of ['NAKed the patch as well', 'had been applied', 'Linus Torvalds']) assert.ok(!text.includes(lie), `${lie}: ${text}`);
  // (The stranger's sentence is cut by quote verification, before the claim check sees it.)
  const statuses = found(d.story).map((c) => `${c.who.name} ${c.what} ${c.status}`).sort();
  assert.deepEqual(statuses, [`${MAX.name} applied removed`, `${OTTO.name} nak verified`, `${RITA.name} ack verified`, `${RITA.name} nak removed`].sort());
  assert.deepEqual(d.claims, { claims: 4, verified: 2, softened: 0, removed: 2 });
  // The editor is told why each was removed.
  assert.match(found(d.story).find((c) => c.what === 'applied')?.note ?? '', /another series/);
  assert.match(found(d.story).find((c) => c.what === 'nak' && c.status === 'removed')?.note ?? '', /sent no NAK/);
});

test('a stance on the work must answer the work or its author; a stance told with a quote is read where the quote stands', async () => {
  const view = 'The fast path never takes the lock, so the slow path can keep it.';
  const material = await materialOf([
    ...series(1, MAIN, 'm'),
    mail('otto@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, 'Could the fast path race with the slow path?\n', 'm-v1-1@x'),
    // Rita answers Otto, not the patch: she argues with him, she asks nothing of the work.
    mail('rita-to-otto@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, `No, you should read the slow path again.\n\n${view}\n`, 'otto@x'),
    mail('rita-to-patch@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, 'We should keep the lock instead of dropping it here.\n', 'm-v1-1@x'),
  ]);
  const toOtto = quote(view, RITA, 'rita-to-otto@x');
  const retort = 'No, you should read the slow path again.';
  const out = verifyWithClaims(story(para(`${RITA.name} wanted it done differently, "${retort}"`, [quote(retort, RITA, 'rita-to-otto@x')])), material);
  assert.equal(prose(out.story), `${RITA.name} wrote, "${retort}"`);
  // The same words as a suggestion to Otto are one.
  const toHim = verifyWithClaims(story(para(`${RITA.name} suggested, "${retort}"`, [quote(retort, RITA, 'rita-to-otto@x')])), material);
  assert.equal(prose(toHim.story), `${RITA.name} suggested, "${retort}"`);
  // "suggested": the request ("you should") is in another paragraph of that message, not where the quote stands.
  const suggested = verifyWithClaims(story(para(`${RITA.name} suggested, "${view}"`, [toOtto])), material);
  assert.equal(prose(suggested.story), `${RITA.name} wrote, "${view}"`);
  // Control: her words to the patch ask for it to be done differently.
  const ask = 'We should keep the lock instead of dropping it here.';
  const kept = verifyWithClaims(story(para(`${RITA.name} wanted it done differently, "${ask}"`, [quote(ask, RITA, 'rita-to-patch@x')])), material);
  assert.equal(prose(kept.story), `${RITA.name} wanted it done differently, "${ask}"`);
});
