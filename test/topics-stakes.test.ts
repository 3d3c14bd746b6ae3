/**
 * What is at stake in a thread, read the way an editor reads it: a regression or a revert someone
 * denies or supposes is not one; disclosing an AI tool in the work is a process matter; a few idioms
 * are not objections; and an argument with nothing at stake (a bikeshed) weighs less than one over
 * something that matters. Sentences come from real mail of the shared week where noted; the
 * expectations are an editor's reading of them, written by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stated } from '../lambdas/topics/features.js';
import { scoreParts } from '../lambdas/topics/rank.js';
import type { RankFeatures } from '../lambdas/model.js';
import { sampleTopicsWith, topicsOf } from './topics-fixture.js';
import { message } from './helpers.js';

const patch = (id: string, from: string, subject: string, own: string, lines = 120) =>
  message(id, `${own}\n\nSigned-off-by: ${from}\n---\n fs/x.c | ${lines} ++\n\ndiff --git a/fs/x.c b/fs/x.c\n--- a/fs/x.c\n+++ b/fs/x.c\n@@ -1,1 +1,${lines} @@\n${Array.from({ length: lines }, (_, i) => `+int line${i};`).join('\n')}\n`, { From: from, Subject: subject });
const reply = (id: string, to: string, from: string, subject: string, own: string, date = 'Wed, 7 Jan 2026 10:00:00 +0000') =>
  message(id, `On Tue, someone wrote:\n> the patch\n\n${own}\n`, { From: from, Subject: `Re: ${subject}`, 'In-Reply-To': `<${to}>`, References: `<${to}>`, Date: date });

test('a regression or a revert that a sentence denies or supposes is not one; the same words said as a fact are', () => {
  const regression = /\bregression (in|since|from)\b/i;
  const revert = /\brevert(ing)? (it|this|that)\b/i;
  // Boris Burkov, on a btrfs cleanup series (the sentence wraps across lines, as mail does).
  assert.equal(stated("I agree with you that it's not an actual meaningful\nregression in any way that we care about today.", regression), false);
  // David Sterba, same thread: a revert that will not be needed.
  assert.equal(stated('The delayed root is a core data structure so we will not have to separate it again and\nrevert this patchset.', revert), false);
  assert.equal(stated('If this breaks anything we can simply revert it.', revert), false);
  // The same words, stated.
  assert.equal(stated('This is a regression in 6.19-rc3: the VM stalls for 15 seconds at boot.', regression), true);
  assert.equal(stated('It is not a cleanup. Please revert this, it breaks mounting RAID1.', revert), true);
  // A denial in one sentence does not reach into the next.
  assert.equal(stated("This isn't about the size. It is a regression since 6.18 for every zoned user.", regression), true);
});

test('a cleanup series where a reviewer denies a regression and the author rules out a revert is neither a regression nor a revert', async () => {
  const subject = '[PATCH 0/2] foo: embed the delayed root';
  const { holding } = await topicsOf([
    patch('cleanup-0@example.org', 'Dana Author <dana@example.org>', subject, 'Embed the delayed root into the fs info structure; there is only one per filesystem.'),
    reply('cleanup-1@example.org', 'cleanup-0@example.org', 'Rob Reviewer <rob@example.org>', subject,
      "The patches all look fine to me, but the struct grows. I agree that it's not an actual meaningful\nregression in any way that we care about today, but please say why the change is desirable."),
    reply('cleanup-2@example.org', 'cleanup-1@example.org', 'Dana Author <dana@example.org>', subject,
      'The two objects have the same lifetime and there are spare bytes in the slab. It is a core structure, so we\nwill not have to separate it again and revert this patchset later on, whatever grows next.', 'Wed, 7 Jan 2026 11:00:00 +0000'),
    // Control: a report that says it is a regression and asks for a revert.
    patch('stall-0@example.org', 'Carl Coder <carl@example.org>', '[PATCH] bar: drop the expedited grace period', 'Drop the expedited grace period from queue setup.'),
    reply('stall-1@example.org', 'stall-0@example.org', 'Vera Tester <vera@example.org>', '[PATCH] bar: drop the expedited grace period',
      'This is a regression in 6.19-rc3: every VM now stalls for 15 seconds at boot. Please revert this until the setup path is fixed properly, the bisect points right at it.'),
  ]);
  const cleanup = holding('cleanup-0@example.org');
  assert.ok(!(cleanup.features.policy as string[]).includes('regression'), cleanup.reasons.join('; '));
  assert.ok(!(cleanup.features.angles as string[]).includes('revert'), cleanup.reasons.join('; '));
  assert.ok(!(cleanup.features.decisions as string[]).includes('reverted'), cleanup.reasons.join('; '));
  const stall = holding('stall-0@example.org');
  assert.ok((stall.features.policy as string[]).includes('regression'), stall.reasons.join('; '));
  assert.ok((stall.features.decisions as string[]).includes('reverted'), stall.reasons.join('; '));
});

test('a cover letter disclosing an AI tool makes the series a process matter (AI tools); a cursor in the code does not', async () => {
  const { holding } = await topicsOf([
    // Michael S. Tsirkin's cover letter, "fix DMA alignment issues around virtio".
    patch('ai-0@example.org', 'Mia Virt <mia@example.org>', '[PATCH 0/3] virtio: fix DMA alignment issues',
      'The issue is more widespread than one driver. This is an attempt to fix it systematically.\n\nLightly tested.  Cursor/claude used liberally, mostly for\nrefactoring/API updates/English.'),
    patch('ai-1@example.org', 'Tom Tag <tom@example.org>', '[PATCH] foo: validate the ring index', 'Check the index against the ring size before use.\n\nAssisted-by: SomeModel v2'),
    // Control: a cursor that is a data structure.
    patch('cursor-0@example.org', 'Ned Ring <ned@example.org>', '[PATCH] bar: reset the read cursor on rewind', 'The read cursor keeps its old offset after a rewind, so the next read returns stale entries.'),
  ]);
  for (const id of ['ai-0@example.org', 'ai-1@example.org']) {
    const topic = holding(id);
    assert.ok((topic.features.policy as string[]).includes('ai tools'), `${topic.title}: ${topic.reasons.join('; ')}`);
  }
  const cursor = holding('cursor-0@example.org');
  assert.ok(!(cursor.features.policy as string[]).includes('ai tools'), cursor.reasons.join('; '));
  assert.ok(holding('ai-0@example.org').reasons.includes('AI tools used in the work or its review'), holding('ai-0@example.org').reasons.join('; '));
});

test('idioms are not objections: "I don\'t think I can", "no way to test", "I don\'t disagree", "pointless wrapper functions"', async () => {
  const subject = '[PATCH] baz: add a mapping test';
  const { holding } = await topicsOf([
    patch('idiom-0@example.org', 'Alex Test <alex@example.org>', subject, 'Add a test that maps a BAR and checks the IOMMU entries.'),
    // Jason Gunthorpe, Eric Biggers, Michael Kelley and Christoph Hellwig in the shared week.
    reply('idiom-1@example.org', 'idiom-0@example.org', 'Jay Owner <jay@example.org>', subject, "I can't think of any reason this would fail, I think your tests have found a real bug. I don't think I can run these tests with the HW I have."),
    reply('idiom-2@example.org', 'idiom-0@example.org', 'Eve Crypt <eve@example.org>', subject, 'I have no way to test or benchmark the s390 code myself, so results from someone with the hardware would help here.'),
    reply('idiom-3@example.org', 'idiom-0@example.org', 'Mike Hyper <mike@example.org>', subject, "Memory is tied up in a VM with many vCPUs. And I don't disagree. But why tie up memory when there is no need for it at all?"),
    reply('idiom-4@example.org', 'idiom-0@example.org', 'Chris Block <chris@example.org>', subject, 'So supporting it without creating pointless wrapper functions would be really useful for every user of the lookup structure.'),
    // Control: the same people objecting.
    patch('object-0@example.org', 'Alex Test <alex@example.org>', '[PATCH] qux: move the map call', 'Move the map call into the setup helper.'),
    reply('object-1@example.org', 'object-0@example.org', 'Jay Owner <jay@example.org>', '[PATCH] qux: move the map call', "I don't think this is the right place for it; the setup helper runs before the device is ready and the map will fail."),
    reply('object-2@example.org', 'object-0@example.org', 'Chris Block <chris@example.org>', '[PATCH] qux: move the map call', 'This is pointless: the helper is called once and the move only hides where the mapping happens.'),
  ]);
  assert.equal(holding('idiom-0@example.org').features.objections, 0, holding('idiom-0@example.org').reasons.join('; '));
  assert.equal(holding('object-0@example.org').features.objections, 2, holding('object-0@example.org').reasons.join('; '));
});

test('a tree owner objecting to someone else\'s work puts something at stake; the same words from anyone else do not', async () => {
  // Two unrelated patches, so that nothing joins them.
  const subject = (n: number) => (n === 1 ? '[PATCH] quux: sleep-free request submission' : '[PATCH] thermal: honour trip hysteresis from firmware');
  const { holding } = await topicsOf([
    patch('owner-0@example.org', 'Sam Sub <sam@example.org>', subject(1), 'Change how requests are submitted.'),
    reply('owner-1@example.org', 'owner-0@example.org', 'Jens Axboe <axboe@kernel.dk>', subject(1), "I don't think this is the right approach: the submit path must not sleep, and this makes it sleep on every request."),
    patch('other-0@example.org', 'Tia Therm <tia@example.org>', subject(2), 'Read the hysteresis of each trip point from the firmware tables.'),
    reply('other-1@example.org', 'other-0@example.org', 'Pat Passer <pat@example.org>', subject(2), "I don't think this is the right approach: firmware tables lie about hysteresis, and this trusts them on every trip point."),
  ]);
  assert.equal(holding('owner-0@example.org').features.atStake, true, holding('owner-0@example.org').reasons.join('; '));
  assert.equal(holding('other-0@example.org').features.atStake, false, holding('other-0@example.org').reasons.join('; '));
});

test('with nothing at stake, an argument weighs half: objections, heat and a long exchange over a helper are a bikeshed', () => {
  const argued: RankFeatures = { discussants: 3, participants: 3, objections: 3, naks: 0, rebutters: 2, longestExchange: 4, quoteDepth: 2, policy: [], angles: [], novelty: [], routine: [] };
  const withStakes = scoreParts({ ...argued, atStake: true });
  const bikeshed = scoreParts({ ...argued, atStake: false });
  for (const part of ['disagreement', 'heat', 'longExchange']) {
    assert.ok(withStakes[part] > 0, part);
    assert.equal(bikeshed[part], withStakes[part] / 2, part);
  }
  // Everything else is unchanged.
  assert.equal(bikeshed.discussants, withStakes.discussants);
});

test('a pasted boot log is the machine\'s words: its "Secure boot" and GPL taint lines raise no security or licensing matter', async () => {
  const subject = '[BUG] 6.18-rc7 cannot mount RAID1 zoned btrfs';
  // Shaped like HAN Yuwei's report in the shared week: a log pasted after one line of prose.
  const log = [
    '[    0.000000] Linux version 6.19.0-rc4-btrfs-test-dirty (root@host) (gcc (GCC) 15.2.1) #15 SMP PREEMPT_DYNAMIC',
    '[    0.000000] secureboot: Secure boot disabled',
    '[   12.345678] CPU: 3 UID: 0 PID: 812 Comm: mount Tainted: G           O       6.19.0-rc4',
    '[   12.345679] Modules linked in: btrfs(O) xor raid6_pq libcrc32c',
    '[   12.345680] RIP: 0010:btrfs_zone_finish+0x1c4/0x2b0 [btrfs]',
  ].join('\n');
  const { holding } = await topicsOf([
    message('log-0@example.org', `Mounting a RAID1 zoned filesystem hangs after a while on rc4 with the suggested patch.\n\n${log}\n`, { From: 'Han Reporter <han@example.org>', Subject: subject }),
    reply('log-1@example.org', 'log-0@example.org', 'Sun Helper <sun@example.org>', subject, 'It looks like a deadlock between making the block group read-only and finishing the zone, both waiting on the same space reservation.'),
    // Control: people saying it.
    message('hole-0@example.org', 'The ioctl copies the whole structure to user space, padding included, so this is an information leak of kernel stack memory to any local user.\n', { From: 'Ivy Finder <ivy@example.org>', Subject: '[BUG] quux: ioctl copies stack padding to user space' }),
    reply('hole-1@example.org', 'hole-0@example.org', 'Sun Helper <sun@example.org>', '[BUG] quux: ioctl copies stack padding to user space', 'Confirmed, the padding is never cleared, so the leak is real on every architecture that pads this structure.'),
  ]);
  const report = holding('log-0@example.org');
  assert.deepEqual(report.features.policy, [], report.reasons.join('; '));
  const hole = holding('hole-0@example.org');
  assert.ok((hole.features.policy as string[]).includes('security'), hole.reasons.join('; '));
});

test('a short thread where the person who pulls mainline rejects a patch is news by itself: in the sample\'s top 15, "Linus Torvalds objects"', async () => {
  const thread = (from: string) => [
    message('lp0@example.org', 'Make the page cache readahead window scale with the device queue depth, so that fast NVMe devices get larger windows by default.\n\nSigned-off-by: Pat Dev <pat@example.org>\n', { From: 'Pat Dev <pat@example.org>', Subject: '[PATCH] mm/readahead: scale the window with queue depth', To: 'linux-mm@kvack.org' }),
    message('lp1@example.org', 'On Tue, Pat Dev wrote:\n> Make the page cache readahead window scale\n\nNo. This is exactly the kind of heuristic that looks good on one benchmark and then makes everybody else slower. We have been here before with readahead tuning.\n\nIf you want bigger windows on your device, set them from user space.\n', { From: from, Subject: 'Re: [PATCH] mm/readahead: scale the window with queue depth', 'In-Reply-To': '<lp0@example.org>', References: '<lp0@example.org>', Date: 'Wed, 7 Jan 2026 10:00:00 +0000' }),
    message('lp2@example.org', 'Fair enough, the numbers were from one device class only. I will look at a user space knob instead.\n', { From: 'Pat Dev <pat@example.org>', Subject: 'Re: [PATCH] mm/readahead: scale the window with queue depth', 'In-Reply-To': '<lp1@example.org>', References: '<lp0@example.org> <lp1@example.org>', Date: 'Wed, 7 Jan 2026 12:00:00 +0000' }),
  ];
  const ranked = async (from: string) => {
    const topics = await sampleTopicsWith(thread(from));
    const at = topics.findIndex((t) => t.messageIds.includes('lp0@example.org'));
    return { rank: at + 1, topic: topics[at] };
  };
  const linus = await ranked('Linus Torvalds <torvalds@linux-foundation.org>');
  assert.ok(linus.rank <= 15, `ranked ${linus.rank}: ${linus.topic.reasons.join('; ')}`);
  assert.ok(linus.topic.reasons.includes('the person who pulls mainline wrote in it'), linus.topic.reasons.join('; '));
  assert.match(linus.topic.title, /; Linus Torvalds objects$/);
  // The same words from a stranger: an objection ("No." opens it), but no news by itself.
  const stranger = await ranked('Sam Stranger <sam@example.org>');
  assert.equal(stranger.topic.features.objections, 1, stranger.topic.reasons.join('; '));
  assert.ok(stranger.rank > 15, `ranked ${stranger.rank}`);
});

test('a short NAK from a tree owner counts the NAK-er\'s rank and the NAK; "far too late in the cycle" on a pull is pushback on it', async () => {
  const plug = '[PATCH] block: let drivers bypass the plug for small writes';
  const pull = '[GIT PULL] foo fixes for 6.19-rc8';
  const { holding } = await topicsOf([
    message('nak0@example.org', 'Let drivers skip the plug for writes under 4k, since batching them only adds latency on fast devices.\n\nSigned-off-by: Pat Dev <pat@example.org>\n', { From: 'Pat Dev <pat@example.org>', Subject: plug }),
    reply('nak1@example.org', 'nak0@example.org', 'Christoph Hellwig <hch@lst.de>', plug, 'NAK.  Drivers have no business deciding about plugging.'),
    message('pull0@example.org', 'Please pull these foo fixes for 6.19-rc8. They also add the new batched submission interface, which users have asked for.\n', { From: 'Sam Tree <sam@example.org>', Subject: pull }),
    reply('pull1@example.org', 'pull0@example.org', 'Jens Axboe <axboe@kernel.dk>', pull, 'A new interface is not a fix, and this is far too late in the cycle for it. Please send the fixes alone.'),
    message('pullwait0@example.org', 'Please pull these baz updates for 6.19-rc8; they rework the queue limits.\n', { From: 'Ola Tree <ola@example.org>', Subject: '[GIT PULL] baz updates for 6.19-rc8' }),
    reply('pullwait1@example.org', 'pullwait0@example.org', 'Jens Axboe <axboe@kernel.dk>', '[GIT PULL] baz updates for 6.19-rc8', 'The queue limits rework should wait for the next merge window, with a full cycle in linux-next behind it.'),
    // Control: the sender of the pull explaining its own timing is no pushback.
    message('pullok0@example.org', 'Please pull these bar fixes for 6.19-rc8, all small and all tested.\n', { From: 'Tia Tree <tia@example.org>', Subject: '[GIT PULL] bar fixes for 6.19-rc8' }),
    reply('pullok1@example.org', 'pullok0@example.org', 'Tia Tree <tia@example.org>', '[GIT PULL] bar fixes for 6.19-rc8', 'I know this is late in the cycle, but the fixes are one-liners and were in linux-next all week.'),
  ]);
  const nak = holding('nak0@example.org');
  assert.ok((nak.features.treeOwners as string[]).includes('Christoph Hellwig'), nak.reasons.join('; '));
  assert.ok(scoreParts(nak.features).angle > 0, JSON.stringify(scoreParts(nak.features)));
  const pushed = holding('pull0@example.org');
  assert.ok((pushed.features.angles as string[]).includes('pull request questioned'), pushed.reasons.join('; '));
  const waited = holding('pullwait0@example.org');
  assert.ok((waited.features.angles as string[]).includes('pull request questioned'), waited.reasons.join('; '));
  const calm = holding('pullok0@example.org');
  assert.ok(!(calm.features.angles as string[]).includes('pull request questioned'), calm.reasons.join('; '));
});
