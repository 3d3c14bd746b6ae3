/**
 * Positions and outcomes from hand-written threads (people and subjects invented; the bodies go
 * through the real body splitter, so quoted text is what the parser says it is). Expectations are
 * what a reader of each thread would say happened, written down before looking at the code's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitBody } from '../lambdas/parse/body.js';
import type { Person, Topic } from '../lambdas/model.js';
import type { MaterialMessage, TopicMaterial } from '../lambdas/verify/material.js';
import { threadPositions } from '../lambdas/draft/positions.js';
import { offlineStory } from '../lambdas/draft/offline.js';
import { verifyStory } from '../lambdas/verify/verify.js';
import { headlineProblems } from '../lambdas/draft/headline-rules.js';
import { quoteCandidates } from '../lambdas/draft/sentences.js';

const alice: Person = { name: 'Alice Quarrel', email: 'alice@example.org' };
const bruno: Person = { name: 'Bruno Stern', email: 'bruno@example.org' };
const chen: Person = { name: 'Chen Maintainer', email: 'chen@example.org' };
const dora: Person = { name: 'Dora Helper', email: 'dora@example.org' };

let seq = 0;
function mail(from: Person, subject: string, day: number, body: string, inReplyTo?: string): MaterialMessage {
  const b = splitBody(body);
  const id = `m${++seq}@example.org`;
  return {
    messageId: id, ref: `m${seq}`, from, date: `2026-01-${String(5 + day).padStart(2, '0')}T10:00:00.000Z`, subject, url: `https://lore.kernel.org/r/${id}`,
    inReplyTo, own: b.own, trailers: b.trailers, diffstat: b.diffstat, files: b.files, hasPatch: b.patch.trim().length > 0, naks: b.naks,
  };
}

function materialOf(messages: MaterialMessage[]): TopicMaterial {
  const people = [...new Map(messages.map((m) => [m.from.email, m.from])).values()];
  const topic: Topic = {
    id: 't1', title: messages[0].subject, score: 1, reasons: [], features: {}, threadIds: ['thread-1'],
    messageIds: messages.map((m) => m.messageId), participants: people, followUpOf: null,
  };
  return { topic, messages, byId: new Map(messages.map((m) => [m.messageId, m])), participants: people, weekPeople: people };
}

const PROPOSAL = 'Hi,\n\nThis series moves the frobnicator into a workqueue because holding the global lock during writeback stalls every other writer on the system.\nWith this change, the latency of small writes drops by half in our testing.\n\nAlice Quarrel (2):\n  foo: split the lock\n  foo: defer frobnication\n';
const SUBJECT_V1 = '[PATCH 0/2] foo: defer frobnication to a workqueue';
const SUBJECT_V2 = '[PATCH v2 0/2] foo: defer frobnication to a workqueue';

test('a NAK quoted in a reply is not the replier\'s NAK; the NAK-er is the one who wrote it', () => {
  const cover = mail(alice, SUBJECT_V1, 0, PROPOSAL);
  const nak = mail(bruno, `Re: ${SUBJECT_V1}`, 1, 'On Mon, Alice Quarrel wrote:\n> This series moves the frobnicator into a workqueue.\n\nNAK. Deferring this work means that a crash between the two steps leaves the filesystem inconsistent, which is worse than any stall.\n', cover.messageId);
  const quoting = mail(dora, `Re: ${SUBJECT_V1}`, 2, 'On Tue, Bruno Stern wrote:\n> NAK. Deferring this work means trouble.\n\nI think the crash case can be handled by journaling the deferred state before the lock is dropped.\n', nak.messageId);
  const forwarded = mail(chen, `Re: ${SUBJECT_V1}`, 2, 'Collecting the tags from the earlier posting here so that they do not get lost.\n\nNacked-by: Bruno Stern <bruno@example.org>\n', cover.messageId);
  const pos = threadPositions(materialOf([cover, nak, quoting, forwarded]));
  const naks = pos.facts.filter((f) => f.what === 'nak');
  assert.deepEqual(naks.map((f) => f.who.email), ['bruno@example.org']);
  assert.deepEqual(naks[0].evidence, [nak.messageId]);
  assert.equal(pos.outcome, 'naked');

  const material = materialOf([cover, nak, quoting]);
  const story = offlineStory(material);
  assert.match(story.headline, /^Stern NAKs /);
  assert.deepEqual(headlineProblems(story.headline, material.messages.map((m) => m.subject)), []);
  const claims = story.paragraphs.flatMap((p) => (p.claims ?? []).map((c) => ({ c, p })));
  const nakClaim = claims.find(({ c }) => c.what === 'nak');
  assert.ok(nakClaim, 'the NAK is a claim');
  assert.equal(nakClaim.c.who.email, 'bruno@example.org');
  assert.ok(nakClaim.p.text.includes(nakClaim.c.sentence), 'the claim\'s sentence stands in its paragraph');
  assert.ok(!claims.some(({ c }) => c.what === 'nak' && c.who.email === 'dora@example.org'));
});

test('a Reviewed-by given in a reply to another reviewer is not a review of the patch', () => {
  const cover = mail(alice, SUBJECT_V1, 0, PROPOSAL);
  const review = mail(bruno, `Re: ${SUBJECT_V1}`, 1, 'Looks good to me, the lock split is exactly what I had in mind for this path.\n\nReviewed-by: Bruno Stern <bruno@example.org>\n', cover.messageId);
  const aside = mail(dora, `Re: ${SUBJECT_V1}`, 1, 'Agreed with Bruno on the lock split, it makes the writeback path much easier to follow.\n\nReviewed-by: Dora Helper <dora@example.org>\n', review.messageId);
  const forwarded = mail(chen, `Re: ${SUBJECT_V1}`, 2, 'Picking up the tag from the earlier thread so it is not lost.\n\nReviewed-by: Bruno Stern <bruno@example.org>\n', cover.messageId);
  const pos = threadPositions(materialOf([cover, review, aside, forwarded]));
  const reviewers = pos.facts.filter((f) => f.what === 'review').map((f) => f.who.email);
  assert.deepEqual(reviewers, ['bruno@example.org'], 'Dora answered Bruno, not the patch; Chen passed on someone else\'s tag');
  const story = offlineStory(materialOf([cover, review, aside, forwarded]));
  const text = story.paragraphs.map((p) => p.text).join(' ');
  assert.ok(!/Dora[^.]*reviewed/.test(text), text);
});

test('a newer version posted after a NAK decides the outcome, and the headline does not say NAK', () => {
  const cover = mail(alice, SUBJECT_V1, 0, PROPOSAL);
  const nak = mail(bruno, `Re: ${SUBJECT_V1}`, 1, 'NAK, this cannot work because the workqueue may run after the inode is freed.\n', cover.messageId);
  const answer = mail(alice, `Re: ${SUBJECT_V1}`, 1, 'That is a fair point, and the next version takes an inode reference before queueing the work so that it cannot outlive the inode.\n', nak.messageId);
  const v2 = mail(alice, SUBJECT_V2, 3, PROPOSAL.replace('Hi,', 'Changes since v1: hold an inode reference.'));
  const material = materialOf([cover, nak, answer, v2]);
  const pos = threadPositions(material);
  assert.equal(pos.outcome, 'new-version-posted');
  const story = offlineStory(material);
  assert.doesNotMatch(story.headline, /NAK/);
  const text = story.paragraphs.map((p) => p.text).join(' ');
  assert.match(text, /posted version 2/);
  const posted = story.paragraphs.flatMap((p) => p.claims ?? []).find((c) => c.what === 'new-version-posted');
  assert.equal(posted?.version, 2);
  assert.deepEqual(posted?.evidence, [v2.messageId]);
  // The author's answer to the NAK is told, in her words.
  assert.ok(story.paragraphs.some((p) => p.quotes.some((q) => q.messageId === answer.messageId)));
});

test('"applied" counts only as a maintainer\'s statement; a request to apply and a promise are told as such', () => {
  const cover = mail(alice, SUBJECT_V1, 0, PROPOSAL);
  const ask = mail(dora, `Re: ${SUBJECT_V1}`, 1, 'Could you apply this for the next merge window, since distributions are already hitting the stall?\nOnce it is applied, I will rebase my cleanup series on top of it.\n', cover.messageId);
  const promise = mail(alice, `Re: ${SUBJECT_V1}`, 2, 'Thanks for looking. I will send a v2 with the comment fixed later this week.\n', ask.messageId);
  let pos = threadPositions(materialOf([cover, ask, promise]));
  assert.equal(pos.facts.filter((f) => f.what === 'applied').length, 0);
  assert.equal(pos.outcome, 'new-version-promised');
  const applied = mail(chen, `Re: ${SUBJECT_V1}`, 3, 'Applied to foo-next, thanks!\n', cover.messageId);
  pos = threadPositions(materialOf([cover, ask, promise, applied]));
  assert.deepEqual(pos.facts.filter((f) => f.what === 'applied').map((f) => f.who.email), ['chen@example.org']);
  assert.equal(pos.outcome, 'applied');
  const story = offlineStory(materialOf([cover, ask, promise, applied]));
  assert.match(story.paragraphs.map((p) => p.text).join(' '), /Chen Maintainer applied/);
});

test('quote choice: the sentence with the argument beats the procedural question and the thanks', () => {
  const own = 'Thanks for the review!\n\nWould you like me to send a v4 or should I fold this into the existing series?\n\nThe reason I kept the lock is that dropping it lets two writers race on the same extent, which corrupts the tree.';
  const best = [...quoteCandidates(own)].sort((a, b) => b.score - a.score)[0];
  assert.equal(best.text, 'The reason I kept the lock is that dropping it lets two writers race on the same extent, which corrupts the tree.');
});

test('stories from invented threads pass the verifier untouched and quote whole words only', () => {
  const cover = mail(alice, SUBJECT_V1, 0, PROPOSAL);
  const objection = mail(bruno, `Re: ${SUBJECT_V1}`, 1, 'I don\'t think a workqueue is the right tool here, because writeback already runs in a worker and this just adds a second hop.\n', cover.messageId);
  const answer = mail(alice, `Re: ${SUBJECT_V1}`, 1, 'The second hop is the point: the writeback worker holds the lock, and the new worker does not need it at all.\n', objection.messageId);
  const support = mail(dora, `Re: ${SUBJECT_V1}`, 2, 'I agree with the approach, the numbers match what we see on our large machines.\n', cover.messageId);
  const material = materialOf([cover, objection, answer, support]);
  const story = offlineStory(material);
  const result = verifyStory(story, material);
  assert.equal(result.counts.removed, 0, JSON.stringify(result.problems));
  assert.equal(result.counts.repaired, 0, JSON.stringify(result.problems));
  for (const q of story.paragraphs.flatMap((p) => p.quotes)) {
    const own = material.byId.get(q.messageId)!.own.replace(/\s+/g, ' ');
    const at = own.indexOf(q.text);
    assert.ok(at >= 0);
    assert.ok(!/\p{L}/u.test(own[at - 1] ?? ' ') && !/\p{L}/u.test(own[at + q.text.length] ?? ' '), `whole words: ${q.text}`);
  }
  const text = story.paragraphs.map((p) => p.text).join('\n');
  assert.match(text, /Bruno Stern (objected|pushed back|disagreed)/);
  assert.match(text, /Alice (countered|answered)/);
  assert.doesNotMatch(text, /back and forth|\d+ times/);
  assert.match(story.headline, /Stern/);
});

test('a short verdict reads as an objection or a fault: "was wrong", "is not a solution", "introduced a bug", "can be exploited"; curly apostrophes read as plain ones', () => {
  // Alexei Starovoitov in the shared week, on a series whose refactoring leaked a file descriptor.
  const stances = Object.fromEntries(quoteCandidates('No. The refactoring was wrong, and we have been here before with this pattern.\nPatch 3 introduced a bug and closing fd is not a solution.\nSuch a pattern can be exploited by any user to pin memory.').map((c) => [c.text, c.stance]));
  assert.equal(stances['The refactoring was wrong, and we have been here before with this pattern.'], 'objection');
  assert.equal(stances['Patch 3 introduced a bug and closing fd is not a solution.'], 'objection');
  assert.equal(stances['Such a pattern can be exploited by any user to pin memory.'], 'fault');
  // The same sentences said of something else are statements.
  const neutral = Object.fromEntries(quoteCandidates('The old refactoring introduced a cleaner split between the two helpers.\nA solution like this is what the users asked for last year.').map((c) => [c.text, c.stance]));
  assert.equal(neutral['The old refactoring introduced a cleaner split between the two helpers.'], 'statement');
  // A typographic apostrophe is the same word.
  const curly = quoteCandidates('I don\u2019t think this is the right layer for the check at all.\nYou\u2019re right, the lock is taken twice on the error path here.');
  assert.equal(curly[0].stance, 'objection');
  assert.equal(curly[1].concedes, true);
});

test('an author who answers an objection by giving ground is not said to defend the work, nor the disagreement to stand', () => {
  const subject = '[PATCH 0/2] foo: report errors through a log buffer';
  const cover = mail(alice, subject, 0, 'This series lets every command report a readable error through a log buffer, because a bare -EINVAL tells the user nothing about which argument was wrong.\n');
  const objection = mail(chen, `Re: ${subject}`, 1, 'Patch 1 introduced a bug and closing the descriptor afterwards is not a solution to it.\n', cover.messageId);
  const conceding = mail(alice, `Re: ${subject}`, 1, 'You\u2019re right, closing it after the fact does not help.\nThe correct approach is to copy the size out before the descriptor is installed, so that a failure cannot leave a half-made object behind.\n', objection.messageId);
  const story = offlineStory(materialOf([cover, objection, conceding]));
  assert.doesNotMatch(story.headline, /Defends/, story.headline);
  // Nor is the disagreement said to stand: the author gave ground.
  assert.doesNotMatch(story.paragraphs.map((p) => p.text).join(' '), /unresolved/);
  // Control: the same exchange, where the author stands firm, is a defence.
  const firm = mail(alice, `Re: ${subject}`, 1, 'The descriptor is closed before user space can see it, so nothing leaks and the copy stays where the verifier needs it.\nThe correct approach is to keep the copy after the descriptor is installed, because the size is only known then.\n', objection.messageId);
  const defended = offlineStory(materialOf([cover, objection, firm]));
  assert.match(defended.headline, /Defends/, defended.headline);
  assert.match(defended.paragraphs.map((p) => p.text).join(' '), /the disagreement was unresolved/);
});
