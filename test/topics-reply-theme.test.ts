import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Topic } from '../lambdas/model.js';
import { message } from './helpers.js';
import { sampleTopicsWith } from './topics-fixture.js';

// One matter taken up in replies under unrelated subjects: people answering different patches, on
// different lists, about the same new practice. The week is the bundled sample (real mail) plus
// replies written by hand into three of its real, unrelated patch threads; the expectations are
// written by hand from those replies, not read from the ranking code.

/** Real messages of the sample, each a thread that is a story of its own, on different lists, about unrelated things. */
const MLDSA_SELFTEST = '20260107044215.109930-1-ebiggers@kernel.org'; // linux-crypto: [PATCH] lib/crypto: mldsa: Add FIPS self-test
const SYSREG = 'CA+EHjTwsX9+3XZBZo8PHvaP24fVxBKSdg_raJGL46nX5hE-4rA@mail.gmail.com'; // kvmarm: Re: [PATCH v9 01/30] arm64/sysreg: Update SMIDR_EL1
const VIRTIO_GPIO = 'nyz6mnesozpu5u6p2mxrg37fwuj3sy7hjo2xkyepd3aybm7m52@7weoocg2pbs5'; // iommu/kvm: Re: [PATCH RFC 14/13] gpio: virtio: fix DMA alignment
/** Real postings of threads that belong to larger stories of the sample (with other threads of the same work). */
const AES_SBOX = '20260107052023.174620-1-ebiggers@kernel.org'; // linux-crypto: lib/crypto: aes: Fix missing MMU protection for AES S-box
const INTEGRITY_OPAQUE = '20260108090401.1091352-1-csander@purestorage.com'; // linux-block: block: initialize auto integrity buffer opaque
/** Real postings of two of the week's stories, where the controls below reply. */
const UPDATE_TIME = '20260106074628.1609575-2-hch@lst.de'; // [PATCH 01/11] fs: remove inode_update_time
const OPCODE_RESTRICTIONS = '20260108202944.288490-1-axboe@kernel.dk'; // [PATCHSET RFC 0/2] Per-task io_uring opcode restrictions

function reply(id: string, to: string, subject: string, list: string, from: string, body: string): string {
  return message(id, body, { From: from, To: list, Subject: `Re: ${subject}`, Date: 'Fri, 9 Jan 2026 09:30:00 +0000', 'In-Reply-To': `<${to}>`, References: `<${to}>` });
}


const holding = (topics: Topic[], id: string) => {
  const topic = topics.find((t) => t.messageIds.includes(id));
  assert.ok(topic, `no topic holds ${id}`);
  return topic;
};

// Four people on four lists, under patches about an ML-DSA self-test, an arm64 register, virtio DMA
// alignment and integrity buffers: each answers a machine review of the patch, in their own words.
const reactions = [
  reply('react-sysreg@example.org', SYSREG, '[PATCH v9 01/30] arm64/sysreg: Update SMIDR_EL1 to DDI0601 2025-06', 'kvmarm@lists.linux.dev', 'Quentin Reviewer <quentin@example.org>',
    'The LLM review posted to the list flagged this as a use-after-free. I read the code again and it is a false positive: nothing here is ever freed. Are we now expected to answer every bot comment before a patch can be applied?'),
  reply('react-gpio@example.org', VIRTIO_GPIO, '[PATCH RFC 14/13] gpio: virtio: fix DMA alignment', 'iommu@lists.linux.dev', 'Wanda Virt <wanda@example.org>',
    'For what it is worth, the LLM review also claims a use-after-free here. It is a false positive; the buffer lives as long as the device. I would rather not answer bot comments like this on every revision.'),
  reply('react-mldsa@example.org', MLDSA_SELFTEST, '[PATCH] lib/crypto: mldsa: Add FIPS cryptographic algorithm self-test', 'linux-crypto@vger.kernel.org', 'Rosa Tester <rosa@example.org>',
    'Another LLM review comment landed on this one overnight, claiming the self-test races with module unload. That is a false positive as well, and answering the bot costs reviewers more time than the review saves.'),
  reply('react-integrity@example.org', INTEGRITY_OPAQUE, '[PATCH] block: initialize auto integrity buffer opaque', 'linux-block@vger.kernel.org', 'Soren Block <soren@example.org>',
    'Same here: the LLM review flagged a use-after-free that cannot happen, a false positive again. Who decided that the bot comments go to the list, and do we have to answer them before the patch is applied?'),
];

let topics: Topic[];
before(async () => {
  topics = await sampleTopicsWith([
    ...reactions,
    // The same practice taken up under a patch that is part of a larger story: that story stays whole.
    reply('react-aes@example.org', AES_SBOX, '[PATCH] lib/crypto: aes: Fix missing MMU protection for AES S-box', 'linux-crypto@vger.kernel.org', 'Xavier Crypt <xavier@example.org>',
      'The LLM review flagged a use-after-free here as well, which is a false positive since the table is static. Do patches now wait until someone answers the bot comment?'),
    // Control: an idiom three people use in three threads, each about something else entirely.
    reply('idiom-1@example.org', UPDATE_TIME, '[PATCH 01/11] fs: remove inode_update_time', 'linux-xfs@vger.kernel.org', 'Tara Fs <tara@example.org>',
      'There is one corner case left: a filesystem that sets S_NOCMTIME but still wants the lazytime flush on sync. I think the new helper must keep that path.'),
    reply('idiom-2@example.org', OPCODE_RESTRICTIONS, '[PATCHSET RFC 0/2] Per-task io_uring opcode restrictions', 'io-uring@vger.kernel.org', 'Ugo Ring <ugo@example.org>',
      'What about the corner case of a task that forks before registering the filter? The child would inherit nothing, which surprises a sandbox that forks workers early.'),
    reply('idiom-3@example.org', AES_SBOX, '[PATCH] lib/crypto: aes: Fix missing MMU protection for AES S-box', 'linux-crypto@vger.kernel.org', 'Vera Cipher <vera@example.org>',
      'Nit: the corner case of a CPU without the relevant instructions takes the generic table path, so the alignment attribute matters there too.'),
  ]);
});

test('replies by several people on several lists taking up one practice under unrelated patches are one story, named for the practice', () => {
  const story = holding(topics, 'react-sysreg@example.org');
  assert.equal(holding(topics, 'react-gpio@example.org').id, story.id);
  assert.equal(holding(topics, 'react-mldsa@example.org').id, story.id);
  // The three threads that were stories of nothing else, and nothing more.
  for (const id of [SYSREG, VIRTIO_GPIO, MLDSA_SELFTEST]) assert.ok(story.messageIds.includes(id));
  assert.equal(story.threadIds.length, 3, story.threadIds.join(' '));
  // Five people reacted (three here, two under patches of larger stories), on four lists (kvmarm, iommu, crypto, block).
  assert.ok(story.reasons.includes("one theme across 3 threads: 'LLM review', taken up by 5 people in replies to unrelated patches on 4 lists"), story.reasons.join(' | '));
  assert.equal(story.title, 'LLM review: taken up by 5 people across 5 threads');
  assert.deepEqual(story.features.replyThemes, ['LLM review']);
  assert.deepEqual(story.features.linkedBy, ['theme']);
  // Five people on four lists reacting to one new practice is one of the week's stories (the held-out
  // week's miss): in the top 10 of this week of mostly editors' picks.
  const rank = topics.indexOf(story) + 1;
  assert.ok(rank <= 10, `ranked ${rank}`);
});

test('a reaction under a patch that belongs to a larger story leaves that story whole and names the theme', () => {
  for (const id of ['react-aes@example.org', 'react-integrity@example.org']) {
    const story = holding(topics, id);
    assert.notEqual(story.id, holding(topics, 'react-sysreg@example.org').id);
    assert.ok(story.threadIds.length > 1, 'the larger story');
    assert.ok(!(story.features.linkedBy as string[]).includes('theme'));
    assert.ok(story.reasons.includes("its replies take part in a theme of the week: 'LLM review'"), story.reasons.join(' | '));
  }
});

test('an idiom three people use about unrelated things joins nothing, and the week\'s stories stay whole', () => {
  const fs1 = holding(topics, 'idiom-1@example.org');
  const ring = holding(topics, 'idiom-2@example.org');
  assert.notEqual(fs1.id, ring.id);
  assert.ok(!(fs1.features.linkedBy as string[]).includes('theme'));
  assert.ok(!(ring.features.linkedBy as string[]).includes('theme'));
  assert.ok(!fs1.messageIds.includes(OPCODE_RESTRICTIONS));
  // The only themes of the week: the sample's context analysis (subjects) and the practice above.
  assert.deepEqual(topics.filter((t) => t.features.themes).map((t) => t.features.themes).sort(), [['LLM review'], ['context analysis']]);
  assert.deepEqual([...new Set(topics.flatMap((t) => (t.features.alsoInThemes as string[] | undefined) ?? []))], ['LLM review']);
});

test('the same practice taken up by one person in three threads is that person\'s campaign, not a theme', async () => {
  const one = 'Quentin Reviewer <quentin@example.org>';
  const alone = await sampleTopicsWith(reactions.map((r) => r.replace(/^From: .*$/m, `From: ${one}`)));
  const sysreg = holding(alone, 'react-sysreg@example.org');
  assert.notEqual(holding(alone, 'react-gpio@example.org').id, sysreg.id);
  assert.notEqual(holding(alone, 'react-mldsa@example.org').id, sysreg.id);
  assert.equal(alone.filter((t) => (t.features.replyThemes as string[] | undefined)?.length).length, 0);
});

test('two threads are not enough: the practice in two threads only joins nothing', async () => {
  const two = await sampleTopicsWith(reactions.slice(0, 2));
  assert.notEqual(holding(two, 'react-sysreg@example.org').id, holding(two, 'react-gpio@example.org').id);
  assert.equal(two.filter((t) => t.features.replyThemes || t.features.alsoInThemes).length, 0);
});

// The same matter named the ways people name it on the lists: a two-letter acronym ("AI review"),
// and a new trailer written with its colon ("the Assisted-by: tag"). Before, neither made a phrase.
const namedAs = (phrase: string, suffix: string) => [
  reply(`ac-sysreg-${suffix}@example.org`, SYSREG, '[PATCH v9 01/30] arm64/sysreg: Update SMIDR_EL1 to DDI0601 2025-06', 'kvmarm@lists.linux.dev', 'Quentin Reviewer <quentin@example.org>',
    `Is the ${phrase} going to be required from now on? I read the code again and the concern is a false positive, yet the patch now waits on an answer to the bot.`),
  reply(`ac-gpio-${suffix}@example.org`, VIRTIO_GPIO, '[PATCH RFC 14/13] gpio: virtio: fix DMA alignment', 'iommu@lists.linux.dev', 'Wanda Virt <wanda@example.org>',
    `The ${phrase} question came up here as well; it is a false positive for this buffer, and answering the bot on every revision costs reviewers real time.`),
  reply(`ac-mldsa-${suffix}@example.org`, MLDSA_SELFTEST, '[PATCH] lib/crypto: mldsa: Add FIPS cryptographic algorithm self-test', 'linux-crypto@vger.kernel.org', 'Rosa Tester <rosa@example.org>',
    `Another ${phrase} comment landed overnight and it is a false positive again. Who decided that patches wait until someone answers the bot?`),
];

test('a matter named with a two-letter acronym ("AI review") or a trailer\'s name ("the Assisted-by: tag") is a phrase like any other', async () => {
  for (const [phrase, suffix, written] of [['AI review', 'ai', 'AI review'], ['Assisted-by: tag', 'tag', 'Assisted-by: tag']] as const) {
    const week = await sampleTopicsWith(namedAs(phrase, suffix));
    const story = holding(week, `ac-sysreg-${suffix}@example.org`);
    assert.equal(holding(week, `ac-gpio-${suffix}@example.org`).id, story.id, phrase);
    assert.equal(holding(week, `ac-mldsa-${suffix}@example.org`).id, story.id, phrase);
    assert.deepEqual(story.features.replyThemes, [written], phrase);
  }
});
