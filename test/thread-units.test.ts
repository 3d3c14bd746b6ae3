import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ParsedMessage } from '../lambdas/model.js';
import { baseSubject, compareDates, isReplySubject, MAX_REFERENCES, threadMessages, wasSplit } from '../lambdas/thread/jwz.js';
import { analyseMboxFile, analyseWeek } from '../lambdas/thread/analyse.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MboxEntry } from '../lambdas/ingest/mbox-reader.js';
import { ArchiveDamagedError } from '../lambdas/errors.js';
import { weekLoader } from '../lambdas/thread/week-loader.js';
import type { Item, Storage } from '../lambdas/storage/index.js';
import { createHash } from 'node:crypto';

/**
 * Fast unit tests of lambdas/thread (no emulators, no archive file): ids, subjects and References
 * chains copied by hand from the bundled sample's messages, and properties of threading stated from
 * outside (every message in exactly one thread, a reply in its parent's thread, loops end).
 */

function msg(messageId: string, subject: string, extra: { date?: string; inReplyTo?: string; references?: string[]; from?: string } = {}): ParsedMessage {
  return {
    messageId, subject, date: extra.date, inReplyTo: extra.inReplyTo, references: extra.references ?? [],
    from: { name: extra.from ?? 'x', email: `${extra.from ?? 'x'}@example.org` }, to: [], cc: [], lists: [], url: '',
  };
}

/** The thread (by index in the answer) each message id is in; fails on a message in two threads. */
function threadIndex(threads: { messageIds: string[] }[]): Map<string, number> {
  const at = new Map<string, number>();
  threads.forEach((t, k) => t.messageIds.forEach((id) => {
    assert.equal(at.has(id), false, `${id} is in two threads`);
    at.set(id, k);
  }));
  return at;
}

test('subject helpers on the sample\'s subjects', () => {
  assert.equal(baseSubject('Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries'), 'dma-debug: track cache clean flag in entries');
  assert.equal(baseSubject('RE: [PATCH 07/11] clk: imx: imx27: Simplify with scoped for each OF child loop'), 'clk: imx: imx27: simplify with scoped for each of child loop');
  assert.equal(baseSubject('Re: Re: Fwd: [RFC]  Two   spaces'), 'two spaces');
  assert.equal(baseSubject('AW: SV: Antw: Fw: Re[2]: topic'), 'topic');
  assert.equal(baseSubject('Reply to this: not a marker'), 'reply to this: not a marker');
  assert.equal(baseSubject('   '), '');
  assert.equal(isReplySubject('Re: [PATCH v11 3/8] pkcs7, x509: Add ML-DSA support'), true);
  assert.equal(isReplySubject('RE: [PATCH 08/11] clk: imx: imx31'), true);
  assert.equal(isReplySubject('  re[3]: x'), true);
  assert.equal(isReplySubject('AW: x'), true);
  assert.equal(isReplySubject('Fwd: x'), false, 'a forward is no reply');
  assert.equal(isReplySubject('[PATCH v2 0/5] landlock: Pathname-based UNIX connect() control'), false);
  assert.equal(isReplySubject('Regression: x'), false);
});

test('"(was: ...)" subject changes', () => {
  assert.deepEqual(wasSplit('Re: new topic (was: Re: [PATCH] old topic)'), { now: 'new topic', was: 'old topic' });
  assert.deepEqual(wasSplit('New Topic [was: Old]'), { now: 'new topic', was: 'old' });
  assert.deepEqual(wasSplit('new topic (was old topic)'), { now: 'new topic', was: 'old topic' });
  assert.equal(wasSplit('Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries'), undefined);
  assert.equal(wasSplit('it was fine'), undefined, '"was" outside brackets is no split');
  assert.equal(wasSplit('x (was: )'), undefined, 'nothing after "was:"');
});

test('dates compare in time order, ISO timestamps and others alike', () => {
  assert.ok(compareDates('2026-01-05T10:40:36.000Z', '2026-01-05T10:48:02.000Z') < 0);
  assert.ok(compareDates('2026-01-06T00:00:00.000Z', '2026-01-05T23:59:59.000Z') > 0);
  assert.equal(compareDates('2026-01-05T10:40:36.000Z', '2026-01-05T10:40:36.000Z'), 0);
  assert.ok(compareDates('', '2026-01-05T10:40:36.000Z') < 0, 'a message without a date sorts first');
  assert.ok(compareDates('2026-01-05', '2026-01-06') < 0);
  assert.equal(compareDates('2026-01-05', '2026-01-05'), 0);
  assert.ok(compareDates('2026-01-06', '2026-01-05') > 0);
});

// The start of the virtio DMA v2 thread as the sample has it: Michael S. Tsirkin's cover letter and
// patch 05/15, Petr Tesarik's review, Michael's answer and Petr's reply to that.
const cover = 'cover.1767601130.git.mst@redhat.com';
const p05 = '0ffb3513d18614539c108b4548cdfbc64274a7d1.1767601130.git.mst@redhat.com';
const petr = '20260105105433.5b875ce3@mordecai';
const mst = '20260105073621-mutt-send-email-mst@kernel.org';
const petr2 = '20260105144031.2520c81b@mordecai';
const dmaThread = [
  msg(petr2, 'Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries', { date: '2026-01-05T13:40:31.000Z', inReplyTo: mst, references: [cover, p05, petr, mst] }),
  msg(petr, 'Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries', { date: '2026-01-05T09:54:33.000Z', inReplyTo: p05, references: [cover, p05] }),
  msg(cover, '[PATCH v2 00/15] fix DMA aligment issues around virtio', { date: '2026-01-05T08:22:44.000Z' }),
  msg(mst, 'Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries', { date: '2026-01-05T12:36:21.000Z', inReplyTo: petr, references: [cover, p05, petr] }),
  msg(p05, '[PATCH v2 05/15] dma-debug: track cache clean flag in entries', { date: '2026-01-05T08:23:03.000Z', inReplyTo: cover, references: [cover] }),
];

test('the virtio DMA thread: one thread, rooted at the cover letter, messages in date order', () => {
  const threads = threadMessages(dmaThread);
  assert.deepEqual(threads, [{ id: cover, rootMessageId: cover, subject: '[PATCH v2 00/15] fix DMA aligment issues around virtio', messageIds: [cover, p05, petr, mst, petr2] }]);
});

test('a thread whose root is not in the archive: named by the missing id, rooted at its earliest message present', () => {
  // Eric Biggers' patch 19/36 is not in the sample; two replies to it are, one a reply to the other.
  const patch19 = '20260105051311.1607207-20-ebiggers@kernel.org';
  const cooper = '859377de-cb72-4e87-8ee5-97f8c58a5720@citrix.com';
  const laight = '20260105190503.53cc31dd@pumpkin';
  const threads = threadMessages([
    msg(laight, 'Re: [PATCH 19/36] Bluetooth: SMP: Use new AES library API', { date: '2026-01-05T19:05:03.000Z', inReplyTo: cooper, references: [patch19, cooper] }),
    msg(cooper, 'Re: [PATCH 19/36] Bluetooth: SMP: Use new AES library API', { date: '2026-01-05T15:40:22.000Z', inReplyTo: patch19, references: [patch19] }),
  ]);
  assert.deepEqual(threads, [{ id: patch19, rootMessageId: cooper, subject: 'Re: [PATCH 19/36] Bluetooth: SMP: Use new AES library API', messageIds: [cooper, laight] }]);
});

test('In-Reply-To alone links a reply; a reply naming both its parent and the root is in their thread', () => {
  const threads = threadMessages([
    msg('root@x', 'topic', { date: '2026-01-05T01:00:00.000Z' }),
    msg('a@x', 'Re: topic', { date: '2026-01-05T02:00:00.000Z', inReplyTo: 'root@x' }),
    msg('b@x', 'Re: topic', { date: '2026-01-05T03:00:00.000Z', inReplyTo: 'root@x', references: ['root@x', 'a@x'] }),
  ]);
  assert.equal(threads.length, 1);
  assert.deepEqual(threads[0].messageIds, ['root@x', 'a@x', 'b@x']);
});

test('a middle message missing: References still join the thread through it', () => {
  // A reply whose parent (the middle message) is not in the archive, with References naming the root.
  const threads = threadMessages([
    msg('root@x', 'topic', { date: '2026-01-05T01:00:00.000Z' }),
    msg('leaf@x', 'Re: topic', { date: '2026-01-05T03:00:00.000Z', inReplyTo: 'missing-middle@x', references: ['root@x', 'missing-middle@x'] }),
  ]);
  assert.deepEqual(threads.map((t) => [t.id, t.messageIds]), [['root@x', ['root@x', 'leaf@x']]]);
  // And with In-Reply-To only (no References): a separate thread named by the missing parent.
  const cut = threadMessages([
    msg('root@x', 'topic', { date: '2026-01-05T01:00:00.000Z' }),
    msg('leaf@x', 'Re: topic', { date: '2026-01-05T03:00:00.000Z', inReplyTo: 'missing-middle@x' }),
  ]);
  assert.deepEqual(cut.map((t) => [t.id, t.rootMessageId, t.messageIds]), [['root@x', 'root@x', ['root@x']], ['missing-middle@x', 'leaf@x', ['leaf@x']]]);
});

test('a "Re:" message with no references at all joins the earliest thread with its subject', () => {
  const threads = threadMessages([
    msg('late-root@x', 'Per-task io_uring opcode restrictions', { date: '2026-01-09T18:48:24.000Z' }),
    msg('root@x', 'Per-task io_uring opcode restrictions', { date: '2026-01-08T20:17:23.000Z' }),
    msg('noref@x', 'Re: Per-task  io_uring opcode restrictions', { date: '2026-01-10T00:00:00.000Z' }),
    msg('other@x', 'Re: something nobody started', { date: '2026-01-10T00:00:00.000Z' }),
    msg('same-subject-not-re@x', 'Per-task io_uring opcode restrictions', { date: '2026-01-11T00:00:00.000Z' }),
  ]);
  const at = threadIndex(threads);
  assert.equal(at.get('noref@x'), at.get('root@x'), 'joined the earliest thread');
  assert.notEqual(at.get('late-root@x'), at.get('root@x'), 'two postings with one subject are not joined');
  assert.notEqual(at.get('same-subject-not-re@x'), at.get('root@x'), 'only "Re:" messages are joined by subject');
  assert.notEqual(at.get('other@x'), at.get('root@x'));
  assert.equal(threads.length, 4);
});

test('a reply with references is never moved by its subject', () => {
  const threads = threadMessages([
    msg('root@x', 'topic', { date: '2026-01-05T01:00:00.000Z' }),
    msg('r@x', 'Re: topic', { date: '2026-01-05T02:00:00.000Z', references: ['elsewhere@x'] }),
  ]);
  const at = threadIndex(threads);
  assert.notEqual(at.get('r@x'), at.get('root@x'));
});

test('"(was: ...)" starts a new thread linked to the old one; replies to it follow it', () => {
  const threads = threadMessages([
    msg('root@x', '[PATCH] mm: fix foo', { date: '2026-01-05T01:00:00.000Z' }),
    msg('a@x', 'Re: [PATCH] mm: fix foo', { date: '2026-01-05T02:00:00.000Z', inReplyTo: 'root@x', references: ['root@x'] }),
    msg('split@x', 'Memory tiering policy (was: Re: [PATCH] mm: fix foo)', { date: '2026-01-05T03:00:00.000Z', inReplyTo: 'a@x', references: ['root@x', 'a@x'] }),
    msg('b@x', 'Re: Memory tiering policy (was: Re: [PATCH] mm: fix foo)', { date: '2026-01-05T04:00:00.000Z', inReplyTo: 'split@x', references: ['root@x', 'a@x', 'split@x'] }),
  ]);
  assert.deepEqual(threads.map((t) => [t.id, t.messageIds, t.parentThreadId]), [
    ['root@x', ['root@x', 'a@x'], undefined],
    ['split@x', ['split@x', 'b@x'], 'root@x'],
  ]);
  // The split's parent missing from the archive: the old subject comes from the "was:" part.
  const orphan = threadMessages([
    msg('split@x', 'New topic (was: old topic)', { date: '2026-01-05T03:00:00.000Z', inReplyTo: 'gone@x', references: ['gone@x'] }),
  ]);
  assert.deepEqual(orphan.map((t) => [t.id, t.parentThreadId]), [['split@x', 'gone@x']]);
  // "was:" naming a subject that is the parent's own new subject: no second split.
  const same = threadMessages([
    msg('p@x', 'New topic', { date: '2026-01-05T03:00:00.000Z' }),
    msg('c@x', 'Re: New topic (was: old topic)', { date: '2026-01-05T04:00:00.000Z', inReplyTo: 'p@x', references: ['p@x'] }),
  ]);
  assert.equal(same.length, 1);
});

test('ties: threads and messages with equal dates come in Message-ID order, a missing date first', () => {
  const threads = threadMessages([
    msg('b-root@x', 'b', { date: '2026-01-05T01:00:00.000Z' }),
    msg('a-root@x', 'a', { date: '2026-01-05T01:00:00.000Z' }),
    msg('z@x', 'Re: a', { date: '2026-01-05T02:00:00.000Z', references: ['a-root@x'] }),
    msg('y@x', 'Re: a', { date: '2026-01-05T02:00:00.000Z', references: ['a-root@x'] }),
    msg('undated@x', 'c'),
  ]);
  assert.deepEqual(threads.map((t) => t.messageIds), [['undated@x'], ['a-root@x', 'y@x', 'z@x'], ['b-root@x']]);
  // Dates that are not toISOString's shape still order by time.
  const odd = threadMessages([msg('late@x', 'l', { date: '2026-01-06' }), msg('early@x', 'e', { date: '2026-01-05' })]);
  assert.deepEqual(odd.map((t) => t.id), ['early@x', 'late@x']);
  const mixed = threadMessages([msg('iso@x', 'i', { date: '2026-01-06T00:00:00.000Z' }), msg('plain@x', 'p', { date: '2026-01-05' }), msg('plain2@x', 'p2', { date: '2026-01-05' })]);
  assert.deepEqual(mixed.map((t) => t.id), ['plain2@x', 'plain@x', 'iso@x'], 'by date, then by id ("2" sorts before "@")');
});

test('threads whose first messages share a date come in the order of those messages\' ids', () => {
  const threads = threadMessages([
    msg('m2@x', 'Re: x', { date: '2026-01-05T01:00:00.000Z', references: ['gone-b@x'] }),
    msg('m1@x', 'Re: y', { date: '2026-01-05T01:00:00.000Z', references: ['gone-a@x'] }),
  ]);
  assert.deepEqual(threads.map((t) => t.id), ['gone-a@x', 'gone-b@x']);
});

test('reference loops and self-references end, each message in one thread', () => {
  const threads = threadMessages([
    msg('a@x', 'a', { references: ['b@x'], date: '2026-01-05T01:00:00.000Z' }),
    msg('b@x', 'b', { references: ['a@x'], date: '2026-01-05T02:00:00.000Z' }),
    msg('c@x', 'c', { references: ['c@x'], inReplyTo: 'c@x', date: '2026-01-05T03:00:00.000Z' }),
    msg('d@x', 'd', { references: ['e@x', 'd@x', 'e@x'], date: '2026-01-05T04:00:00.000Z' }),
  ]);
  const at = threadIndex(threads);
  assert.equal(at.size, 4);
  assert.equal(at.get('a@x'), at.get('b@x'), 'a loop of two is one thread');
  const c = threads[at.get('c@x')!];
  assert.deepEqual([c.id, c.messageIds], ['c@x', ['c@x']], 'a self-reference is no parent');
});

test('References chains longer than MAX_REFERENCES keep their newest ids', () => {
  const chain = Array.from({ length: MAX_REFERENCES + 10 }, (_, k) => `ref${k}@x`);
  const threads = threadMessages([
    msg('oldest-ref@x', 'start', { date: '2026-01-05T01:00:00.000Z' }),
    msg('deep@x', 'Re: start', { date: '2026-01-05T02:00:00.000Z', references: ['oldest-ref@x', ...chain] }),
    msg('near@x', 'Re: start', { date: '2026-01-05T03:00:00.000Z', references: [chain[chain.length - 1]] }),
  ]);
  const at = threadIndex(threads);
  assert.equal(at.get('deep@x'), at.get('near@x'), 'the reply joins through its last reference');
  assert.notEqual(at.get('deep@x'), at.get('oldest-ref@x'), 'the reference cut off (the oldest) links nothing');
  assert.equal(MAX_REFERENCES, 256);
});

// ---- properties, over random reply forests with damage (missing parents, loops, duplicate refs) ----

const forest = fc.array(fc.record({
  parent: fc.option(fc.nat(40), { nil: undefined }),
  missingParent: fc.boolean(),
  date: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  reply: fc.boolean(),
  loop: fc.option(fc.nat(40), { nil: undefined }),
  withRefs: fc.boolean(),
}), { maxLength: 40 });

type Spec = { parent?: number; missingParent: boolean; date?: number; reply: boolean; loop?: number; withRefs: boolean }[];

function build(spec: Spec) {
  // Message k may reply to an earlier message j < k (a real thread), or to an id not in the archive.
  const ids = spec.map((_, k) => `m${k}@x`);
  const parentOf = new Map<string, string>();
  const messages = spec.map((s, k) => {
    let parent: string | undefined;
    if (s.parent !== undefined && k > 0) parent = s.missingParent ? `gone${s.parent}@x` : ids[s.parent % k];
    if (parent && !s.missingParent) parentOf.set(ids[k], parent);
    const references = parent ? (s.withRefs ? [parent] : []) : [];
    if (s.loop !== undefined && spec.length > 0) references.unshift(ids[s.loop % spec.length]); // older refs may be nonsense
    return msg(ids[k], s.reply ? 'Re: subject' : `subject ${k}`, {
      date: s.date === undefined ? undefined : new Date(Date.UTC(2026, 0, 5, s.date)).toISOString(),
      inReplyTo: parent, references,
    });
  });
  return { messages, parentOf };
}

test('property: every message in exactly one thread, a reply in its parent\'s thread, messages in date order', () => {
  fc.assert(fc.property(forest, (spec) => {
    const { messages, parentOf } = build(spec);
    const threads = threadMessages(messages);
    const at = threadIndex(threads);
    assert.equal(at.size, messages.length, 'every message is in a thread');
    const byId = new Map(messages.map((m) => [m.messageId, m]));
    for (const t of threads) {
      assert.ok(t.messageIds.length > 0);
      assert.ok(t.messageIds.includes(t.rootMessageId));
      for (let k = 1; k < t.messageIds.length; k++) {
        assert.ok(compareDates(byId.get(t.messageIds[k - 1])!.date ?? '', byId.get(t.messageIds[k])!.date ?? '') <= 0, 'date order');
      }
    }
    for (const [child, parent] of parentOf) {
      const m = byId.get(child)!;
      // In-Reply-To names the parent (References, when there, end with it): whatever older, nonsense
      // references say, the reply is in its parent's thread (a link refused as a loop means the
      // two are in one tree already).
      assert.equal(at.get(child), at.get(parent), `${m.messageId} -> ${parent}`);
    }
  }), { numRuns: 150 });
});

test('property: threading does not depend on the order messages come in', () => {
  fc.assert(fc.property(forest, fc.integer(), (spec, seed) => {
    const { messages } = build(spec);
    const shuffled = [...messages];
    let s = seed >>> 0;
    for (let i = shuffled.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) >>> 0;
      const j = s % (i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    // Loops (the nonsense references) are broken in input order: compare only inputs without them.
    if (spec.some((x) => x.loop !== undefined)) return;
    const sameGroups = (ts: { messageIds: string[] }[]) => ts.map((t) => [...t.messageIds].sort().join(' ')).sort();
    assert.deepEqual(sameGroups(threadMessages(shuffled)), sameGroups(threadMessages(messages)));
  }), { numRuns: 100 });
});

// ---- analyseWeek over entries built here (no archive file) ----

function entry(text: string, offset = 0): MboxEntry {
  const bytes = Buffer.from(text, 'latin1');
  return { kind: 'message', offset, bytes, blankLine: bytes.indexOf('\n\n') };
}

const raw = (id: string, from: string, subject: string, extra = '', body = 'Hello.\n') =>
  `Message-ID: <${id}>\nFrom: ${from}\nSubject: ${subject}\nDate: Mon, 5 Jan 2026 09:54:33 +0100\n${extra}\n${body}`;

test('analyseWeek: cross-posted copies merge with every list, a reused id is kept under a new name, quarantined entries are counted', async () => {
  const petrFrom = 'Petr Tesarik <ptesarik@suse.com>';
  const subject = 'Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries';
  const entries: MboxEntry[] = [
    entry(raw(petr, petrFrom, subject, 'X-Mailing-List: linux-kernel@vger.kernel.org\n')),
    entry(raw(petr, petrFrom, subject, 'X-Mailing-List: virtualization@lists.linux.dev\n'), 100),
    entry(raw(petr, 'Someone Else <else@example.org>', 'Something else', 'List-Id: <linux-mm.kvack.org>\n', 'Other words.\n'), 200),
    { kind: 'quarantine', offset: 300, size: 10, reason: 'message too large', sample: Buffer.alloc(0) },
  ];
  const week = await analyseWeek(entries);
  assert.equal(week.copiesMerged, 1);
  assert.equal(week.messages.length, 2);
  const [first, second] = week.messages;
  assert.equal(first.messageId, petr);
  assert.deepEqual(first.lists, ['linux-kernel@vger.kernel.org', 'virtualization@lists.linux.dev'].sort());
  assert.match(second.messageId, new RegExp(`^${petr.replace(/[.]/g, '\\.')}#dup-[0-9a-f]{12}$`));
  assert.equal(week.body(second.messageId).own.trim(), 'Other words.');
  assert.equal(week.body(petr).own.trim(), 'Hello.');
  assert.ok(week.quarantined.some((q) => q.offset === 300 && q.reason === 'message too large'));
  assert.equal(week.threads.flatMap((t) => t.messageIds).length, 2);
  assert.throws(() => week.body('nowhere@x'), /no message nowhere@x/);
});

test('analyseWeek: a damaged archive ends the week with what was read, and where it broke', async () => {
  async function* damaged(): AsyncGenerator<MboxEntry> {
    yield entry(raw('one@x', 'A <a@example.org>', '[PATCH] x: y'));
    throw new ArchiveDamagedError('gzip stream cut', 1234);
  }
  const week = await analyseWeek(damaged());
  assert.deepEqual(week.archiveDamage, { reason: 'gzip stream cut', offset: 1234 });
  assert.deepEqual(week.messages.map((m) => m.messageId), ['one@x']);
  assert.equal(week.series.length, 1);
  async function* broken(): AsyncGenerator<MboxEntry> {
    yield entry(raw('one@x', 'A <a@example.org>', 'x'));
    throw new Error('disk on fire');
  }
  await assert.rejects(analyseWeek(broken()), /disk on fire/);
});

test('analyseWeek without bodies: body() says bodies were not decoded; progress every 1000 messages', async () => {
  const entries = Array.from({ length: 1001 }, (_, k) => entry(raw(`m${k}@x`, 'A <a@example.org>', `s${k}`), k));
  const progress: number[] = [];
  const week = await analyseWeek(entries, { bodies: false, recipients: false, onProgress: (n) => progress.push(n) });
  assert.deepEqual(progress, [1000]);
  assert.equal(week.messages.length, 1001);
  assert.throws(() => week.body('m1@x'), /bodies were not decoded/);
  assert.throws(() => week.messages[0].lists, /not read/);
  // More messages than one decoding batch, with bodies: each body is its own.
  const withBodies = await analyseWeek(entries.slice(0, 130).map((e, k) => entry(raw(`b${k}@x`, 'A <a@example.org>', `s${k}`, '', `Body number ${k}.\n`), k)));
  assert.equal(withBodies.body('b129@x').own.trim(), 'Body number 129.');
  assert.equal(withBodies.body('b0@x').own.trim(), 'Body number 0.');
  assert.equal(withBodies.body('b0@x'), withBodies.body('b0@x'), 'a body is split once');
});

test('analyseWeek: a cross-posted copy read without recipients merges without lists', async () => {
  const week = await analyseWeek([entry(raw('x@x', 'A <a@example.org>', 's', 'List-Id: <a.vger.kernel.org>\n')), entry(raw('x@x', 'A <a@example.org>', 's', 'List-Id: <b.vger.kernel.org>\n'))], { recipients: false, bodies: false });
  assert.equal(week.copiesMerged, 1);
  assert.equal(week.messages.length, 1);
});

// ---- weekLoader over ports kept in memory (ingest and storage are tested against emulators elsewhere) ----

function storedWeek(messages: Record<string, string[]>, extraItems: Item[] = []): Storage & { queries: string[] } {
  const items: Item[] = [...extraItems];
  const blobs = new Map<string, Buffer>();
  for (const [week, texts] of Object.entries(messages)) {
    texts.forEach((text, k) => {
      const bytes = Buffer.from(text, 'latin1');
      const sha = createHash('sha256').update(bytes).digest('hex');
      blobs.set(`raw/${sha.slice(0, 2)}/${sha}.eml`, bytes);
      items.push({ pk: `WEEK#${week}`, sk: `MSG#${k}`, sha256: sha, messageId: `m${k}` });
    });
  }
  const queries: string[] = [];
  const blob = { async get(key: string) { return blobs.get(key); }, async put() {}, async has() { return false; }, async *list() {} };
  return {
    queries,
    raw: blob, site: blob,
    table: {
      async get() { return undefined; }, async put() { return true; }, async batchGet() { return []; }, async batchPut() {}, async delete() {},
      async *query(pk: string, prefix = '') {
        queries.push(pk);
        if (pk === 'WEEK#broken') throw new Error('table unavailable');
        for (const i of items) if (i.pk === pk && i.sk.startsWith(prefix)) yield i;
      },
    },
  };
}

test('weekLoader: the stored week taken apart once per container, series with their earlier weeks\' versions; another week replaces it; a failure is not kept', async () => {
  const cover = raw('v2@x', 'A <a@example.org>', '[PATCH v2 0/1] mm: thing', 'X-Change-ID: cid-1\n');
  const reply = raw('r@x', 'B <b@example.org>', 'Re: [PATCH v2 0/1] mm: thing', 'In-Reply-To: <v2@x>\n');
  const storage = storedWeek({ '2026-W02': [cover, reply], '2026-W03': [raw('w3@x', 'A <a@example.org>', 'later')] }, [
    { pk: 'SERIES#b4:cid-1', sk: 'VERSION#0001', week: '2026-W01', version: 1, messageIds: ['v1@x'] },
  ]);
  const load = weekLoader(storage, { bodies: true });
  const first = load('2026-W02');
  assert.equal(load('2026-W02'), first, 'the same week is read once');
  const week = await first;
  assert.deepEqual(week.messages.map((m) => m.messageId), ['v2@x', 'r@x']);
  assert.deepEqual(week.threads.map((t) => t.messageIds), [['r@x', 'v2@x']], 'one thread; equal dates in Message-ID order');
  assert.equal(week.body('r@x').own.trim(), 'Hello.');
  assert.deepEqual(week.series.map((x) => x.versions.map((v) => [v.version, v.week])), [[[1, '2026-W01'], [2, '2026-W02']]]);
  const other = await load('2026-W03');
  assert.deepEqual(other.messages.map((m) => m.messageId), ['w3@x']);
  assert.notEqual(load('2026-W02'), first, 'moving to another week dropped the first');
  await assert.rejects(load('broken'), /table unavailable/);
  await assert.rejects(load('broken'), /table unavailable/);
  assert.equal(storage.queries.filter((q) => q === 'WEEK#broken').length, 2, 'a failed load is tried again, not kept');
  const bare = await weekLoader(storage, { bodies: false })('2026-W02');
  assert.throws(() => bare.body('r@x'), /bodies were not decoded/);
});

// ---- survivors of the first full mutation run, killed ----

test('subject markers only at the start, with their spelling variants', () => {
  assert.equal(baseSubject('ext4: care: needed'), 'ext4: care: needed', 'a "re:" inside a word is no marker');
  assert.equal(baseSubject('Re[12]: x'), 'x');
  assert.equal(baseSubject('Re : x'), 'x', 'a space before the colon');
  assert.equal(isReplySubject('Fix re: foo'), false);
  assert.equal(isReplySubject('Re[12]: x'), true);
  assert.equal(isReplySubject('Re : x'), true);
  assert.deepEqual(wasSplit('new topic (  was: old topic)'), { now: 'new topic', was: 'old topic' });
  assert.deepEqual(wasSplit('New topic(was: old topic)'), { now: 'new topic', was: 'old topic' });
  assert.deepEqual(wasSplit('new topic (was : old topic)'), { now: 'new topic', was: 'old topic' });
  assert.deepEqual(wasSplit('new topic (was:old topic)'), { now: 'new topic', was: 'old topic' });
  assert.deepEqual(wasSplit('new topic (was: old topic'), { now: 'new topic', was: 'old topic' }, 'no closing bracket');
});

test('a "(was: ...)" subject on a message with no parent is just a thread', () => {
  const threads = threadMessages([msg('w@x', 'New topic (was: old topic)', { date: '2026-01-05T01:00:00.000Z' })]);
  assert.deepEqual(threads, [{ id: 'w@x', rootMessageId: 'w@x', subject: 'New topic (was: old topic)', messageIds: ['w@x'] }]);
});

test('subject joining: the root is the earliest posting that is not a reply, even after the reply', () => {
  const threads = threadMessages([
    msg('early-re@x', 'Re: topic', { date: '2026-01-05T00:00:00.000Z' }),
    msg('orphan-re@x', 'Re: topic', { date: '2026-01-05T01:00:00.000Z', references: ['gone@x'] }),
    msg('root@x', 'topic', { date: '2026-01-05T02:00:00.000Z' }),
    msg('late-re@x', 'Re: topic', { date: '2026-01-05T03:00:00.000Z' }),
  ]);
  const at = threadIndex(threads);
  assert.equal(at.get('early-re@x'), at.get('root@x'));
  assert.equal(at.get('late-re@x'), at.get('root@x'));
  assert.notEqual(at.get('orphan-re@x'), at.get('root@x'), 'a reply with references stays where they put it');
});

test('many messages of one date in a thread, and many threads starting at one date: Message-ID order', () => {
  const d = '2026-01-05T02:00:00.000Z';
  const threads = threadMessages([
    msg('root@x', 'r', { date: '2026-01-05T01:00:00.000Z' }),
    ...['d@x', 'b@x', 'e@x', 'c@x', 'a@x'].map((id) => msg(id, 'Re: r', { date: d, references: ['root@x'] })),
    ...['t4@x', 't2@x', 't5@x', 't1@x', 't3@x'].map((id) => msg(id, id, { date: d })),
  ]);
  assert.deepEqual(threads.map((t) => t.id), ['root@x', 't1@x', 't2@x', 't3@x', 't4@x', 't5@x']);
  assert.deepEqual(threads[0].messageIds, ['root@x', 'a@x', 'b@x', 'c@x', 'd@x', 'e@x']);
});

test('analyseWeek: copies merge only when sender and subject agree; merged lists sorted; noise and quarantine exactly as found', async () => {
  const from = 'Petr Tesarik <ptesarik@suse.com>';
  const subject = 'Re: [PATCH v2 05/15] dma-debug: track cache clean flag in entries';
  const week = await analyseWeek([
    entry(raw('p@x', from, subject, 'X-Mailing-List: virtualization@lists.linux.dev\n')),
    entry(raw('p@x', from, subject, 'X-Mailing-List: linux-kernel@vger.kernel.org\n')),
    entry(raw('p@x', from, 'Re: another subject', 'X-Mailing-List: linux-mm@kvack.org\n')),
    entry(raw('p@x', 'Someone <else@example.org>', subject, 'X-Mailing-List: linux-mm@kvack.org\n')),
    entry(raw('ty@x', 'Jens Axboe <axboe@kernel.dk>', 'Re: [PATCH] blk-mq: avoid stall during boot', 'In-Reply-To: <p@x>\n', 'On Tue, Mikulas Patocka wrote:\n> a stall\n\nApplied, thanks!\n')),
  ]);
  assert.equal(week.copiesMerged, 1);
  assert.equal(week.messages.length, 4, 'a different subject or a different sender under one id is another message');
  assert.deepEqual(week.messages[0].lists, ['linux-kernel@vger.kernel.org', 'virtualization@lists.linux.dev']);
  assert.equal(week.messages.filter((m) => m.messageId.startsWith('p@x#dup-')).length, 2);
  assert.deepEqual(week.noise, [{ messageId: 'ty@x', reason: '"applied, thanks" note' }]);
  assert.deepEqual(week.quarantined, []);
  assert.equal(week.archiveDamage, undefined);
});

test('analyseMboxFile reads an mbox file (messages of ordinary size are not quarantined)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-thread-'));
  const file = path.join(dir, 'week.mbox');
  const body = `${'A line of a reply of ordinary length.\n'.repeat(40)}`;
  fs.writeFileSync(file, ['From a@example.org Mon Jan  5 00:00:00 2026', raw('one@x', 'A <a@example.org>', 'topic', '', body), 'From b@example.org Mon Jan  5 00:00:00 2026', raw('two@x', 'B <b@example.org>', 'Re: topic', 'In-Reply-To: <one@x>\n', body), ''].join('\n'));
  const week = await analyseMboxFile(file, { bodies: false });
  assert.deepEqual(week.messages.map((m) => m.messageId), ['one@x', 'two@x']);
  assert.deepEqual(week.quarantined, []);
  assert.deepEqual(week.threads.map((t) => t.messageIds), [['one@x', 'two@x']]);
  fs.rmSync(dir, { recursive: true, force: true });
});
