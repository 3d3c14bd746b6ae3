import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { phrasesIn } from '../lambdas/topics/theme.js';
import { message } from './helpers.js';
import { sampleTopics, topicOfThread, topicsOf } from './topics-fixture.js';

// One theme across several threads. Expectations are written by hand: from the editors' picks of the
// shared week (the Clang context-analysis story is a review thread plus a linux-next build warning
// naming a context-analysis commit), and from invented weeks modelled on real mail.

let sample: WeekAnalysis;
let topics: Topic[];

before(async () => {
  ({ sample, topics } = await sampleTopics());
});

test('the sample: the context-analysis review and the linux-next warning its kref commit caused are one story, told from the review', () => {
  // The editors filed both threads under one story (thread_roots of "Clang context analysis reaches tip").
  const review = topicOfThread(topics, sample, /cleanup: Basic compatibility with context analysis/);
  const warning = topicOfThread(topics, sample, /^linux-next: build warning after merge of the tip tree/);
  assert.equal(review.id, warning.id);
  assert.ok(review.reasons.includes("one theme across 2 threads: 'context analysis'"), review.reasons.join(' | '));
  assert.match(review.title, /context analysis/i);
});

test('the sample: no other threads are joined by a theme', () => {
  // By hand: in the sample the only theme that joins threads otherwise apart is context analysis.
  const themed = topics.filter((t) => (t.features.linkedBy as string[]).includes('theme'));
  assert.deepEqual(themed.map((t) => t.features.themes), [['context analysis']]);
});

test('names, list names, version strings, paths and action words make no phrase', () => {
  const names = new Set(['gunther', 'schmidt', 'netdev']);
  const phrases = [...phrasesIn('Revert Gunther Schmidt frobnication domains for netdev trees; add hook in v6.19-rc5 and fs/xfs/libxfs paths', names).values()];
  assert.deepEqual(phrases, ['frobnication domains']);
  assert.deepEqual([...phrasesIn('kref: Add context-analysis annotations', new Set()).values()], ['context analysis', 'analysis annotations']);
  // Two generic words ("memory leak", "build warning") name a kind of work, not a matter.
  assert.deepEqual([...phrasesIn('fix memory leak after build warning', new Set()).values()], []);
});

/** A posting and one reply to it by someone else: a thread with a discussion. */
function discussed(id: string, subject: string, body: string, from: string, replier: string, reply: string, list = 'linux-block@vger.kernel.org'): string[] {
  return [
    message(`${id}.0@example.org`, `${body}\n\nSigned-off-by: ${from}\n`, { From: from, To: list, Subject: subject }),
    message(`${id}.1@example.org`, reply, { From: replier, To: list, Subject: `Re: ${subject.replace(/^\[[^\]]*\]\s*/, '')}`, 'In-Reply-To': `<${id}.0@example.org>`, References: `<${id}.0@example.org>` }),
  ];
}

test('a report naming a commit of a new tool joins the thread about that tool, though no one takes part in both', async () => {
  const { holding } = await topicsOf([
    ...discussed('tool', '[PATCH v3 04/20] locking: basic support for borrow tracking', 'Teach the lock annotations about borrow tracking so that the compiler can check who holds what.', 'Ada <ada@example.org>', 'Bea <bea@example.org>', 'This breaks every driver that initialises a lock and takes it at once; that pattern is everywhere, so it is a show stopper for me.'),
    ...discussed('warn', 'linux-next: build warning after merge of the locking tree', 'After merging the locking tree, today\'s build (htmldocs) produced this warning:\n\ninclude/linux/kref.h:72: WARNING: Invalid C declaration\n\nIntroduced by commit\n\n  5e256db9325e ("kref: Add borrow-tracking annotations")', 'Stephen <sfr@example.org>', 'Pete <pete@example.org>', 'I have no clue what the doc tool is on about; the code is fine.', 'linux-next@vger.kernel.org'),
    // A merge notice that names the same kind of commit, which nobody answered: not part of the discussion.
    message('merge.0@example.org', 'Today\'s linux-next merge of the locking tree got a conflict in include/linux/mutex.h between commit\n\n  0123456789ab ("mutex: borrow tracking for mutex_init")\n\nfrom the mm tree.', { From: 'Stephen <sfr@example.org>', To: 'linux-next@vger.kernel.org', Subject: 'linux-next: manual merge of the locking tree with the mm tree' }),
  ]);
  const story = holding('tool.0@example.org');
  assert.equal(holding('warn.0@example.org').id, story.id);
  assert.notEqual(holding('merge.0@example.org').id, story.id);
  assert.ok(story.reasons.includes("one theme across 2 threads: 'borrow tracking'"), story.reasons.join(' | '));
});

test('one new practice taken up on three lists by overlapping people is one story', async () => {
  const { holding } = await topicsOf([
    ...discussed('doc', '[RFC PATCH] Documentation: a policy for tool-generated submissions', 'Patches written with the help of a language model should say so in a trailer, and the submitter stays responsible.', 'Ada <ada@example.org>', 'Bea <bea@example.org>', 'A trailer is fine, but who checks that the submitter understood what the tool wrote?', 'workflows@vger.kernel.org'),
    ...discussed('blk', 'tool-generated submissions in the block tree', 'We got three of these this week; I will not take tool-generated submissions without a human who can answer review.', 'Bea <bea@example.org>', 'Cem <cem@example.org>', 'Agreed, the last one could not explain its own locking.', 'linux-block@vger.kernel.org'),
    ...discussed('fs', '[PATCH] fs: fix inode refcount in error path', 'This looks like tool-generated submissions we saw elsewhere: the changelog describes code that does not exist.', 'Cem <cem@example.org>', 'Dan <dan@example.org>', 'Yes, and the Fixes: tag points at an unrelated commit.', 'linux-fsdevel@vger.kernel.org'),
  ]);
  const story = holding('doc.0@example.org');
  assert.equal(holding('blk.0@example.org').id, story.id);
  assert.equal(holding('fs.0@example.org').id, story.id);
  assert.ok(story.reasons.includes("one theme across 3 threads: 'generated submissions'"), story.reasons.join(' | '));
});

test('threads sharing a common phrase, or a rare one among strangers, stay apart', async () => {
  const { holding } = await topicsOf([
    // "memory leak": two generic words, in two subjects, with the same maintainer answering both.
    ...discussed('leak1', '[PATCH] cpufreq: omap: fix memory leak in probe', 'The regulator is never put on the error path.', 'Ada <ada@example.org>', 'Vic <vic@example.org>', 'Applied, but please also check the remove path.', 'linux-pm@vger.kernel.org'),
    ...discussed('leak2', '[PATCH] cpufreq: mediatek: fix memory leak in init', 'The table is allocated twice when init is retried.', 'Bea <bea@example.org>', 'Vic <vic@example.org>', 'Why does init run twice in the first place?', 'linux-pm@vger.kernel.org'),
    // "signature verification": rare and specific, but two pieces of work by different people, nobody in both.
    ...discussed('sig1', '[PATCH] crypto: add ML-DSA signature verification', 'Add the post-quantum scheme to the asymmetric key type.', 'Cem <cem@example.org>', 'Dan <dan@example.org>', 'Which hash does the key type use for the message representative?', 'linux-crypto@vger.kernel.org'),
    ...discussed('sig2', '[PATCH bpf-next] bpf: kfuncs for signature verification', 'Let BPF programs check a signature over a buffer with a key from a keyring.', 'Eve <eve@example.org>', 'Fay <fay@example.org>', 'The keyring lookup must not sleep in this context.', 'bpf@vger.kernel.org'),
    // The same specific phrase in three subjects, among three pairs of strangers: three stories.
    ...discussed('z1', '[PATCH] x86: shadow stacks for compat tasks', 'Enable the shadow stack for 32-bit tasks too, now that the signal frame has room.', 'Gil <gil@example.org>', 'Hal <hal@example.org>', 'What happens to an old binary that was never built for this?', 'linux-arch@vger.kernel.org'),
    ...discussed('z2', '[PATCH] arm64: shadow stacks in signal frames', 'Save the shadow stack pointer in the signal frame so that handlers can return.', 'Ivy <ivy@example.org>', 'Jo <jo@example.org>', 'The frame layout is ABI; document it.', 'linux-arm-kernel@lists.infradead.org'),
    ...discussed('z3', '[PATCH] riscv: shadow stacks selftest', 'Run the generic selftest on this architecture as well.', 'Kim <kim@example.org>', 'Lu <lu@example.org>', 'Fine by me.', 'linux-riscv@lists.infradead.org'),
  ]);
  assert.notEqual(holding('leak1.0@example.org').id, holding('leak2.0@example.org').id);
  assert.notEqual(holding('sig1.0@example.org').id, holding('sig2.0@example.org').id);
  const zones = new Set(['z1', 'z2', 'z3'].map((z) => holding(`${z}.0@example.org`).id));
  assert.equal(zones.size, 3);
});
