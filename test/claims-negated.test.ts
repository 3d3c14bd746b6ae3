/**
 * Denials and "nobody" in a story's prose are claims too: "Otto did not object", "No one had raised
 * an objection", "the series was not applied", "there were no objections". Each is held to the mail
 * the way its positive is: false (the mail shows it) and the sentence goes; true and it stays. The
 * mail is written here by hand (Rita acks, Otto NAKs, Max applies only the sibling series); every
 * expectation is read from it, and each hostile sentence has an honest control in the other week.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyWithClaims } from '../lambdas/claims/stage.js';
import type { Paragraph, Story } from '../lambdas/model.js';
import { MAIN, MAINTAINER as MAX, OTHER as OTTO, REVIEWER as RITA, SIBLING, addr, mail, materialOf, series } from './claims-week.js';

const story = (text: string): Story => ({ topicId: 't', headline: 'H', paragraphs: [{ text, quotes: [] } as Paragraph] });
const prose = (s: Story) => s.paragraphs.map((p) => p.text).join(' ');
const found = (s: Story) => s.paragraphs.flatMap((p) => p.claims ?? []).filter((c) => c.found === 'prose');

/** Rita acked the patch; Otto NAKed it; Max applied the sibling series only. */
const contested = () => materialOf([
  ...series(1, MAIN, 'm'), ...series(1, SIBLING, 's'),
  mail('rita-ack@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, `Looks fine to me.\n\nAcked-by: ${addr(RITA)}\n`, 'm-v1-1@x'),
  mail('otto-nak@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, 'NAK, this breaks every caller that holds the queue lock.\n', 'm-v1-1@x'),
  mail('max-applied@x', MAX, `Re: [PATCH 0/1] ${SIBLING}`, 'Applied to the block tree, thanks!\n', 's-v1-0@x'),
]);
/** The same patch, only Rita's ack: nobody objected, nothing was applied. */
const quiet = () => materialOf([
  ...series(1, MAIN, 'm'),
  mail('rita-ack@x', RITA, `Re: [PATCH 1/1] ${MAIN}`, `Looks fine to me.\n\nAcked-by: ${addr(RITA)}\n`, 'm-v1-1@x'),
]);

const NOBODY_OBJECTED = [
  'No one had raised an objection by the end of the week.',
  'Nobody objected.',
  'None of the reviewers pushed back.',
  'There were no objections.',
  'The patch went unopposed.',
  'No one NAKed it.',
];

test('"nobody objected", in several forms, is cut when someone NAKed, and stays when nobody did', async () => {
  const [hot, calm] = [await contested(), await quiet()];
  for (const sentence of NOBODY_OBJECTED) {
    const out = verifyWithClaims(story(`Ada posted a patch. ${sentence}`), hot);
    assert.equal(prose(out.story), 'Ada posted a patch.', sentence);
    const claim = found(out.story).find((c) => c.negated);
    assert.equal(claim?.status, 'removed', sentence);
    assert.equal(claim?.who.name, 'no one');
    assert.match(claim?.note ?? '', /Otto Other/, 'the note names who did object');
    const kept = verifyWithClaims(story(`Ada posted a patch. ${sentence}`), calm);
    assert.equal(prose(kept.story), `Ada posted a patch. ${sentence}`, `control: ${sentence}`);
    assert.equal(found(kept.story).find((c) => c.negated)?.status, 'verified', sentence);
  }
});

test('"X did not object" is cut for the one who NAKed, kept for the one who acked', async () => {
  const material = await contested();
  for (const denial of ['did not object', "didn't object", 'never objected', 'did not NAK the patch', 'had not pushed back']) {
    const lie = `${OTTO.name} ${denial}.`;
    const out = verifyWithClaims(story(`Ada posted a patch. ${lie}`), material);
    assert.equal(prose(out.story), 'Ada posted a patch.', lie);
    const truth = `${RITA.name} ${denial}.`;
    const kept = verifyWithClaims(story(`Ada posted a patch. ${truth}`), material);
    assert.equal(prose(kept.story), `Ada posted a patch. ${truth}`, truth);
    assert.deepEqual(found(kept.story).map((c) => [c.who.email, c.negated, c.status]), [[RITA.email, true, 'verified']]);
  }
});

test('"was not applied" is checked as a denial, not as "was applied"', async () => {
  const material = await contested();
  // Max applied the sibling series: denying that is false; the main series was applied by nobody.
  const lie = `The ${SIBLING} series was not applied.`;
  assert.equal(prose(verifyWithClaims(story(`Ada posted two series. ${lie}`), material).story), 'Ada posted two series.');
  const truth = `${MAX.name} did not apply the ${MAIN} series.`;
  assert.equal(prose(verifyWithClaims(story(`Ada posted two series. ${truth}`), material).story), `Ada posted two series. ${truth}`);
});

test('a name that merely ends in "nt" is no denial, and "had no objections" is the person\'s own stance', async () => {
  const material = await contested();
  // "Otto Other objected" is true; a denial misread from letters in a word would cut it.
  assert.equal(prose(verifyWithClaims(story(`${OTTO.name} objected.`), material).story), `${OTTO.name} objected.`);
  const claims = found(verifyWithClaims(story(`${RITA.name} said she had no objections.`), material).story);
  assert.ok(!claims.some((c) => c.negated), JSON.stringify(claims));
});

test('a reply opening with a flat "No." and its reasons is an objection; "No, that\'s fine" and "No. It works as is." are not', async () => {
  const week = (body: string) => materialOf([...series(1, MAIN, 'm'), mail('otto-no@x', OTTO, `Re: [PATCH 1/1] ${MAIN}`, body, 'm-v1-1@x')]);
  const rejecting = await week('No. This is exactly the kind of heuristic that looks good on one benchmark and then makes everybody else slower.\n');
  assert.equal(prose(verifyWithClaims(story('Ada posted a patch. No one had raised an objection by the end of the week.'), rejecting).story), 'Ada posted a patch.');
  assert.equal(prose(verifyWithClaims(story('Ada posted a patch. Otto Other objected.'), rejecting).story), 'Ada posted a patch. Otto Other objected.');
  for (const body of ["No, that's fine as it is, the caller holds the lock.\n", 'No. It works as is, the caller holds the lock already.\n']) {
    const calm = await week(body);
    assert.equal(prose(verifyWithClaims(story('Ada posted a patch. No one had raised an objection by the end of the week.'), calm).story), 'Ada posted a patch. No one had raised an objection by the end of the week.', body);
  }
});
