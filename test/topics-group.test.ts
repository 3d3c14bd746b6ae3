import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { message } from './helpers.js';
import { sampleTopics, topicOfThread, topicsOf } from './topics-fixture.js';

// Which threads are one story. Expectations are read from the mail (the sample's, or messages
// written after real ones of the shared week), not from the grouping code.

let sample: WeekAnalysis;
let topics: Topic[];

before(async () => {
  ({ sample, topics } = await sampleTopics());
});

test('the sample: the LSM hook thread and the Landlock series that carries the hook as its patch 1/5 are one story', () => {
  // In the sample, "[PATCH v2 1/5] lsm: Add hook unix_path_connect" is a patch of the Landlock v2 series,
  // and the RFC of that hook was argued the same week by the same people in its own thread.
  const hook = topicOfThread(topics, sample, /^Re: \[RFC PATCH 0\/1\] lsm: Add hook unix_path_connect/);
  const series = topicOfThread(topics, sample, /^\[PATCH v2 0\/5\] landlock: Pathname-based UNIX connect\(\) control/);
  assert.equal(hook.id, series.id);
  const rfcReview = topicOfThread(topics, sample, /^Re: \[RFC PATCH 0\/5\] landlock: Pathname-based UNIX connect/);
  assert.equal(rfcReview.id, series.id);
});

test('the sample: two integrity series by the same author, on the same list, stay two stories', () => {
  // Caleb Sander Mateos posted both; one is ublk's integrity support, the other a block-layer fix.
  const ublk = topicOfThread(topics, sample, /ublk: add support for integrity data/);
  const block = topicOfThread(topics, sample, /block: zero non-PI portion of auto integrity buffer/);
  assert.notEqual(ublk.id, block.id);
  const opcode = topicOfThread(topics, sample, /Per-task io_uring opcode restrictions/);
  const landlock = topicOfThread(topics, sample, /landlock: Pathname-based UNIX connect/);
  assert.notEqual(opcode.id, landlock.id, 'two security stories are not one');
});

test('a hook patch and the series whose patch is about that hook are one story when the same people work on both; strangers naming it are not', async () => {
  const { holding } = await topicsOf([
    message('hook0@example.org', 'Add a hook so that an LSM can refuse a connect() to a UNIX socket by the path it resolves to.\n\nSigned-off-by: Justin <justin@example.org>\n', { From: 'Justin <justin@example.org>', Subject: '[RFC PATCH] lsm: add hook unix_path_connect' }),
    message('hook1@example.org', 'I would rather pass the resolved struct path than the sockaddr; the LSM should not resolve it a second time.', { From: 'Gunther <gunther@example.org>', Subject: 'Re: [RFC PATCH] lsm: add hook unix_path_connect', 'In-Reply-To': '<hook0@example.org>', References: '<hook0@example.org>' }),
    message('ser0@example.org', 'This series lets a sandbox restrict connecting to named UNIX sockets by their place in the file system.\n', { From: 'Gunther <gunther@example.org>', Subject: '[PATCH 0/3] sandbox: restrict connect() to named sockets by path' }),
    message('ser2@example.org', 'Check the new access right in the unix_path_connect hook and deny the connection when the path is outside the ruleset.\n\nSigned-off-by: Gunther <gunther@example.org>\n', { From: 'Gunther <gunther@example.org>', Subject: '[PATCH 2/3] sandbox: check access in unix_path_connect', 'In-Reply-To': '<ser0@example.org>', References: '<ser0@example.org>' }),
    message('ser3@example.org', 'Looks right to me; the hook placement was agreed in the RFC thread.', { From: 'Justin <justin@example.org>', Subject: 'Re: [PATCH 2/3] sandbox: check access in unix_path_connect', 'In-Reply-To': '<ser2@example.org>', References: '<ser0@example.org> <ser2@example.org>' }),
    // Someone else, in an unrelated thread with none of these people, writing about the same function.
    message('other0@example.org', 'A trace of unix_path_connect latency under load, measured on the bench machine with many short connections.\n\nSigned-off-by: Olga <olga@example.org>\n', { From: 'Olga <olga@example.org>', Subject: '[PATCH] tools: trace unix_path_connect latency' }),
  ]);
  assert.equal(holding('hook0@example.org'), holding('ser0@example.org'));
  assert.notEqual(holding('other0@example.org'), holding('ser0@example.org'));
});

test('two patches fixing one old commit are two stories unless they fix the same thing', async () => {
  // As in the shared week: a mkfs rtstart fix and a return-value cleanup in a zone-report series both
  // carry "Fixes: 2e5a737a61d3", reviewed by the same two people; they are different stories.
  const fixes = 'Fixes: 2e5a737a61d34e ("xfs_mkfs: support creating file system with zoned RT devices")';
  const io = 'Fixes: 751eedc4b4b7 ("io_uring/io-wq: move worker lists to struct io_wq_acct")';
  const { holding } = await topicsOf([
    message('rt0@example.org', `If the user gave an explicit data device size, place rtstart right after it instead of using the default value.\n\n${fixes}\nSigned-off-by: Darrick <djwong@example.org>\n`, { From: 'Darrick <djwong@example.org>', Subject: '[PATCH] mkfs: set rtstart from user-specified dblocks' }),
    message('rt1@example.org', 'Looks good.\n\nReviewed-by: Christoph <hch@example.org>\n', { From: 'Christoph <hch@example.org>', Subject: 'Re: [PATCH] mkfs: set rtstart from user-specified dblocks', 'In-Reply-To': '<rt0@example.org>', References: '<rt0@example.org>' }),
    message('zr0@example.org', 'Use the cached zone report when the kernel offers it, so that mkfs does not read every zone twice.\n', { From: 'Christoph <hch@example.org>', Subject: '[PATCH 0/2] enable cached zone report' }),
    message('zr2@example.org', `There is no need to set the variable ret to -EIO before returning if fstat() fails.\n\n${fixes}\nSigned-off-by: Christoph <hch@example.org>\n`, { From: 'Christoph <hch@example.org>', Subject: '[PATCH 2/2] mkfs: remove unnecessary return value affectation', 'In-Reply-To': '<zr0@example.org>', References: '<zr0@example.org>' }),
    message('zr3@example.org', 'Reviewed-by: Darrick <djwong@example.org>\n', { From: 'Darrick <djwong@example.org>', Subject: 'Re: [PATCH 2/2] mkfs: remove unnecessary return value affectation', 'In-Reply-To': '<zr2@example.org>', References: '<zr0@example.org> <zr2@example.org>' }),
    // Two attempts at one bug: both about io-wq workers not being woken when the context exits.
    message('wq0@example.org', `io_wq_for_each_worker() stops at the first list, so workers on the second list are never woken when the io-wq context exits and the exit hangs.\n\n${io}\nSigned-off-by: Kahurani <k@example.org>\n`, { From: 'Kahurani <k@example.org>', Subject: '[PATCH] io_uring/io-wq: ensure workers are woken when io-wq context is exited' }),
    message('wq1@example.org', `The termination logic of io_wq_for_each_worker() returns after the first list, so workers on the second list are never woken on exit.\n\n${io}\nSigned-off-by: Jens <axboe@example.org>\n`, { From: 'Jens <axboe@example.org>', Subject: '[PATCH v2] io_uring/io-wq: fix incorrect io_wq_for_each_worker() termination logic' }),
  ]);
  assert.notEqual(holding('rt0@example.org'), holding('zr0@example.org'));
  assert.equal(holding('wq0@example.org'), holding('wq1@example.org'));
});

test('the same short acknowledgement from one maintainer does not make two patches one story', async () => {
  // As in the shared week: two intel_idle cleanups, each answered "Applied as 6.20 material, thanks!".
  const ack = (id: string, subject: string, parent: string) =>
    message(id, `On Mon, Jan 5, 2026 Artem wrote:\n> ${subject.replace(/^Re: \[[^\]]*\] /, '')}\n\nApplied as 6.20 material, thanks!\n`, { From: 'Rafael <rafael@example.org>', Subject: subject, 'In-Reply-To': `<${parent}>`, References: `<${parent}>` });
  const { holding } = await topicsOf([
    ack('ack1@example.org', 'Re: [PATCH resend 1] intel_idle: Remove unused driver version constant', 'missing-a@example.org'),
    ack('ack2@example.org', "Re: [PATCH resend 1] intel_idle: Remove the 'preferred_cstates' parameter", 'missing-b@example.org'),
  ]);
  assert.notEqual(holding('ack1@example.org'), holding('ack2@example.org'));
});

test('a reply listing several postings in flight points at none of them; a reply naming one posting joins it', async () => {
  // As in the shared week: a reviewer lists three pending series that each claim a feature flag bit.
  const lore = (id: string) => `https://lore.kernel.org/linux-block/${id}/T/#u`;
  const { holding } = await topicsOf([
    message('int0@example.org', 'Add integrity data support to ublk so that servers can pass protection information.\n', { From: 'Caleb <caleb@example.org>', Subject: '[PATCH 0/3] ublk: add support for integrity data' }),
    message('int3@example.org', 'Reserve UBLK_F_INTEGRITY and wire it into the feature mask.\n\nSigned-off-by: Caleb <caleb@example.org>\n', { From: 'Caleb <caleb@example.org>', Subject: '[PATCH 3/3] ublk: add UBLK_F_INTEGRITY', 'In-Reply-To': '<int0@example.org>', References: '<int0@example.org>' }),
    message('stop0@example.org', 'Add a command that stops the device only when nothing holds it open.\n\nSigned-off-by: Yoav <yoav@example.org>\n', { From: 'Yoav <yoav@example.org>', Subject: '[PATCH] ublk: add UBLK_CMD_TRY_STOP_DEV command' }),
    message('stop1@example.org', `Note that the feature bit you picked is already taken by series in flight, depending on which lands first:\nUBLK_F_BATCH_IO:\n${lore('20251202121917.1412280-11-ming@example.org')}\nUBLK_F_NO_AUTO_PART_SCAN:\n${lore('20251220095322.1527664-2-ming@example.org')}\nUBLK_F_INTEGRITY:\n${lore('int3@example.org')}\n`, { From: 'Caleb <caleb@example.org>', Subject: 'Re: [PATCH] ublk: add UBLK_CMD_TRY_STOP_DEV command', 'In-Reply-To': '<stop0@example.org>', References: '<stop0@example.org>' }),
    // One pointer: this patch continues the discussion in another thread.
    message('doc0@example.org', `As discussed in ${lore('int3@example.org')} the flag needs documenting.\n\nSigned-off-by: Caleb <caleb@example.org>\n`, { From: 'Caleb <caleb@example.org>', Subject: '[PATCH] Documentation: ublk: describe the integrity feature' }),
  ]);
  assert.notEqual(holding('stop0@example.org'), holding('int0@example.org'));
  assert.equal(holding('doc0@example.org'), holding('int0@example.org'));
});

test('a reply under one series citing another series is a citation, not one story; a report and its fix, or a patch and the review that prompted it, still join', async () => {
  // As in the shared week: a reviewer of a Landlock UDP series points, in passing, at the author's
  // own UNIX-socket series ("Was there a previous discussion ...? [1]"); both series stay their own stories.
  const lore = (id: string) => `https://lore.kernel.org/all/${id}/`;
  const { holding } = await topicsOf([
    message('udp0@example.org', 'Restrict UDP sendmsg and connect by port, so that a sandbox cannot reach arbitrary services.\n\nSigned-off-by: Mat <mat@example.org>\n', { From: 'Mat <mat@example.org>', Subject: '[RFC PATCH v3 0/8] landlock: Add UDP access control support' }),
    message('udp1@example.org', `Why are these two access rights and not one? You can reach the same recipient with connect() or with sendmsg().\n\n(Was there a previous discussion where it was decided that these should be two rights for UDP and UNIX dgram sockets? [1])\n\n[1] ${lore('unix0@example.org')}\n`, { From: 'Gus <gus@example.org>', Subject: 'Re: [RFC PATCH v3 0/8] landlock: Add UDP access control support', 'In-Reply-To': '<udp0@example.org>', References: '<udp0@example.org>' }),
    message('unix0@example.org', 'Control connect() on pathname UNIX sockets with a new access right, so that a sandbox cannot reach a privileged daemon.\n\nSigned-off-by: Gus <gus@example.org>\n', { From: 'Gus <gus@example.org>', Subject: '[PATCH v2 0/5] landlock: Pathname-based UNIX connect() control' }),
    // A report, and a reply in it pointing at the fix: one story.
    message('oops0@example.org', 'Mounting a zoned filesystem with the new option hangs in the zone finish path every time.\n', { From: 'Rae <rae@example.org>', Subject: '[BUG] zonefs: mount hangs in zone finish' }),
    message('oops1@example.org', `This should be fixed by ${lore('fix0@example.org')}, could you test it please?\n`, { From: 'Nao <nao@example.org>', Subject: 'Re: [BUG] zonefs: mount hangs in zone finish', 'In-Reply-To': '<oops0@example.org>', References: '<oops0@example.org>' }),
    message('fix0@example.org', 'Take the zone lock before finishing the zone, so that mount cannot wait on itself.\n\nSigned-off-by: Nao <nao@example.org>\n', { From: 'Nao <nao@example.org>', Subject: '[PATCH] zonefs: take the zone lock before finishing a zone' }),
  ]);
  assert.notEqual(holding('udp0@example.org'), holding('unix0@example.org'));
  assert.equal(holding('oops0@example.org'), holding('fix0@example.org'));
});
