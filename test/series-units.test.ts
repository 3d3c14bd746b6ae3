import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ParsedMessage, Person, Thread } from '../lambdas/model.js';
import type { MessageHeaders } from '../lambdas/parse/message.js';
import type { Item, Storage, Table } from '../lambdas/storage/index.js';
import { normaliseTitle, parseSubjectTags } from '../lambdas/series/subject.js';
import { linkSeries } from '../lambdas/series/link.js';
import { storeSeries, withEarlierVersions } from '../lambdas/series/store.js';

/**
 * Fast unit tests of lambdas/series (no emulators, no archive read): subjects, ids, senders and
 * trailers copied by hand from messages of the bundled sample (sample/2026-W02-sample.mbox.gz), and
 * properties stated from outside the code (one change-id is one series, two are two).
 */

// Subjects as the sample's postings carry them (header unfolded), with what a reader sees in them.
test('subject tags of real postings: kind, version, part of total, title', () => {
  const cases: [string, { kind: string; version: number; part?: number; total?: number; resend: boolean; title: string; extra: string[] }][] = [
    ['[PATCH v2 00/15] fix DMA aligment issues around virtio', { kind: 'PATCH', version: 2, part: 0, total: 15, resend: false, title: 'fix DMA aligment issues around virtio', extra: [] }],
    ['[PATCH v11 3/8] pkcs7, x509: Add ML-DSA support', { kind: 'PATCH', version: 11, part: 3, total: 8, resend: false, title: 'pkcs7, x509: Add ML-DSA support', extra: [] }],
    ['[PATCH 01/12] btrfs: remove duplicate calculation of eb offset in btrfs_bin_search()', { kind: 'PATCH', version: 1, part: 1, total: 12, resend: false, title: 'btrfs: remove duplicate calculation of eb offset in btrfs_bin_search()', extra: [] }],
    ['[PATCH V5 0/8] mm/slab: reduce slab accounting memory overhead', { kind: 'PATCH', version: 5, part: 0, total: 8, resend: false, title: 'mm/slab: reduce slab accounting memory overhead', extra: [] }],
    ['[PATCHSET RFC v2 0/3] Per-task io_uring opcode restrictions', { kind: 'RFC', version: 2, part: 0, total: 3, resend: false, title: 'Per-task io_uring opcode restrictions', extra: [] }],
    ['[PATCH RFC 14/13] gpio: virtio: fix DMA alignment', { kind: 'RFC PATCH', version: 1, part: 14, total: 13, resend: false, title: 'gpio: virtio: fix DMA alignment', extra: [] }],
    // Shapes of other weeks on lore: a tree tag, a resend, a pull request, an announcement, a lone patch.
    ['[PATCH net-next v3 02/11] net: add foo', { kind: 'PATCH', version: 3, part: 2, total: 11, resend: false, title: 'net: add foo', extra: ['net-next'] }],
    ['[RESEND PATCH v2] mm: fix bar', { kind: 'PATCH', version: 2, part: undefined, total: undefined, resend: true, title: 'mm: fix bar', extra: [] }],
    ['[GIT PULL] io_uring fixes for 6.19-rc5', { kind: 'GIT PULL', version: 1, part: undefined, total: undefined, resend: false, title: 'io_uring fixes for 6.19-rc5', extra: [] }],
    ['[PULL] drm-misc-fixes', { kind: 'GIT PULL', version: 1, part: undefined, total: undefined, resend: false, title: 'drm-misc-fixes', extra: [] }],
    ['[ANNOUNCE] v6.19-rc4-rt1', { kind: 'ANNOUNCE', version: 1, part: undefined, total: undefined, resend: false, title: 'v6.19-rc4-rt1', extra: [] }],
    ['[ANN] pahole 1.31', { kind: 'ANNOUNCE', version: 1, part: undefined, total: undefined, resend: false, title: 'pahole 1.31', extra: [] }],
    ['[RFC] a new syscall for x', { kind: 'RFC', version: 1, part: undefined, total: undefined, resend: false, title: 'a new syscall for x', extra: [] }],
    ['  [PATCH 6.1 12/50] ext4: fix baz', { kind: 'PATCH', version: 1, part: 12, total: 50, resend: false, title: 'ext4: fix baz', extra: ['6.1'] }],
    ['[PATCH v2,3/4] comma-separated tags', { kind: 'PATCH', version: 2, part: 3, total: 4, resend: false, title: 'comma-separated tags', extra: [] }],
  ];
  for (const [subject, expected] of cases) assert.deepEqual({ ...parseSubjectTags(subject) }, expected, subject);
});

test('report kinds named by one word in the brackets', () => {
  assert.equal(parseSubjectTags('[REGRESSION] 6.19-rc1: boot hang')?.kind, 'REGRESSION');
  assert.equal(parseSubjectTags('[BUG] kernel BUG at mm/slub.c')?.kind, 'BUG');
  assert.equal(parseSubjectTags('[bug report] lower case')?.kind, 'BUG');
  assert.equal(parseSubjectTags('[QUESTION] why')?.title, 'why');
});

test('prefix shapes: other one-word kinds, PATCHSET, spacing inside and after the brackets, stray commas', () => {
  for (const kind of ['TOPIC', 'DISCUSSION', 'REPORT', 'SECURITY', 'QUESTION']) assert.equal(parseSubjectTags(`[${kind}] x`)?.kind, kind);
  assert.equal(parseSubjectTags('[PATCHSET 0/3] x')?.kind, 'PATCH');
  assert.equal(parseSubjectTags('[ PULL ] x')?.kind, 'GIT PULL', 'spaces inside the brackets');
  assert.equal(parseSubjectTags('[PATCH]x: y')?.title, 'x: y', 'no space after the brackets');
  assert.equal(parseSubjectTags('[PATCH]   x: y')?.title, 'x: y');
  assert.deepEqual(parseSubjectTags('[PATCH v2,] x')?.extra, [], 'a trailing comma is no word');
  assert.deepEqual(parseSubjectTags('[PATCH RFCv2 livepatch] x')?.extra, ['RFCv2', 'livepatch'], 'words that only start or end like a tag word are extras');
});

test('subjects that are not postings have no tags', () => {
  for (const subject of [
    'Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries', // a reply: the prefix is not first
    'kernel BUG in ext4_write_begin', // no brackets
    '[linux-next] build failure', // a bracket that names nothing we know
    '[v2] foo', // a version alone is not a kind
    '[] empty',
    '[PATCHES] not the word PATCH', // PATCHES is not PATCH or PATCHSET
  ]) assert.equal(parseSubjectTags(subject), undefined, subject);
});

test('version and part words: only v/V followed by digits, only digits/digits', () => {
  assert.equal(parseSubjectTags('[PATCH vfs 1/2] x')?.version, 1, '"vfs" is a tree, not a version');
  assert.deepEqual(parseSubjectTags('[PATCH vfs 1/2] x')?.extra, ['vfs']);
  assert.equal(parseSubjectTags('[PATCH v 1/2] x')?.version, 1, 'a bare "v" is no version');
  assert.equal(parseSubjectTags('[PATCH v2a] x')?.version, 1, '"v2a" is not all digits');
  assert.deepEqual(parseSubjectTags('[PATCH v2a] x')?.extra, ['v2a']);
  const odd = parseSubjectTags('[PATCH 1/ /2 a/2 1/b 3/4x] x')!;
  assert.equal(odd.part, undefined, 'none of these is M/N');
  assert.deepEqual(odd.extra, ['1/', '/2', 'a/2', '1/b', '3/4x']);
  assert.equal(parseSubjectTags('[PATCH 3/4] x')?.total, 4);
  assert.equal(parseSubjectTags('[rfc patch] lower case')?.kind, 'RFC PATCH');
  assert.equal(parseSubjectTags('[patch v3] lower case')?.version, 3);
  assert.equal(parseSubjectTags('[Patch] mixed')?.kind, 'PATCH');
  assert.equal(parseSubjectTags('[PULLS] not a pull'), undefined);
});

test('tag words inside the brackets are not extras; the title is trimmed', () => {
  const t = parseSubjectTags('[RFC PATCH RESEND GIT PULL ANNOUNCE ANN PATCHSET RFT v2 1/2]   the title  ')!;
  assert.deepEqual(t.extra, []);
  assert.equal(t.title, 'the title');
  assert.equal(t.kind, 'GIT PULL', 'a pull request wins over every other word');
  assert.equal(t.resend, true);
  assert.equal(parseSubjectTags('[RFC PATCH ANNOUNCE] x')?.kind, 'ANNOUNCE', 'an announcement wins over RFC and PATCH');
  assert.equal(parseSubjectTags('[RFT PATCH] x')?.kind, 'PATCH');
  assert.equal(parseSubjectTags('[RFT] x')?.kind, 'RFT');
  assert.deepEqual(parseSubjectTags('[PATCH RFT] x')?.extra, []);
});

test('titles normalised for matching across versions', () => {
  assert.equal(normaliseTitle('Per-task io_uring opcode restrictions'), 'per-task io_uring opcode restrictions');
  assert.equal(normaliseTitle('  Fix  DMA\talignment...  '), 'fix dma alignment');
  assert.equal(normaliseTitle('struct filename series.'), 'struct filename series');
  assert.equal(normaliseTitle('a.b'), 'a.b', 'only trailing dots go');
});

// ---- linkSeries over hand-built headers, ids and senders as in the sample ----

const jens: Person = { name: 'Jens Axboe', email: 'axboe@kernel.dk' };
const krzk: Person = { name: 'Krzysztof Kozlowski', email: 'krzysztof.kozlowski@oss.qualcomm.com' };
const jic: Person = { name: 'Jonathan Cameron', email: 'jonathan.cameron@huawei.com' };
const ferre: Person = { name: 'Nicolas Ferre', email: 'nicolas.ferre@microchip.com' };

function headers(id: string, subject: string, from: Person, extra: { date?: string; inReplyTo?: string; references?: string[]; changeId?: string; trailers?: MessageHeaders['reviewTrailers'] } = {}): MessageHeaders {
  const message: ParsedMessage = {
    messageId: id, subject, from, date: extra.date, inReplyTo: extra.inReplyTo, references: extra.references ?? [],
    to: [], cc: [], lists: [], url: `https://lore.kernel.org/r/${id}`,
  };
  return { message, changeId: extra.changeId, reviewTrailers: extra.trailers ?? [], missingMessageId: false, deliveryLists: [], autoHeaders: [], bodyOffset: 0 };
}

/** One thread per root: every message listed with the thread its root starts (written by hand). */
function threadsOf(groups: Record<string, string[]>): Thread[] {
  return Object.entries(groups).map(([root, ids]) => ({ id: root, rootMessageId: root, subject: '', messageIds: [root, ...ids] }));
}

test('the io_uring restrictions RFC: v1 and v2 (no change-id) are one series by author and title', () => {
  // Jens Axboe's two postings of the week, each a cover letter and patches in its own thread.
  const v1 = '20260108202944.288490-1-axboe@kernel.dk';
  const v2 = '20260109185155.88150-1-axboe@kernel.dk';
  const hs = [
    headers(v2, '[PATCHSET RFC v2 0/3] Per-task io_uring opcode restrictions', jens, { date: '2026-01-09T18:48:24.000Z' }),
    headers(v1, '[PATCHSET RFC 0/2] Per-task io_uring opcode restrictions', jens, { date: '2026-01-08T20:17:23.000Z' }),
    headers('87pl7j4v8h.fsf@mailhost.krisman.be', 'Re: [PATCHSET RFC 0/2] Per-task io_uring opcode restrictions', { name: 'Gabriel Krisman Bertazi', email: 'krisman@suse.de' }, { inReplyTo: v1, references: [v1] }),
  ];
  const series = linkSeries(hs, threadsOf({ [v1]: ['87pl7j4v8h.fsf@mailhost.krisman.be'], [v2]: [] }));
  assert.equal(series.length, 1, 'a reply is no posting, and both versions are one series');
  const [s] = series;
  assert.equal(s.kind, 'RFC');
  assert.equal(s.changeId, undefined);
  assert.match(s.id, /^t:[0-9a-f]{16}$/);
  assert.deepEqual(s.author, jens);
  assert.deepEqual(s.versions.map((v) => [v.version, v.coverMessageId, v.messageIds]), [[1, v1, [v1]], [2, v2, [v2]]], 'versions in order, each with its cover letter');
});

test('the of/treewide series: cover and 11 patches with a b4 change-id; reviews credited to the version, only the replier\'s own', () => {
  const changeId = '20260105-of-for-each-compatible-scoped-285b3dbda253';
  const id = (n: number) => `20260105-of-for-each-compatible-scoped-v1-${n}-24e99c177164@oss.qualcomm.com`;
  const cover = id(0);
  const hs = [
    headers(cover, '[PATCH 00/11] of/treewide: Simplify with for_each_compatible_node_scoped()', krzk, { date: '2026-01-05T13:33:38.000Z', changeId }),
    // The patches are listed out of order, with equal dates: the version lists them by part.
    ...[3, 1, 2, 11, 10, 4, 5, 6, 7, 8, 9].map((n) => headers(id(n), `[PATCH ${String(n).padStart(2, '0')}/11] part ${n}`, krzk, { date: '2026-01-05T13:33:39.000Z', inReplyTo: cover, references: [cover] })),
    // Jonathan Cameron reviews patch 2 (his own trailer) and patch 3; Nicolas Ferre acks patch 2.
    headers('20260106100429.00001852@huawei.com', 'Re: [PATCH 02/11] ARM: at91: Simplify with scoped for each OF child loop', jic, { inReplyTo: id(2), references: [cover, id(2)], trailers: [{ kind: 'reviewed-by', email: jic.email }] }),
    headers('20260106101107.0000398f@huawei.com', 'Re: [PATCH 03/11] ARM: exynos: Simplify with scoped for each OF child loop', jic, { inReplyTo: id(3), references: [cover, id(3)], trailers: [{ kind: 'reviewed-by', email: jic.email }] }),
    headers('49ebaa9d-cad9-42cd-8bb9-5210fe18eeb5@microchip.com', 'Re: [PATCH 02/11] ARM: at91: Simplify with scoped for each OF child loop', ferre, { inReplyTo: id(2), references: [cover, id(2)], trailers: [{ kind: 'acked-by', email: ferre.email }, { kind: 'tested-by', email: 'someone.else@example.org' }] }),
    // A reply found through References only (no In-Reply-To), with a test and a nack.
    headers('ref-only@example.org', 'Re: [PATCH 05/11] x', { name: 'T', email: 't@example.org' }, { references: [cover, id(5), 'unknown@example.org'], trailers: [{ kind: 'tested-by', email: 't@example.org' }, { kind: 'nacked-by', email: 't@example.org' }] }),
    // A reply to nothing of the series counts for nothing.
    headers('stray@example.org', 'Re: something else', { name: 'S', email: 's@example.org' }, { inReplyTo: 'elsewhere@example.org', references: ['elsewhere@example.org'], trailers: [{ kind: 'acked-by', email: 's@example.org' }] }),
  ];
  const threads = threadsOf({ [cover]: [...Array.from({ length: 11 }, (_, k) => id(k + 1)), '20260106100429.00001852@huawei.com', '20260106101107.0000398f@huawei.com', '49ebaa9d-cad9-42cd-8bb9-5210fe18eeb5@microchip.com', 'ref-only@example.org'] });
  const series = linkSeries(hs, threads);
  assert.equal(series.length, 1);
  const [s] = series;
  assert.equal(s.id, `b4:${changeId}`);
  assert.equal(s.changeId, changeId);
  assert.equal(s.title, 'of/treewide: Simplify with for_each_compatible_node_scoped()');
  assert.equal(s.kind, 'PATCH');
  assert.equal(s.versions.length, 1);
  const [v] = s.versions;
  assert.equal(v.version, 1);
  assert.equal(v.coverMessageId, cover);
  assert.deepEqual(v.messageIds, Array.from({ length: 12 }, (_, k) => id(k)), 'cover letter then patches 1..11');
  assert.deepEqual(v.reviewedBy, [jic.email], 'one reviewer, however many patches he reviewed');
  assert.deepEqual(v.ackedBy, [ferre.email]);
  assert.deepEqual(v.testedBy, ['t@example.org'], 'a trailer naming someone else is not counted');
  assert.deepEqual(v.nakedBy, ['t@example.org']);
});

test('change-ids: v1..v4 of one change-id link whatever their titles; another change-id is another series', () => {
  const author: Person = { name: 'Jeff Layton', email: 'jlayton@kernel.org' };
  const hs = [
    headers('a-v3@k', '[PATCH v3 0/2] vfs: setlease for everyone', author, { changeId: '20260107-setlease-6-20-299eb5695c5a', date: '2026-01-09T00:00:00.000Z' }),
    headers('a-v1@k', '[PATCH 0/2] fs: add setlease', author, { changeId: '20260107-setlease-6-20-299eb5695c5a', date: '2026-01-07T00:00:00.000Z' }),
    headers('a-v2@k', '[PATCH v2] renamed entirely', author, { changeId: '20260107-setlease-6-20-299eb5695c5a' }),
    headers('a-v4@k', '[PATCH v4 0/2] vfs: setlease for everyone', author, { changeId: '20260107-setlease-6-20-299eb5695c5a' }),
    // The same author and title under another change-id: a different series.
    headers('b-v1@k', '[PATCH 0/2] fs: add setlease', author, { changeId: '20260110-other-111111111111' }),
  ];
  const series = linkSeries(hs, threadsOf({ 'a-v1@k': [], 'a-v2@k': [], 'a-v3@k': [], 'a-v4@k': [], 'b-v1@k': [] }));
  assert.equal(series.length, 2);
  const a = series.find((s) => s.changeId === '20260107-setlease-6-20-299eb5695c5a')!;
  const b = series.find((s) => s.changeId === '20260110-other-111111111111')!;
  assert.deepEqual(a.versions.map((v) => v.version), [1, 2, 3, 4]);
  assert.deepEqual(a.versions.map((v) => v.messageIds), [['a-v1@k'], ['a-v2@k'], ['a-v3@k'], ['a-v4@k']]);
  assert.equal(a.versions[1].coverMessageId, undefined, 'a lone patch has no cover letter');
  assert.deepEqual(b.versions.map((v) => v.messageIds), [['b-v1@k']]);
  assert.notEqual(a.id, b.id);
});

test('without change-ids: same author and title (case, spacing, trailing dot aside) link; another author or title does not', () => {
  const viro: Person = { name: 'Al Viro', email: 'viro@zeniv.linux.org.uk' };
  const hs = [
    headers('v4@z', '[PATCH v4 00/59] struct filename series', viro),
    headers('v3@z', '[PATCH v3 00/59] Struct  Filename series.', viro),
    headers('other-author@z', '[PATCH v2 00/59] struct filename series', { name: 'Someone', email: 'someone@example.org' }),
    headers('other-title@z', '[PATCH v5 00/59] struct filename cleanups', viro),
  ];
  const series = linkSeries(hs, threadsOf({ 'v4@z': [], 'v3@z': [], 'other-author@z': [], 'other-title@z': [] }));
  assert.equal(series.length, 3);
  const main = series.find((s) => s.versions.length === 2)!;
  assert.deepEqual(main.versions.map((v) => [v.version, v.messageIds[0]]), [[3, 'v3@z'], [4, 'v4@z']]);
  assert.equal(new Set(series.map((s) => s.id)).size, 3);
  // Stable across weeks: the id depends on author and normalised title only.
  const again = linkSeries([headers('x@z', '[PATCH v9 00/59] STRUCT FILENAME SERIES', viro)], threadsOf({ 'x@z': [] }));
  assert.equal(again[0].id, main.id);
});

test('reviews: a posting\'s own trailers are no review; a reply found by its only reference or through a chain that passes an older version', () => {
  const a: Person = { name: 'A', email: 'a@example.org' };
  const b: Person = { name: 'B', email: 'b@example.org' };
  const hs = [
    headers('v1@x', '[PATCH 0/2] mm: thing', a, { date: '2026-01-05T00:00:00.000Z' }),
    // v2 sent In-Reply-To v1's cover (git send-email --in-reply-to), carrying A's own Acked-by.
    headers('v2@x', '[PATCH v2 0/2] mm: thing', a, { date: '2026-01-07T00:00:00.000Z', inReplyTo: 'v1@x', references: ['v1@x'], trailers: [{ kind: 'acked-by', email: a.email }] }),
    headers('v2p1@x', '[PATCH v2 1/2] mm: part', a, { inReplyTo: 'v2@x', references: ['v1@x', 'v2@x'] }),
    // B reviews v2's patch 1; the message names no In-Reply-To, only References.
    headers('rb@x', 'Re: [PATCH v2 1/2] mm: part', b, { references: ['v1@x', 'v2@x', 'v2p1@x'], trailers: [{ kind: 'reviewed-by', email: b.email }] }),
    // C tests v1, with References naming only the cover.
    headers('tc@x', 'Re: [PATCH 0/2] mm: thing', { name: 'C', email: 'c@example.org' }, { references: ['v1@x'], trailers: [{ kind: 'tested-by', email: 'c@example.org' }] }),
    // A discussion that is neither a posting nor a reply.
    headers('talk@x', 'mm: should we do the thing at all?', b),
  ];
  const series = linkSeries(hs, threadsOf({ 'v1@x': ['v2@x', 'v2p1@x', 'rb@x', 'tc@x'], 'talk@x': [] }));
  assert.equal(series.length, 1, 'the discussion is no series');
  const [v1, v2] = series[0].versions;
  assert.deepEqual([v1.version, v1.reviewedBy, v1.ackedBy, v1.testedBy, v1.nakedBy], [1, [], [], ['c@example.org'], []]);
  assert.deepEqual([v2.version, v2.reviewedBy, v2.ackedBy, v2.testedBy, v2.nakedBy], [2, ['b@example.org'], [], [], []]);
  assert.deepEqual(v2.messageIds, ['v2@x', 'v2p1@x']);
});

test('postings of one version with one part: by date, a posting without a date first', () => {
  const a: Person = { name: 'A', email: 'a@example.org' };
  const hs = [
    headers('late@x', '[PATCH v2] x', a, { date: '2026-01-09T10:00:00.000Z' }),
    headers('undated@x', '[RESEND PATCH v2] x', a),
    headers('mid@x', '[RESEND PATCH v2] x', a, { date: '2026-01-08T10:00:00.000Z' }),
    headers('early@x', '[RESEND PATCH v2] x', a, { date: '2026-01-07T10:00:00.000Z' }),
  ];
  const series = linkSeries(hs, threadsOf({ 'late@x': ['undated@x', 'mid@x', 'early@x'] }));
  assert.deepEqual(series[0].versions[0].messageIds, ['undated@x', 'early@x', 'mid@x', 'late@x']);
});

test('a RESEND of a version is the same version, with every message and every reviewer', () => {
  const author: Person = { name: 'Caleb Sander Mateos', email: 'csander@purestorage.com' };
  const r = (email: string): MessageHeaders['reviewTrailers'] => [{ kind: 'reviewed-by', email }];
  const hs = [
    headers('p1@x', '[PATCH v2] block: zero non-PI portion of auto integrity buffer', author, { date: '2026-01-08T17:22:12.000Z' }),
    headers('p2@x', '[RESEND PATCH v2] block: zero non-PI portion of auto integrity buffer', author, { date: '2026-01-09T17:22:12.000Z' }),
    headers('c1@x', '[PATCH v2 0/1] block: zero non-PI portion of auto integrity buffer', author),
    headers('re1@x', 'Re: [PATCH v2] block', { name: 'K', email: 'kbusch@kernel.org' }, { inReplyTo: 'p1@x', trailers: r('kbusch@kernel.org') }),
    headers('re2@x', 'Re: [RESEND PATCH v2] block', { name: 'M', email: 'hch@lst.de' }, { inReplyTo: 'p2@x', trailers: [...r('hch@lst.de'), { kind: 'acked-by', email: 'hch@lst.de' }] }),
    headers('re3@x', 'Re: [RESEND PATCH v2] block', { name: 'K', email: 'kbusch@kernel.org' }, { inReplyTo: 'p2@x', trailers: r('kbusch@kernel.org') }),
  ];
  const series = linkSeries(hs, threadsOf({ 'p1@x': ['re1@x'], 'p2@x': ['re2@x', 're3@x'], 'c1@x': [] }));
  assert.equal(series.length, 1);
  assert.equal(series[0].versions.length, 1);
  const [v] = series[0].versions;
  assert.deepEqual(new Set(v.messageIds), new Set(['p1@x', 'p2@x', 'c1@x']));
  assert.equal(v.coverMessageId, 'c1@x', 'the cover letter of a later posting is kept');
  assert.deepEqual(new Set(v.reviewedBy), new Set(['kbusch@kernel.org', 'hch@lst.de']));
  assert.equal(v.reviewedBy.length, 2, 'no reviewer twice');
  assert.deepEqual(v.ackedBy, ['hch@lst.de']);
});

test('a version is one author in one thread: the same title in two threads by one author is one series, patches of two authors in one thread are two', () => {
  const hs = [
    headers('t1@x', '[PATCH 1/2] mm: a', { name: 'A', email: 'a@example.org' }),
    headers('t1-2@x', '[PATCH 2/2] mm: b', { name: 'A', email: 'a@example.org' }, { inReplyTo: 't1@x' }),
    headers('t1-3@x', '[PATCH 3/2] mm: c', { name: 'B', email: 'b@example.org' }, { inReplyTo: 't1@x' }),
  ];
  const series = linkSeries(hs, threadsOf({ 't1@x': ['t1-2@x', 't1-3@x'] }));
  assert.equal(series.length, 2);
  const a = series.find((s) => s.author.email === 'a@example.org')!;
  assert.deepEqual(a.versions[0].messageIds, ['t1@x', 't1-2@x']);
  assert.equal(a.title, 'mm: a', 'without a cover letter, the first patch names the series');
  assert.equal(a.versions[0].coverMessageId, undefined);
  // A posting in no thread (threads incomplete) is its own thread.
  const alone = linkSeries([headers('lone@x', '[PATCH] x: y', { name: 'A', email: 'a@example.org' })], []);
  assert.deepEqual(alone.map((s) => s.versions[0].messageIds), [['lone@x']]);
});

test('postings of one version sorted by part, then by date', () => {
  const a: Person = { name: 'A', email: 'a@example.org' };
  const hs = [
    headers('late@x', '[PATCH v2] x', a, { date: '2026-01-09T10:00:00.000Z' }),
    headers('early@x', '[RESEND PATCH v2] x', a, { date: '2026-01-07T10:00:00.000Z' }),
    headers('p2@x', '[PATCH v3 2/2] y', a, { date: '2026-01-01T10:00:00.000Z' }),
    headers('p1@x', '[PATCH v3 1/2] y', a, { date: '2026-01-02T10:00:00.000Z' }),
  ];
  const series = linkSeries(hs, threadsOf({ 'late@x': ['early@x'], 'p2@x': ['p1@x'] }));
  const x = series.find((s) => s.title === 'x')!;
  assert.deepEqual(x.versions[0].messageIds, ['early@x', 'late@x']);
  const y = series.find((s) => s.title === 'y')!;
  assert.deepEqual(y.versions[0].messageIds, ['p1@x', 'p2@x']);
});

// ---- store.ts over a table kept in memory (the Table port; dynalite is tested elsewhere) ----

function memoryStorage(): Storage & { items: Item[] } {
  const items: Item[] = [];
  const table: Table = {
    async get() { return undefined; },
    async put() { return true; },
    async batchGet() { return []; },
    async batchPut(batch) { items.push(...batch); },
    async *query(pk, prefix = '') {
      for (const i of [...items].sort((x, y) => (x.sk < y.sk ? -1 : 1))) if (i.pk === pk && i.sk.startsWith(prefix)) yield i;
    },
    async delete() {},
  };
  return { items, table, raw: undefined as never, site: undefined as never };
}

test('series versions stored per week and read back as earlier versions of a later week', async () => {
  const storage = memoryStorage();
  const author: Person = { name: 'A', email: 'a@example.org' };
  const week1 = linkSeries([headers('v1@x', '[PATCH 0/1] thing', author, { changeId: 'cid' }), headers('r@x', 'Re: [PATCH 0/1] thing', { name: 'R', email: 'r@example.org' }, { inReplyTo: 'v1@x', trailers: [{ kind: 'reviewed-by', email: 'r@example.org' }] })], threadsOf({ 'v1@x': ['r@x'] }));
  await storeSeries(storage, week1, '2026-W01');
  assert.deepEqual(storage.items.map((i) => [i.pk, i.sk, i.type, i.week, i.version, i.title, i.author, i.kind, i.changeId, i.coverMessageId, i.messageIds, i.reviewedBy, i.ackedBy, i.testedBy, i.nakedBy]),
    [['SERIES#b4:cid', 'VERSION#0001', 'series-version', '2026-W01', 1, 'thing', author, 'PATCH', 'cid', 'v1@x', ['v1@x'], ['r@example.org'], [], [], []]]);
  // Other items of the series' partition are not versions.
  storage.items.push({ pk: 'SERIES#b4:cid', sk: 'NOTE#1', week: '2025-W40', version: 9 });
  // A version stored by an earlier run of the week being read again is not an earlier version.
  storage.items.push({ pk: 'SERIES#b4:cid', sk: 'VERSION#0003', week: '2026-W02', version: 3 });

  const week2 = linkSeries([headers('v2@x', '[PATCH v2 0/1] thing', author, { changeId: 'cid' })], threadsOf({ 'v2@x': [] }));
  const full = await withEarlierVersions(storage, week2, '2026-W02');
  assert.deepEqual(full[0].versions.map((v) => [v.version, v.week, v.messageIds, v.reviewedBy, v.coverMessageId]), [
    [1, '2026-W01', ['v1@x'], ['r@example.org'], 'v1@x'],
    [2, '2026-W02', ['v2@x'], [], 'v2@x'],
  ]);
  // Storing the later week writes only its own version: the earlier one is stored already.
  storage.items.splice(1);
  await storeSeries(storage, full, '2026-W02');
  assert.deepEqual(storage.items.map((i) => [i.sk, i.week]), [['VERSION#0001', '2026-W01'], ['VERSION#0002', '2026-W02']]);
  // Re-reading the same week does not add its own stored versions twice.
  const again = await withEarlierVersions(storage, week2, '2026-W02');
  assert.deepEqual(again[0].versions.map((v) => v.version), [1, 2]);
  // A version the week has itself is not taken from storage (the week's copy wins).
  const week1Again = await withEarlierVersions(storage, week1, '2026-W03');
  assert.deepEqual(week1Again[0].versions.map((v) => [v.version, v.week]), [[1, '2026-W03'], [2, '2026-W02']]);
});

test('a stored version lists at most 200 message ids, and absent fields read back empty', async () => {
  const storage = memoryStorage();
  const author: Person = { name: 'A', email: 'a@example.org' };
  const ids = Array.from({ length: 250 }, (_, k) => `m${k}@x`);
  const big = linkSeries(ids.map((id, k) => headers(id, `[PATCH ${k + 1}/250] big`, author, { inReplyTo: k ? ids[0] : undefined })), threadsOf({ [ids[0]]: ids.slice(1) }));
  await storeSeries(storage, big, '2026-W01');
  assert.equal((storage.items[0].messageIds as string[]).length, 200);
  storage.items.push({ pk: `SERIES#${big[0].id}`, sk: 'VERSION#0007', week: '2025-W50', version: 7 });
  const read = await withEarlierVersions(storage, [{ ...big[0], versions: [] }], '2026-W02');
  const v7 = read[0].versions.find((v) => v.version === 7)!;
  assert.deepEqual([v7.messageIds, v7.reviewedBy, v7.ackedBy, v7.testedBy, v7.nakedBy, v7.week], [[], [], [], [], [], '2025-W50']);
});
