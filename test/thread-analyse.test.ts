import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { analyseMboxFile, analyseWeek } from '../lambdas/thread/analyse.js';
import { threadMessages } from '../lambdas/thread/jwz.js';
import { splitBody } from '../lambdas/parse/body.js';
import { storeSeries, withEarlierVersions } from '../lambdas/series/store.js';
import { openArchive, readMbox } from '../lambdas/ingest/mbox-reader.js';
import type { ParsedMessage, WeekAnalysis } from '../lambdas/model.js';
import { freshAws, repoRoot, sampleMbox, tempDir } from './helpers.js';

let sample: Awaited<ReturnType<typeof analyseMboxFile>>;
before(async () => {
  sample = await analyseMboxFile(sampleMbox);
});

const message = (a: WeekAnalysis, id: string) => a.messages.find((m) => m.messageId === id)!;

test('every message of the sample is in exactly one thread', () => {
  assert.equal(sample.messages.length, 524);
  const seen = sample.threads.flatMap((t) => t.messageIds);
  assert.equal(seen.length, 524);
  assert.equal(new Set(seen).size, 524);
});

test('headers: names decoded, Date in UTC, lists from delivery headers and Cc, lore link', () => {
  const m = message(sample, '20260107105222.GAaV465o3HUxGxBXGe@fat_crate.local');
  assert.equal(m.from.name, 'Borislav Petkov');
  assert.equal(m.from.email, 'bp@alien8.de');
  assert.match(m.date!, /^2026-01-07T\d\d:\d\d:\d\dZ$|^2026-01-07T.*\.000Z$/);
  assert.equal(m.url, 'https://lore.kernel.org/r/20260107105222.GAaV465o3HUxGxBXGe@fat_crate.local');
  assert.ok(m.lists.length >= 1);
  const accented = sample.messages.find((x) => /ü|é|ö/.test(x.from.name));
  assert.ok(accented, 'some sender name with a non-ASCII letter is decoded');
});

test('cross-posted copies of one message merge into one, with every list', async () => {
  const entries = [];
  for await (const e of readMbox(openArchive(sampleMbox), { maxMessageBytes: 1 << 24 })) if (e.kind === 'message') entries.push(e);
  const first = entries[0] as { kind: 'message'; offset: number; bytes: Buffer };
  const copy = Buffer.from(first.bytes.toString('latin1').replace(/^(List-Id|X-Mailing-List):.*$/gim, '$1: <copy-list.vger.kernel.org>').replace(/^X-Mailing-List: <copy-list\.vger\.kernel\.org>$/m, 'X-Mailing-List: copy-list@vger.kernel.org'), 'latin1');
  const a = await analyseWeek([...entries, { kind: 'message', offset: 1, bytes: copy }], { bodies: false });
  assert.equal(a.messages.length, 524);
  assert.equal(a.copiesMerged, 1);
  const merged = a.messages[0];
  assert.ok(merged.lists.includes('copy-list@vger.kernel.org'), merged.lists.join());
  assert.ok(merged.lists.length >= 2);
});

test('read without recipients, a week threads, links and sets aside the same; To, Cc and lists say they were not read', async () => {
  const entries = [];
  for await (const e of readMbox(openArchive(sampleMbox), { maxMessageBytes: 1 << 24 })) if (e.kind === 'message') entries.push(e);
  // The first message again, as a cross-posted copy: merged either way, lists joined only with recipients.
  entries.push({ ...entries[0], offset: 1 });
  const full = await analyseWeek(entries, { bodies: false });
  const lean = await analyseWeek(entries, { bodies: false, recipients: false });
  assert.equal(lean.copiesMerged, 1);
  assert.deepEqual(
    { messages: lean.messages.length, threads: lean.threads, series: lean.series, noise: lean.noise, quarantined: lean.quarantined },
    { messages: full.messages.length, threads: full.threads, series: full.series, noise: full.noise, quarantined: full.quarantined },
  );
  const m = lean.messages[0];
  for (const field of ['to', 'cc', 'lists'] as const) assert.throws(() => m[field], new RegExp(`"${field}" was not read`));
  assert.equal(m.url, full.messages[0].url);
  assert.ok(full.messages[0].lists.length > 0, 'the same message read with recipients has its lists');
});

test('a different message reusing a Message-ID is kept under an id that says so, with the real lore link', async () => {
  const mail = (from: string, subject: string) => ({ kind: 'message' as const, offset: 0, bytes: Buffer.from(`From: ${from}\nSubject: ${subject}\nMessage-ID: <same@x>\nCc: linux-mm@kvack.org\nDate: Tue, 6 Jan 2026 10:00:00 +0000\n\nbody\n`) });
  const a = await analyseWeek([mail('Ada <ada@example.org>', 'one'), mail('Bob <bob@example.org>', 'two')], { bodies: false });
  assert.equal(a.messages.length, 2);
  assert.equal(a.messages[0].messageId, 'same@x');
  assert.match(a.messages[1].messageId, /^same@x#dup-[0-9a-f]{12}$/);
  assert.deepEqual(a.messages.map((m) => m.url), ['https://lore.kernel.org/r/same@x', 'https://lore.kernel.org/r/same@x']);
  assert.deepEqual(a.messages[1].lists, ['linux-mm@kvack.org']);
});

test('series: versions linked by b4 change-id, and without one by author + title', () => {
  const b4 = sample.series.find((s) => s.changeId === '20260107-setlease-6-20-299eb5695c5a');
  assert.ok(b4, 'the lease opt-in series carries a change-id');
  assert.equal(b4.id, 'b4:20260107-setlease-6-20-299eb5695c5a');
  const plain = sample.series.find((s) => s.title === 'Per-task io_uring opcode restrictions');
  assert.ok(plain && !plain.changeId);
  assert.deepEqual(plain.versions.map((v) => v.version), [1, 2]);
  const cover = sample.series.find((s) => s.title.startsWith('struct filename series'));
  assert.ok(cover);
  assert.equal(cover.versions[0].version, 4);
  assert.equal(cover.versions[0].messageIds.length, 60); // cover letter + 59 patches
  assert.ok(cover.versions[0].coverMessageId);
});

test('series versions stored in one week are known in the next', async () => {
  const aws = await freshAws();
  try {
    const plain = sample.series.find((s) => s.title === 'Per-task io_uring opcode restrictions')!;
    await storeSeries(aws.storage, [{ ...plain, versions: [plain.versions[0]] }], '2026-W01');
    const next = await withEarlierVersions(aws.storage, [{ ...plain, versions: [{ ...plain.versions[1], version: 3 }] }], '2026-W02');
    assert.deepEqual(next[0].versions.map((v) => [v.version, v.week]), [[1, '2026-W01'], [3, '2026-W02']]);
  } finally {
    await aws.close();
  }
});

test('noise: "applied, thanks" notes set aside with a reason; real discussion is not', () => {
  const reasons = new Set(sample.noise.map((n) => n.reason));
  assert.ok(reasons.has('"applied, thanks" note'));
  const noisy = new Set(sample.noise.map((n) => n.messageId));
  assert.ok(!noisy.has('20260107105222.GAaV465o3HUxGxBXGe@fat_crate.local'));
  assert.ok(sample.noise.length < 30, `${sample.noise.length} of 524 flagged`);
});

test('bots: kernel test robot and syzbot mail is noise', async () => {
  const bot = (from: string, subject: string) => Buffer.from(`From: ${from}\nSubject: ${subject}\nMessage-ID: <${Math.random()}@x>\nDate: Tue, 6 Jan 2026 10:00:00 +0000\n\nreport\n`);
  const a = await analyseWeek([
    { kind: 'message', offset: 0, bytes: bot('kernel test robot <lkp@intel.com>', 'Re: [PATCH] foo: bar') },
    { kind: 'message', offset: 1, bytes: bot('syzbot <syzbot+abc@syzkaller.appspotmail.com>', '[syzbot] KASAN: use-after-free') },
    { kind: 'message', offset: 2, bytes: bot('Greg KH <gregkh@linuxfoundation.org>', '[PATCH 6.1 000/123] 6.1.99-rc1 review') },
    { kind: 'message', offset: 3, bytes: bot('Ada <ada@example.org>', 'Re: [PATCH] foo: bar') },
  ], { bodies: false });
  assert.deepEqual(a.noise.map((n) => n.reason), ['kernel test robot report', 'syzbot report', 'stable review']);
});

test('own words vs quoted text on real mail with nested quotes', () => {
  const body = sample.body('aVuaqij9nXhLfAvN@google.com');
  assert.match(body.own, /That path is set by the process that acts as the listening side/);
  assert.doesNotMatch(body.own, /^>/m);
  assert.doesNotMatch(body.own, /Kuniyuki Iwashima wrote/);
  assert.match(body.quoted, /^> > Motivation/m);
});

test('top-posting and patches: quoted original and diff are not own words; trailers are parsed', () => {
  const b = splitBody('I agree, NAK.\n\n-----Original Message-----\nFrom: x\nplease merge\n');
  assert.equal(b.own, 'I agree, NAK.');
  assert.match(b.quoted, /please merge/);
  assert.equal(b.naks, 1);
  const patch = splitBody('Fix the thing.\n\nSigned-off-by: Ada L <ada@example.org>\nReviewed-by: Bob <bob@example.org>\n---\n fs/foo.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\ndiff --git a/fs/foo.c b/fs/foo.c\n--- a/fs/foo.c\n+++ b/fs/foo.c\n@@ -1 +1 @@\n-a\n+b\n-- \n2.43.0\n');
  assert.equal(patch.own, 'Fix the thing.');
  assert.deepEqual(patch.files, ['fs/foo.c']);
  assert.deepEqual(patch.trailers.map((t) => [t.kind, t.person?.email]), [['signed-off-by', 'ada@example.org'], ['reviewed-by', 'bob@example.org']]);
  assert.match(patch.patch, /^diff --git/);
});

test('property: random reference graphs with cycles and self-references never hang or lose a message', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.array(fc.array(fc.integer({ min: 0, max: n + 5 }), { maxLength: 6 }), { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))), ([n, refs, reply]) => {
      const messages: ParsedMessage[] = Array.from({ length: n }, (_, i) => ({
        messageId: `m${i}`, sha256: String(i), references: refs[i].map((r) => `m${r}`), inReplyTo: refs[i].length ? `m${refs[i][refs[i].length - 1]}` : undefined,
        from: { name: 'a', email: 'a@x' }, to: [], cc: [], lists: [], subject: `${reply[i] ? 'Re: ' : ''}topic ${i % 3} (was: topic ${(i + 1) % 3})`, url: '', date: new Date(Date.UTC(2026, 0, 5, 0, i)).toISOString(),
      }));
      const threads = threadMessages(messages);
      const ids = threads.flatMap((t) => t.messageIds);
      assert.equal(ids.length, n);
      assert.equal(new Set(ids).size, n);
    }),
    { numRuns: 400 },
  );
});

test('CLI: output piped into a reader that stops early ends the command quietly, not with a stack trace', async () => {
  // Twenty thousand one-line messages: output far larger than a pipe holds, so writing goes on after the close.
  const file = path.join(tempDir(), 'many.mbox');
  fs.writeFileSync(file, Array.from({ length: 20_000 }, (_, i) => `From a@b Thu Jan  1 00:00:00 1970\nMessage-ID: <m${i}@example.org>\nSubject: note ${i}\n\nbody\n\n`).join(''));
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/bin/kernel-news.js'), 'threads', '--mbox', file, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // Like `| head -c 100`: take the first chunk, then close the pipe while the command still writes.
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});

test('CLI: threads --json on the sample accounts for every message in the contract shape', () => {
  const out = spawnSync(process.execPath, [path.join(repoRoot, 'dist/bin/kernel-news.js'), 'threads', '--mbox', sampleMbox, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(out.status, 0, out.stderr);
  const json = JSON.parse(out.stdout);
  assert.equal(json.messages, 524);
  assert.equal(json.threads.flatMap((t: { messageIds: string[] }) => t.messageIds).length, 524);
  assert.ok(json.series.every((s: { versions: { version: number; messageIds: string[] }[] }) => s.versions.every((v) => v.messageIds.every((id) => !id.startsWith('<')))));
  assert.ok(Array.isArray(json.noise) && Array.isArray(json.quarantined));
  const file = path.join(tempDir(), 'empty.mbox');
  fs.writeFileSync(file, '');
  const empty = spawnSync(process.execPath, [path.join(repoRoot, 'dist/bin/kernel-news.js'), 'threads', '--mbox', file], { encoding: 'utf8' });
  assert.equal(empty.status, 0);
  assert.match(empty.stdout, /0 messages/);
});
