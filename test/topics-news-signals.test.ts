/**
 * Two signals read in the authors' own words: a performance regression reported in prose, and
 * disagreement phrased the way kernel reviewers phrase it. Sentences are taken from real mail of
 * the shared week (or the sample); the expectations are an editor's reading of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { mentionsPerformanceRegression } from '../lambdas/topics/features.js';
import { sampleMbox } from './helpers.js';

test('a performance regression told in words is one; a worry about one, or a patch that is faster, is not', () => {
  // Christoph Hellwig's cover letter, "re-enable IOCB_NOWAIT writes to files v6".
  assert.ok(mentionsPerformanceRegression(`commit 66fa3cedf16a ("fs: Add async write file modification handling.")
effectively disabled IOCB_NOWAIT writes as timestamp updates currently
always require blocking, and the modern timestamp resolution means we
always update timestamps.  This leads to a lot of context switches from
applications using io_uring to submit file writes, making it often worse
than using the legacy aio code that is not using IOCB_NOWAIT.`));
  // A block fix for PREEMPT_RT.
  assert.ok(mentionsPerformanceRegression('In RT kernel (PREEMPT_RT), commit 679b1874eba7 ("block: fix ordering between checking QUEUE_FLAG_QUIESCED request adding") causes severe performance regression on systems with multiple MSI-X interrupt vectors.'));
  // Eric Biggers' AES cover letter: a promise that nothing regresses.
  assert.ok(!mentionsPerformanceRegression('This makes it possible for users of the traditional crypto API to switch to the library API, which is generally much easier to use, without being concerned about performance regressions.'));
  assert.ok(!mentionsPerformanceRegression('I had to re-organize the structure of crypto_acomp_compress() to make sure that performance does not regress as a result of the 3 additional checks.'));
  // An optimisation measured against the old code is a patch's pitch, not a regression.
  assert.ok(!mentionsPerformanceRegression('With this change reading memory.stat takes 11% less sys time on a machine with many cgroups.'));
  // A regression with no measure of speed is the plain regression signal's business, not this one's.
  assert.ok(!mentionsPerformanceRegression('This regressed the mount of RAID1 zoned filesystems since 6.18-rc7.'));
});

test('the sample: the IOCB_NOWAIT series says which commit made writes block, and the rseq exchange between two tree owners reads as a disagreement', async () => {
  // Thomas Gleixner: "That's really a non-problem ... there is no reason to let the kernel implement
  // policy"; Mathieu Desnoyers: "The part I'm concerned with is the prctl disabling the feature".
  const analysis = await analyseMboxFile(sampleMbox);
  const topics = buildTopics(analysis, { week: '2026-W02' });
  const rseq = topics.find((t) => /time slice extension/.test(t.title));
  assert.ok(rseq);
  assert.ok(rseq.reasons.some((r) => /^\d+ messages? objecting$/.test(r)), rseq.reasons.join('; '));
  assert.ok(rseq.reasons.some((r) => / debated$/.test(r)), rseq.reasons.join('; '));
  const nowait = topics.find((t) => /IOCB_NOWAIT/.test(t.title));
  assert.ok(nowait);
  assert.ok(nowait.reasons.includes('performance regression'), nowait.reasons.join('; '));
  const aes = topics.find((t) => /AES library improvements/.test(t.title));
  assert.ok(aes);
  assert.ok(!aes.reasons.includes('performance regression'), aes.reasons.join('; '));
});
