/**
 * The signals an editor reads, on small hand-written threads shaped like real kernel mail: a
 * revert argued point by point by two tree owners, a plain fix, a pull request the mainline
 * maintainer questions, and a long routine review. Expectations are an editor's, not the code's.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { score } from '../lambdas/topics/rank.js';
import { message, mboxrd, sampleMbox, tempDir } from './helpers.js';

const TGLX = 'Thomas Gleixner <tglx@example.org>';
const PETERZ = 'Peter Zijlstra <peterz@example.org>';
const LINUS = 'Linus Torvalds <torvalds@linux-foundation.org>';
const date = (day: number, hour: number) => `${['Mon', 'Tue', 'Wed', 'Thu', 'Fri'][day - 5]}, ${day} Jan 2026 ${String(hour).padStart(2, '0')}:00:00 +0000`;
const reply = (to: string, refs: string[]) => ({ 'In-Reply-To': `<${to}>`, References: refs.map((r) => `<${r}>`).join(' ') });
const quote = (lines: string[]) => lines.map((l) => `> ${l}`).join('\n');

const revertBody = `This reverts commit 0123456789ab ("sched: fix wakeup latency").

The change makes wakeups on idle CPUs take a slow path. On a 64-CPU machine
hackbench loses 20% and the latency of a pinned RT task doubles.

Signed-off-by: Jane Dev <jane@example.org>
---
 kernel/sched/core.c | 4 ++--
 1 file changed, 2 insertions(+), 2 deletions(-)

diff --git a/kernel/sched/core.c b/kernel/sched/core.c
--- a/kernel/sched/core.c
+++ b/kernel/sched/core.c
@@ -10,7 +10,7 @@
-	if (idle_cpu(cpu))
+	if (available_idle_cpu(cpu))
 		return cpu;
-	return -1;
+	return cpu_of(rq);
`;

const rebuttal = (who: string, points: string[]) => points.map((p, i) => `${quote([`The point number ${i + 1} made earlier in this thread about wakeups,`, `latency, idle CPUs and what the benchmark really measures here.`, `It is quoted so that the answer can follow it line by line.`])}\n\n${p}`).join('\n\n') + `\n\n${who}\n`;

const points = [
  'That is simply not what the numbers show. The regression is in the benchmark setup and not in the scheduler change itself, as the profile makes clear.',
  'The slow path is taken only when the target runqueue is busy, which is exactly the case the original commit was written for, so reverting it brings back the old bug. We spent two releases getting rid of that bug.',
  'If you want to argue about RT latency then measure it with cyclictest on an isolated CPU, not with hackbench on a loaded machine, because that measures something else entirely.',
  'So no, I do not want this reverted. Fix the benchmark or send a patch that addresses the specific case, and we can look at that on its own merits.',
];
const counterpoints = [
  'I disagree with that reading of the profile. The time goes into the new check itself, and it shows up on every machine we tried, not only the big one. The numbers are in the changelog of the revert.',
  'The old bug was a rare starvation case that nobody reported in two years, while this regression hits every distribution kernel that runs the common workloads.',
  'Cyclictest on an isolated CPU hides exactly the problem, because the isolated CPU never takes the slow path; the users who complain do not isolate anything.',
  'A revert now and a better fix for the next cycle is the usual way to handle this, and I do not see why this case should be any different from the others.',
];

function threads(): string[] {
  const r0 = 'revert-0@example.org';
  const fix0 = 'fix-0@example.org';
  const pull0 = 'pull-0@example.org';
  const review0 = 'review-0@example.org';
  const mail = [
    // A revert, argued at length by two tree owners.
    message(r0, revertBody, { From: 'Jane Dev <jane@example.org>', Subject: '[PATCH] Revert "sched: fix wakeup latency"', Date: date(6, 9), To: 'linux-kernel@vger.kernel.org' }),
    message('revert-1@example.org', rebuttal('Thomas', points), { From: TGLX, Subject: 'Re: [PATCH] Revert "sched: fix wakeup latency"', Date: date(6, 11), ...reply(r0, [r0]) }),
    message('revert-2@example.org', rebuttal('Peter', counterpoints), { From: PETERZ, Subject: 'Re: [PATCH] Revert "sched: fix wakeup latency"', Date: date(6, 13), ...reply('revert-1@example.org', [r0, 'revert-1@example.org']) }),
    message('revert-3@example.org', rebuttal('Thomas', points), { From: TGLX, Subject: 'Re: [PATCH] Revert "sched: fix wakeup latency"', Date: date(6, 15), ...reply('revert-2@example.org', [r0, 'revert-1@example.org', 'revert-2@example.org']) }),
    // A plain fix: a patch, a review tag, "applied".
    message(fix0, revertBody.replace('This reverts commit 0123456789ab ("sched: fix wakeup latency").', 'Account the wakeup latency of the idle path too.'), { From: 'Bob Dev <bob@example.org>', Subject: '[PATCH] sched: fix wakeup latency accounting', Date: date(7, 9), To: 'linux-kernel@vger.kernel.org' }),
    message('fix-1@example.org', `${quote(['Account the wakeup latency of the idle path too.'])}\n\nReviewed-by: Carol Dev <carol@example.org>\n`, { From: 'Carol Dev <carol@example.org>', Subject: 'Re: [PATCH] sched: fix wakeup latency accounting', Date: date(7, 10), ...reply(fix0, [fix0]) }),
    message('fix-2@example.org', `${quote(['Account the wakeup latency of the idle path too.'])}\n\nApplied, thanks.\n`, { From: 'Dave Dev <dave@example.org>', Subject: 'Re: [PATCH] sched: fix wakeup latency accounting', Date: date(7, 11), ...reply(fix0, [fix0]) }),
    // A short pull request the mainline maintainer questions.
    message(pull0, 'Hi Linus,\n\nPlease pull these widget fixes for 6.19-rc5. They fix a crash on resume and a leak in the probe path.\n\nThanks,\nMaria\n', { From: 'Maria Maintainer <maria@example.org>', Subject: '[GIT PULL] widget fixes for 6.19-rc5', Date: date(8, 9), To: 'linux-kernel@vger.kernel.org' }),
    message('pull-1@example.org', `${quote(['Please pull these widget fixes for 6.19-rc5.'])}\n\nThese are not fixes. Half of this is a new feature and a rework of the probe path that has not been in linux-next at all. I don't think this belongs in an -rc pull, and I'm not going to pull it as is. Send me the two real fixes and keep the rest for the merge window.\n\n            Linus\n`, { From: LINUS, Subject: 'Re: [GIT PULL] widget fixes for 6.19-rc5', Date: date(8, 12), ...reply(pull0, [pull0]) }),
  ];
  // The same long point-by-point text, written as the first answer to a patch: a review of its code.
  const rework0 = 'rework-0@example.org';
  mail.push(message(rework0, revertBody.replace('This reverts commit 0123456789ab ("sched: fix wakeup latency").', 'Take the idle path only when the runqueue is really idle.'), { From: 'Gina Dev <gina@example.org>', Subject: '[PATCH] sched: rework idle CPU selection', Date: date(7, 14), To: 'linux-kernel@vger.kernel.org' }));
  mail.push(message('rework-1@example.org', rebuttal('Ingo', points), { From: 'Ingo Molnar <mingo@example.org>', Subject: 'Re: [PATCH] sched: rework idle CPU selection', Date: date(7, 16), ...reply(rework0, [rework0]) }));
  // A long, friendly review of a helper between two people: volume, not news.
  mail.push(message(review0, 'Add a helper that parses a size with a suffix and reports errors, so that callers stop open-coding the checks.\n\nSigned-off-by: Eve Dev <eve@example.org>\n---\n lib/parse.c | 20 ++++++++++++++++++++\n', { From: 'Eve Dev <eve@example.org>', Subject: '[PATCH v3 1/2] lib: add a helper to parse sizes', Date: date(9, 9), To: 'linux-kernel@vger.kernel.org' }));
  let parent = review0;
  const refs = [review0];
  for (let i = 1; i <= 9; i++) {
    const id = `review-${i}@example.org`;
    const from = i % 2 ? 'Frank Dev <frank@example.org>' : 'Eve Dev <eve@example.org>';
    mail.push(message(id, `${quote(['Add a helper that parses a size with a suffix and reports errors.'])}\n\nThe name of the helper could be shorter, and the kernel-doc comment should say what happens on overflow. Also the second patch could use the helper in one more place in the same file, round ${i}.\n`, { From: from, Subject: 'Re: [PATCH v3 1/2] lib: add a helper to parse sizes', Date: date(9, 9 + i), ...reply(parent, refs) }));
    parent = id;
    refs.push(id);
  }
  return mail;
}

let analysis: WeekAnalysis;
let topics: Topic[];
before(async () => {
  const file = path.join(tempDir(), 'signals.mbox');
  fs.writeFileSync(file, mboxrd(threads()));
  analysis = await analyseMboxFile(file);
  topics = buildTopics(analysis, { week: '2026-W02' });
});

const topicOf = (subject: RegExp) => {
  const thread = analysis.threads.find((t) => subject.test(t.subject));
  assert.ok(thread, `no thread ${subject}`);
  const rank = topics.findIndex((t) => t.threadIds.includes(thread.id));
  return { topic: topics[rank], rank };
};
const list = (t: Topic, key: string) => (t.features[key] ?? []) as string[];

test('a revert argued point by point by two tree owners is news, not a routine fix', () => {
  const revert = topicOf(/Revert "sched: fix wakeup latency"/);
  const fix = topicOf(/sched: fix wakeup latency accounting/);
  assert.ok(list(revert.topic, 'angles').includes('revert'), list(revert.topic, 'angles').join());
  assert.ok(list(revert.topic, 'angles').includes('tree owners argue'));
  assert.ok(!list(revert.topic, 'routine').includes('bug fix'), 'an argued revert is not a routine fix');
  assert.ok(revert.topic.reasons.some((r) => /answered point by point/.test(r)), revert.topic.reasons.join('; '));
  assert.ok(revert.topic.reasons.includes('revert'));
  // The plain fix stays routine, and below.
  assert.ok(list(fix.topic, 'routine').includes('bug fix'), list(fix.topic, 'routine').join());
  assert.ok(revert.rank < fix.rank);
  // Titles: no tags, the angle when there is one.
  assert.equal(revert.topic.title, 'Revert "sched: fix wakeup latency"; Peter Zijlstra objects');
  assert.equal(fix.topic.title, 'sched: fix wakeup latency accounting');
});

test('a short pull request the mainline maintainer questions outranks a long routine review', () => {
  const pull = topicOf(/\[GIT PULL\] widget fixes/);
  const review = topicOf(/lib: add a helper to parse sizes/);
  assert.equal(pull.topic.messageIds.length, 2);
  assert.equal(review.topic.messageIds.length, 10);
  assert.ok(list(pull.topic, 'angles').includes('pull request questioned'));
  assert.deepEqual(list(pull.topic, 'gatekeepers'), ['Linus Torvalds']);
  assert.ok(pull.topic.reasons.some((r) => /Linus Torvalds \(who takes trees into mainline\) took part/.test(r)), pull.topic.reasons.join('; '));
  assert.ok(pull.rank < review.rank, `pull #${pull.rank + 1}, review #${review.rank + 1}`);
  assert.equal(pull.topic.title, 'widget fixes for 6.19-rc5; Linus Torvalds questions the pull');
  assert.equal(review.topic.title, 'lib: add a helper to parse sizes');
});

test('titles on the sample week carry no subject tags, reply markers or version notes', async () => {
  const sample = await analyseMboxFile(sampleMbox);
  for (const t of buildTopics(sample, { week: '2026-W02' })) {
    assert.ok(!/^\s*\[|\[(PATCH|RFC)\b|^\s*re:|\bv\d+\s*$/i.test(t.title), t.title);
    assert.ok(t.title.length <= 160, t.title);
  }
});

test('senior names do not make a bikeshed a story: with nothing at stake, the mainline maintainer and two tree owners weigh less than a security fix', () => {
  // Four people discuss in each; one is a return-convention argument over a small helper, the other an information leak.
  const common = { threads: 1, messages: 14, postings: 2, replies: 12, substantiveReplies: 8, tagOnlyReplies: 0, participants: 5, discussants: 4, longestExchange: 3, lists: 2, routine: [], decisions: [] };
  const bikeshed = score({ ...common, gatekeepers: ['Mainline Maintainer'], treeOwners: ['Owner One', 'Owner Two'], seniorDiscussants: ['Mainline Maintainer', 'Owner One', 'Owner Two'], novelty: ['first version'], policy: [], angles: [], rebutters: 0, atStake: false });
  const leak = score({ ...common, gatekeepers: [], treeOwners: ['Owner One'], seniorDiscussants: ['Owner One'], novelty: [], policy: ['security'], angles: [], rebutters: 0, atStake: true });
  assert.ok(leak > bikeshed, `security fix ${leak} should outrank the bikeshed ${bikeshed}`);
});

test('a long point-by-point answer to a patch is a review of it; answers to each other\'s answers are the heat', () => {
  // By hand: in the revert thread Thomas's first answer replies to the revert patch itself (its
  // diff), Peter's answers Thomas and Thomas's second answers Peter: two rebuttals. Ingo's answer
  // to the rework patch is the same text, under the patch: a review, no rebuttal.
  assert.equal(topicOf(/Revert "sched: fix wakeup latency"/).topic.features.rebuttals, 2);
  assert.equal(topicOf(/sched: rework idle CPU selection/).topic.features.rebuttals, 0);
});
