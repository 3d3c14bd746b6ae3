import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Topic } from '../lambdas/model.js';
import { cosine, normalizeSubject, tfidfVectors, tokenize } from '../lambdas/topics/text.js';
import { cleanSubject, subsystemOf } from '../lambdas/topics/titles.js';
import { findContinuation, whatIsNew, type KnownTopic, type TopicKeys } from '../lambdas/topics/followup.js';
import { isMaintainer, isSenior, parseMaintainersFile, rankOf } from '../lambdas/topics/maintainers.js';

/**
 * Fast unit tests of lambdas/topics (milliseconds, no mbox read: the other topics tests rank the whole
 * sample week, 10-25 s a file, too slow for a mutation run). Subjects are the sample week's own;
 * expectations are written by hand from what a reader of the list calls "the same subject", "the same
 * story" and "a maintainer".
 */

test('subjects: reply markers, tags, "(was: ...)" and version notes go; what the thread is about stays', () => {
  const cases: Array<[string, string]> = [
    ['Re: [PATCH V5 8/8] mm/slab: place slabobj_ext metadata in unused', 'mm/slab: place slabobj_ext metadata in unused'],
    ['Re: Re: [RFC PATCH 0/1] lsm: Add hook unix_path_connect', 'lsm: Add hook unix_path_connect'],
    ['Fwd: [PATCH] [syzbot ci] blk-mq: avoid stall during boot', 'blk-mq: avoid stall during boot'],
    ['AW: Re[2]: linux-next: build failure after merge of the tip tree', 'linux-next: build failure after merge of the tip tree'],
    ['Re: crypto: Add RSASSA-PSS support (was: pkcs7, x509: Add ML-DSA support)', 'crypto: Add RSASSA-PSS support'],
    ['[PATCH] ublk: implement integrity user copy, v3', 'ublk: implement integrity user copy'],
    ['ublk:   implement  integrity (v2)', 'ublk: implement integrity'],
  ];
  for (const [subject, clean] of cases) {
    assert.equal(cleanSubject(subject), clean, subject);
    assert.equal(normalizeSubject(subject), clean.toLowerCase(), subject);
  }
  assert.equal(subsystemOf('mm/slab: place slabobj_ext metadata in unused'), 'mm/slab');
  assert.equal(subsystemOf('vsock/virtio: reorder fields to reduce padding'), 'vsock/virtio');
  assert.equal(subsystemOf('pkcs7, x509: Add ML-DSA support'), 'pkcs7, x509');
  assert.equal(subsystemOf('selftests: ublk: add end-to-end integrity test'), 'selftests');
  assert.equal(subsystemOf('fix the boot stall'), undefined, 'no prefix');
  assert.equal(subsystemOf('Re: fix it'), undefined, 'a reply marker is no subsystem');
  assert.equal(subsystemOf('a very long phrase of many words: here'), undefined, 'more than three words is prose, not a subsystem');
  assert.equal(subsystemOf('xfs:no space'), undefined, 'a prefix is followed by a space');
});

test('tokens and similarity: stop words and mail chatter go, identifiers stay whole, words are stemmed; cosine of TF-IDF vectors', () => {
  assert.deepEqual(tokenize('Thanks, the patch looks good: kmem_cache allocations are failing'), ['kmem_cache', 'alloc', 'fail']);
  assert.deepEqual(tokenize('io_uring IO_URING x 42'), ['io_uring', 'io_uring'], 'lower-cased; words of one or two letters and numbers do not count');
  const docs = [tokenize('slab metadata placed in unused space'), tokenize('slab metadata placed in unused space'), tokenize('ublk integrity user copy'), tokenize('slab integrity')];
  const [a, same, other, mixed] = tfidfVectors(docs);
  assert.ok(Math.abs(cosine(a, same) - 1) < 1e-9, 'a document and its copy point the same way');
  assert.equal(cosine(a, other), 0, 'no word in common');
  assert.ok(cosine(a, mixed) > 0 && cosine(a, mixed) < 1);
  assert.equal(cosine(mixed, a), cosine(a, mixed), 'symmetric');
  let norm = 0;
  for (const w of other.values()) norm += w * w;
  assert.ok(Math.abs(norm - 1) < 1e-9, 'unit length');
  const [only] = tfidfVectors([tokenize('slab slab metadata')]);
  assert.ok([...only.values()].every((w) => w > 0), 'a term in every document still weighs something (smoothed idf)');
});

const earlier = (changes: Partial<KnownTopic> = {}): KnownTopic => ({
  week: '2026-W01', id: 'w01-slab', title: '[PATCH V4 0/8] mm/slab: place slabobj_ext metadata in unused space', rank: 3,
  messageIds: ['v4-cover@x'], seriesKeys: ['series-slab'], participantEmails: ['harry@example.org', 'vbabka@example.org', 'surenb@example.org'], version: 4, ...changes,
});
const keys = (changes: Partial<TopicKeys> = {}): TopicKeys => ({
  messageIds: ['v5-cover@x'], referencedIds: [], seriesKeys: [], title: 'mm/slab: place slabobj_ext metadata in unused space',
  participantEmails: ['harry@example.org', 'vbabka@example.org'], ...changes,
});

test('follow-ups: the same series, the same thread, or the same subject among mostly the same people; the latest week wins', () => {
  assert.equal(findContinuation(keys({ seriesKeys: ['series-slab'] }), [earlier()])?.how, 'same series');
  assert.equal(findContinuation(keys({ referencedIds: ['v4-cover@x'], title: 'something else entirely' }), [earlier({ seriesKeys: [] })])?.how, 'same thread');
  assert.equal(findContinuation(keys({ messageIds: ['v4-cover@x'], title: 'something else entirely' }), [earlier({ seriesKeys: [] })])?.how, 'same thread');
  assert.equal(findContinuation(keys(), [earlier({ seriesKeys: [], messageIds: [] })])?.how, 'same subject and people');
  assert.equal(findContinuation(keys({ participantEmails: ['someone@example.org', 'else@example.org'] }), [earlier({ seriesKeys: [], messageIds: [] })]), undefined, 'the same subject among other people is another story');
  assert.equal(findContinuation(keys({ title: 'ublk: implement integrity user copy' }), [earlier({ seriesKeys: [], messageIds: [] })]), undefined, 'the same people on another subject');
  assert.equal(findContinuation(keys({ title: '', participantEmails: [] }), [earlier({ title: '', participantEmails: [], seriesKeys: [], messageIds: [] })]), undefined, 'nothing in common is not sameness');
  assert.equal(findContinuation(keys(), []), undefined);
  const older = earlier({ week: '2025-W52', id: 'w52-slab' });
  const top = earlier({ id: 'w01-top', rank: 1 });
  assert.equal(findContinuation(keys({ seriesKeys: ['series-slab'] }), [older, earlier(), top])?.of.id, 'w01-top', 'the latest week, then its best rank');
});

test('what is new since last week: a later version, two or more new people, a decision', () => {
  const topic = (emails: string[], decisions: unknown = []) => ({ participants: emails.map((email) => ({ name: email, email })), features: { decisions } }) as unknown as Topic;
  const known = ['harry@example.org', 'vbabka@example.org'];
  assert.deepEqual(whatIsNew(topic(known), 4, earlier()), [], 'same version, same people');
  assert.deepEqual(whatIsNew(topic(known), 5, earlier()), ['v5 posted']);
  assert.deepEqual(whatIsNew(topic(known), 5, earlier({ version: 0 })), [], 'no version then: nothing to compare');
  assert.deepEqual(whatIsNew(topic([...known, 'a@example.org']), 4, earlier()), [], 'one new voice is not news');
  assert.deepEqual(whatIsNew(topic([...known, 'a@example.org', 'b@example.org']), 4, earlier()), ['2 new participants']);
  assert.deepEqual(whatIsNew(topic(known, ['applied', 'nacked']), 4, earlier()), ['decision: applied, nacked']);
  assert.deepEqual(whatIsNew(topic(known, 'applied'), 4, earlier()), [], 'decisions are a list');
});

test('maintainers: M: lines of a MAINTAINERS file, by address or by name; mainline and tree owners by who they are', () => {
  const file = 'SLAB ALLOCATOR\nM:\tVlastimil Babka <VBABKA@suse.cz>\nR:\tHarry Yoo <harry@example.org>\nL:\tlinux-mm@kvack.org\nM:\t<solo@example.org>\nM:\tBroken <not-an-address>\nS:\tMaintained\r\nM:  Jens  Axboe <axboe@kernel.dk>  \r\n';
  const m = parseMaintainersFile(file);
  assert.deepEqual([...m.emails].sort(), ['axboe@kernel.dk', 'solo@example.org', 'vbabka@suse.cz']);
  assert.ok(m.names.has('vlastimil babka'));
  assert.equal(isMaintainer(m, { name: 'Harry Yoo', email: 'harry@example.org' }), false, 'a reviewer (R:) is not a maintainer');
  assert.equal(isMaintainer(m, { name: 'Vlastimil Babka', email: 'vbabka@kernel.org' }), true, 'by name from another address');
  assert.equal(isMaintainer(m, { name: 'solo', email: 'solo@example.org' }), true);
  assert.throws(() => parseMaintainersFile('R:\tHarry Yoo <harry@example.org>\n'), /no "M: Name <address>" lines/);
  assert.throws(() => parseMaintainersFile('x'.repeat(16 * 1024 * 1024 + 1)), /larger than/);
  assert.equal(isSenior({ ...m, reach: new Map([['harry yoo', 5]]) }, { name: 'Harry Yoo', email: 'harry@example.org' }), true, 'answered five people\'s work');
  assert.equal(isSenior({ ...m, reach: new Map([['harry yoo', 4]]) }, { name: 'Harry Yoo', email: 'harry@example.org' }), false);
  assert.equal(rankOf(m, { name: 'Linus Torvalds', email: 'torvalds@linux-foundation.org' }), 'mainline');
  assert.equal(rankOf(m, { name: 'Andrew Morton', email: 'akpm@linux-foundation.org' }), 'mainline');
  assert.equal(rankOf(m, { name: 'Greg KH', email: 'gregkh@linuxfoundation.org' }), 'mainline', 'by address');
  assert.equal(rankOf(m, { name: '"Jens Axboe"', email: 'axboe@kernel.dk' }), 'tree owner');
  assert.equal(rankOf(m, { name: 'Borislav Petkov (AMD)', email: 'bp@alien8.de' }), 'tree owner', 'a note in brackets after the name');
  assert.equal(rankOf(m, { name: 'Vlastimil Babka', email: 'vbabka@suse.cz' }), 'tree owner');
  assert.equal(rankOf(m, { name: 'solo', email: 'solo@example.org' }), 'maintainer');
  assert.equal(rankOf(m, { name: 'Harry Yoo', email: 'harry@example.org' }), 'none');
});
