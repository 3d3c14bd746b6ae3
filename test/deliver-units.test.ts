import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BlobStore, Item, Key, Storage, Table } from '../lambdas/storage/index.js';
import { batchesFor, parseBatchId } from '../lambdas/deliver/plan.js';
import { batchOf, sendIssue, sendMessageId, SEND_CONCURRENCY } from '../lambdas/deliver/send.js';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { InDoubtError, OutboxMailer, SesMailer, SmtpMailer, type Mailer, type OutgoingMail } from '../lambdas/deliver/mailer.js';
import http from 'node:http';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { importConfirmed, suppress, addPending } from '../lambdas/subscribers/store.js';

/**
 * Fast unit tests of lambdas/deliver (milliseconds: the Table and BlobStore ports kept in memory, a
 * mailer that records; deliver-flow and deliver-ses run the same code against dynalite, s3rver and
 * real SMTP and SES servers). Expectations written from the CONTRACT's "exactly once" rules.
 */

function memoryStorage(): Storage & { rows: Map<string, Item> } {
  const rows = new Map<string, Item>();
  const k = (key: Key) => `${key.pk}\u0000${key.sk}`;
  const table: Table = {
    async get(key) { return rows.get(k(key)); },
    async put(item, options) {
      const old = rows.get(k(item));
      if (options?.ifAbsent && old) return false;
      if (options?.ifEquals && (!old || Object.entries(options.ifEquals).some(([a, v]) => old[a] !== v))) return false;
      rows.set(k(item), item);
      return true;
    },
    async batchGet(keys) { return keys.flatMap((key) => rows.get(k(key)) ?? []); },
    async batchPut(items) { for (const i of items) rows.set(k(i), i); },
    async *query(pk, prefix = '') {
      for (const i of [...rows.values()].filter((r) => r.pk === pk && r.sk.startsWith(prefix)).sort((a, b) => (a.sk < b.sk ? -1 : 1))) yield i;
    },
    async delete(key) { rows.delete(k(key)); },
  };
  const blobs = new Map<string, Buffer>();
  const site: BlobStore = {
    async put(key, body) { blobs.set(key, Buffer.from(body)); },
    async get(key) { return blobs.get(key); },
    async has(key) { return blobs.has(key); },
    async *list(prefix) { for (const key of blobs.keys()) if (key.startsWith(prefix)) yield key; },
  };
  return { rows, table, site, raw: site };
}

const week = '2026-W02';
const options = { week, from: 'Kernel News <news@example.org>', baseUrl: 'https://news.example.org/', signingKey: Buffer.from('k'.repeat(32)) };

async function approvedIssue(storage: Storage, headline = 'Axboe Applies Fix for Stall During Boot') {
  await storage.table.put({ pk: `ISSUE#${week}`, sk: 'ISSUE', week, status: 'approved', draftVersion: 2, approvedVersion: 2 });
  await storage.site.put(`issues/${week}/issue.html`, '<p>Story & more</p><a href="%%UNSUBSCRIBE_URL%%">unsubscribe</a> <a href="%%UNSUBSCRIBE_URL%%">again</a>');
  await storage.site.put(`issues/${week}/issue.txt`, 'Story\nUnsubscribe: %%UNSUBSCRIBE_URL%%\n');
  await storage.site.put(`issues/${week}/issue.json`, JSON.stringify({ week, topics: headline ? [{ headline }] : [] }));
}

/** Records every send; `behaviour` decides per recipient what the transport does. */
function recordingMailer(behaviour: (to: string) => 'ok' | 'fail' | 'in-doubt' | 'crash-before-commit' = () => 'ok', settled: (to: string) => boolean | undefined = () => undefined) {
  const sent: OutgoingMail[] = [];
  const commits: string[] = [];
  const mailer: Mailer & { sent: OutgoingMail[]; commits: string[] } = {
    sent, commits,
    async send(mail, commit) {
      const what = behaviour(mail.to);
      if (what === 'crash-before-commit') throw new Error('connection refused');
      await commit();
      commits.push(mail.to);
      if (what === 'fail') throw new Error(`550 mailbox ${mail.to} unavailable`);
      if (what === 'in-doubt') throw new InDoubtError(mail.messageId);
      sent.push(mail);
    },
    async settle(mail) { return settled(mail.to); },
    async close() {},
  };
  return mailer;
}

test('plan: batches sized to about ten minutes at the rate, at most 5000, at least one', () => {
  assert.deepEqual(batchesFor('2026-W02', 0, 14), { week: '2026-W02', recipients: 0, batchCount: 1, batchIds: ['0/1'], batchesKey: 'deliveries/2026-W02/batches.json' });
  assert.equal(batchesFor(week, 3000, 5).batchCount, 1, '5/s for 600 s is 3000');
  assert.deepEqual(batchesFor(week, 3001, 5).batchIds, ['0/2', '1/2']);
  assert.equal(batchesFor(week, 10_001, 100).batchCount, 3, 'at most 5000 a batch however fast');
  assert.equal(batchesFor(week, 3, 0.001).batchCount, 3, 'at least one recipient a batch however slow');
  assert.deepEqual(parseBatchId('3/7'), { index: 3, of: 7 });
  assert.deepEqual(parseBatchId('0/1'), { index: 0, of: 1 });
  for (const bad of ['7/7', '8/7', '1/0', '-1/2', '1/2/3', ' 1/2', '1/2 ', 'a/b', '1234567/9999999', '']) assert.equal(parseBatchId(bad), undefined, bad);
});

test('ids: one Message-ID per issue and reader, stable; batches split readers, each in exactly one', () => {
  assert.match(sendMessageId(week, 'a@example.org'), /^<2026-W02\.[0-9a-f]{24}@kernel-news>$/);
  assert.equal(sendMessageId(week, 'a@example.org'), sendMessageId(week, 'a@example.org'));
  assert.notEqual(sendMessageId(week, 'a@example.org'), sendMessageId(week, 'b@example.org'));
  assert.notEqual(sendMessageId(week, 'a@example.org'), sendMessageId('2026-W03', 'a@example.org'));
  const emails = Array.from({ length: 300 }, (_, i) => `reader${i}@example.org`);
  const counts = [0, 0, 0, 0];
  for (const e of emails) {
    const b = batchOf(e, 4);
    assert.ok(b >= 0 && b < 4);
    assert.equal(batchOf(e, 4), b);
    counts[b]++;
  }
  assert.ok(counts.every((c) => c > 30), `roughly even: ${counts}`);
});

test('send: every confirmed, unsuppressed reader gets one message with their own unsubscribe link; a second run sends nothing', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  await importConfirmed(storage, ['b@example.org', 'a@example.org', 'gone@example.org']);
  await addPending(storage, 'pending@example.org');
  await suppress(storage, 'gone@example.org', 'bounce');
  const mailer = recordingMailer();
  const progress: unknown[] = [];
  const report = await sendIssue(storage, mailer, { ...options, onProgress: (p) => progress.push(p) });
  assert.deepEqual(report, { total: 2, sent: 2, alreadySent: 0, inDoubt: [], failed: [] });
  assert.deepEqual(mailer.sent.map((m) => m.to).sort(), ['a@example.org', 'b@example.org']);
  const a = mailer.sent.find((m) => m.to === 'a@example.org')!;
  assert.equal(a.subject, 'Zack\'s Kernel News, week 2026-W02: Axboe Applies Fix for Stall During Boot'.replace('Zack\'s Kernel News', a.subject.split(',')[0]));
  assert.match(a.subject, /, week 2026-W02: Axboe Applies Fix for Stall During Boot$/);
  assert.equal(a.from, options.from);
  assert.equal(a.messageId, sendMessageId(week, 'a@example.org'));
  const link = /<(https:\/\/news\.example\.org\/unsubscribe\?e=a%40example\.org&exp=\d+&sig=[^>]+)>/.exec(a.headers['List-Unsubscribe'])?.[1];
  assert.ok(link, a.headers['List-Unsubscribe']);
  assert.equal(a.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  assert.match(a.headers['List-Id'], /<kernel-news\.newsletter>$/);
  assert.equal(a.text, `Story\nUnsubscribe: ${link}\n`);
  assert.equal(a.html, `<p>Story & more</p><a href="${link.replace(/&/g, '&amp;')}">unsubscribe</a> <a href="${link.replace(/&/g, '&amp;')}">again</a>`);
  assert.ok(!mailer.sent.find((m) => m.to === 'b@example.org')!.text.includes('a%40example.org'), 'each reader their own link');
  const marks = [...storage.rows.values()].filter((r) => r.pk === `SEND#${week}`);
  assert.deepEqual(marks.map((r) => [r.sk, r.type, r.state]).sort(), [['a@example.org', 'send', 'delivered'], ['b@example.org', 'send', 'delivered']]);
  assert.ok(marks.every((r) => !Number.isNaN(Date.parse(String(r.at)))));
  // Again: nothing sent.
  const again = recordingMailer();
  assert.deepEqual(await sendIssue(storage, again, options), { total: 2, sent: 0, alreadySent: 2, inDoubt: [], failed: [] });
  assert.equal(again.sent.length, 0);
  assert.equal(progress.length, 0, 'progress every hundred');
});

test('send refuses an issue that does not exist, is not approved, or lacks its files', async () => {
  const storage = memoryStorage();
  await assert.rejects(sendIssue(storage, recordingMailer(), options), /no issue for week 2026-W02/);
  await storage.table.put({ pk: `ISSUE#${week}`, sk: 'ISSUE', week, status: 'draft', draftVersion: 3 });
  await assert.rejects(sendIssue(storage, recordingMailer(), options), /not approved \(draft version 3\)/);
  await storage.table.put({ pk: `ISSUE#${week}`, sk: 'ISSUE', week, status: 'approved', draftVersion: 3, approvedVersion: 3 });
  await storage.site.put(`issues/${week}/issue.html`, 'x');
  await storage.site.put(`issues/${week}/issue.json`, '{}');
  await assert.rejects(sendIssue(storage, recordingMailer(), options), /rendered files are missing/);
});

test('an issue without stories: the subject is the title alone', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage, '');
  await importConfirmed(storage, ['a@example.org']);
  const mailer = recordingMailer();
  await sendIssue(storage, mailer, options);
  assert.match(mailer.sent[0].subject, /, week 2026-W02$/);
});

test('failures, doubts and earlier runs: failed and in-doubt readers are reported, a committed record is settled by the mailer', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  await importConfirmed(storage, ['fail@example.org', 'doubt@example.org', 'refused@example.org', 'ok@example.org']);
  const first = recordingMailer((to) => (to.startsWith('fail') ? 'fail' : to.startsWith('doubt') ? 'in-doubt' : to.startsWith('refused') ? 'crash-before-commit' : 'ok'));
  const report = await sendIssue(storage, first, options);
  assert.equal(report.sent, 1);
  assert.deepEqual(report.inDoubt, ['doubt@example.org']);
  assert.deepEqual(report.failed.map((f) => f.email).sort(), ['fail@example.org', 'refused@example.org']);
  assert.match(report.failed.find((f) => f.email === 'fail@example.org')!.error, /550 mailbox/);
  // Second run: fail@ and doubt@ left committed records; refused@ none. The mailer's evidence: fail@
  // was not handed over (send again), doubt@ unknown (stays in doubt).
  const second = recordingMailer(() => 'ok', (to) => (to.startsWith('fail') ? false : undefined));
  const r2 = await sendIssue(storage, second, options);
  assert.deepEqual([r2.sent, r2.alreadySent, r2.inDoubt, r2.failed], [2, 1, ['doubt@example.org'], []]);
  assert.deepEqual(second.sent.map((m) => m.to).sort(), ['fail@example.org', 'refused@example.org']);
  // Third run, asked to resend those in doubt.
  const third = recordingMailer();
  const r3 = await sendIssue(storage, third, { ...options, resendInDoubt: true });
  assert.deepEqual([r3.sent, r3.alreadySent, r3.inDoubt], [1, 3, []]);
  assert.deepEqual(third.sent.map((m) => m.to), ['doubt@example.org']);
  // Fourth: nothing left.
  const fourth = recordingMailer();
  assert.deepEqual(await sendIssue(storage, fourth, { ...options, resendInDoubt: true }), { total: 4, sent: 0, alreadySent: 4, inDoubt: [], failed: [] });
});

test('a committed record the mailer says was handed over is marked delivered, not sent again', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  await importConfirmed(storage, ['a@example.org']);
  await storage.table.put({ pk: `SEND#${week}`, sk: 'a@example.org', type: 'send', state: 'committed', at: '2026-01-12T00:00:00.000Z' });
  const mailer = recordingMailer(() => 'ok', () => true);
  assert.deepEqual(await sendIssue(storage, mailer, options), { total: 1, sent: 0, alreadySent: 1, inDoubt: [], failed: [] });
  assert.equal(storage.rows.get(`SEND#${week}\u0000a@example.org`)?.state, 'delivered');
});

test('two senders racing: the one whose commit finds a record abandons the message', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  await importConfirmed(storage, ['a@example.org']);
  const racing: Mailer = {
    async send(mail, commit) {
      // The other sender committed first.
      await storage.table.put({ pk: `SEND#${week}`, sk: mail.to, type: 'send', state: 'committed', at: 'other' });
      await commit();
      throw new Error('must not be reached');
    },
    async settle() { return undefined; },
    async close() {},
  };
  assert.deepEqual(await sendIssue(storage, racing, options), { total: 1, sent: 0, alreadySent: 1, inDoubt: [], failed: [] });
  // A retry of a committed record must find it unchanged: changed by someone else, it is abandoned too.
  const retry: Mailer = {
    async send(mail, commit) {
      await storage.table.put({ pk: `SEND#${week}`, sk: mail.to, type: 'send', state: 'committed', at: 'changed' });
      await commit();
    },
    async settle() { return false; },
    async close() {},
  };
  assert.deepEqual(await sendIssue(storage, retry, options), { total: 1, sent: 0, alreadySent: 1, inDoubt: [], failed: [] });
});

test('batches: each reader is sent by exactly one batch', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  const emails = Array.from({ length: 40 }, (_, i) => `r${i}@example.org`);
  await importConfirmed(storage, emails);
  const got: string[] = [];
  for (let index = 0; index < 3; index++) {
    const mailer = recordingMailer();
    const r = await sendIssue(storage, mailer, { ...options, batch: { index, of: 3 } });
    assert.equal(r.total, mailer.sent.length);
    for (const m of mailer.sent) assert.equal(batchOf(m.to, 3), index);
    got.push(...mailer.sent.map((m) => m.to));
  }
  assert.deepEqual(got.sort(), [...emails].sort());
});

test('many readers: progress every hundred, marks written in batches, every one delivered once', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  const emails = Array.from({ length: 230 }, (_, i) => `r${String(i).padStart(3, '0')}@example.org`);
  await importConfirmed(storage, emails);
  let batchPuts = 0;
  const batchPut = storage.table.batchPut.bind(storage.table);
  storage.table.batchPut = async (items) => { batchPuts++; assert.ok(items.length <= 25 && items.length > 0); return batchPut(items); };
  const progress: Array<{ sent: number; skipped: number; total: number }> = [];
  const mailer = recordingMailer();
  const r = await sendIssue(storage, mailer, { ...options, onProgress: (p) => progress.push(p) });
  assert.equal(r.sent, 230);
  assert.equal(new Set(mailer.sent.map((m) => m.to)).size, 230);
  // Eight workers at once: a count of 100 may be passed between two checks, so only its shape is fixed.
  assert.ok(progress.every((p) => p.sent % 100 === 0 && p.sent > 0 && p.total === 230 && p.skipped === 0), JSON.stringify(progress));
  assert.ok(batchPuts >= 10 && batchPuts <= 12, `230 marks in batches of 25: ${batchPuts}`);
  assert.equal([...storage.rows.values()].filter((x) => x.pk === `SEND#${week}` && x.state === 'delivered').length, 230);
  assert.equal(SEND_CONCURRENCY, 8);
});

test('outbox mailer: a file per reader, written after the commit; settle reads the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-outbox-'));
  const outbox = new OutboxMailer(path.join(dir, 'out'));
  const mail: OutgoingMail = { from: 'n@example.org', to: 'Odd/Name@example.org', subject: 'S', html: '<p>h</p>', text: 't', messageId: '<m@x>', headers: { 'List-Id': 'x <y>' } };
  assert.equal(await outbox.settle(mail), false);
  await assert.rejects(outbox.send(mail, async () => { throw new Error('record refused'); }), /record refused/);
  assert.equal(await outbox.settle(mail), false, 'no commit, no message');
  await outbox.send(mail, async () => {});
  assert.equal(await outbox.settle(mail), true);
  const files = fs.readdirSync(path.join(dir, 'out')).filter((f) => f.endsWith('.eml'));
  assert.deepEqual(files, ['Odd_Name@example.org.eml']);
  const eml = fs.readFileSync(path.join(dir, 'out', files[0]), 'latin1');
  assert.match(eml, /^Message-ID: <m@x>/m);
  assert.match(eml, /^List-Id: x <y>/im);
  await outbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A real SMTP server on 127.0.0.1 (milliseconds, no emulators); `answer` decides the reply to each
 * message's end of data: undefined accepts, a number refuses with that code.
 */
async function smtpServer(answer: (to: string) => number | undefined = () => undefined) {
  const received: { to: string; raw: string }[] = [];
  let dataCommands = 0;
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onConnect(_session, callback) { connections++; callback(); },
    onData(stream, session, callback) {
      dataCommands++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address).join(',');
        const code = answer(to);
        if (code !== undefined) return callback(Object.assign(new Error(`refused ${code}`), { responseCode: code }));
        received.push({ to, raw: Buffer.concat(chunks).toString('latin1') });
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  return { url, received, attempts: () => dataCommands, connections: () => connections, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const smtpMail = (to: string, messageId: string): OutgoingMail => ({ from: 'news@example.org', to, subject: 'Kernel News', html: '<p>h</p>', text: 'Body line\n.\nafter a lone dot\n', messageId, headers: {} });
const journalEvents = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n');

test('smtp mailer: an accepted message is journaled start, open, dot, ok, in that order, and settles as delivered', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const journal = path.join(dir, 'deep', 'journal.log'); // the journal's folder is made on first write
  const server = await smtpServer();
  const mailer = new SmtpMailer(server.url, { journal });
  const id = '<ok.2026-W02@kernel-news.test>';
  let commits = 0;
  try {
    await mailer.send(smtpMail('ada@example.org', id), async () => { commits++; });
    assert.equal(commits, 1);
    assert.deepEqual(journalEvents(journal), [`start ${id}`, `open ${id}`, `dot ${id}`, `ok ${id}`]);
    assert.equal(await mailer.settle({ messageId: id }), true);
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0].to, 'ada@example.org');
    assert.match(server.received[0].raw, /^Message-ID: <ok\.2026-W02@kernel-news\.test>/im);
    assert.match(server.received[0].raw, /after a lone dot/, 'a line holding only "." in the body does not end the data');
    // A new run reads the journal file: the same verdict, and nothing known of other messages.
    const rerun = new SmtpMailer(server.url, { journal });
    assert.equal(await rerun.settle({ messageId: id }), true);
    assert.equal(await rerun.settle({ messageId: '<never@kernel-news.test>' }), undefined, 'no record: in doubt');
    await rerun.close();
  } finally {
    await mailer.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('smtp mailer: a definite refusal after the "." is not retried and settles as not delivered; a 421 is retried on a fresh connection', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const journal = path.join(dir, 'journal.log');
  let busy = 1; // the first try of the busy reader meets a 421, the next one is accepted
  const server = await smtpServer((to) => (to === 'full@example.org' ? 552 : to === 'busy@example.org' && busy-- > 0 ? 421 : undefined));
  const mailer = new SmtpMailer(server.url, { journal });
  const full = '<full.2026-W02@kernel-news.test>';
  const busyId = '<busy.2026-W02@kernel-news.test>';
  try {
    await assert.rejects(mailer.send(smtpMail('full@example.org', full), async () => {}), (err: unknown) => !(err instanceof InDoubtError) && (err as { responseCode?: number }).responseCode === 552);
    assert.equal(server.attempts(), 1, '552 is final: one try');
    assert.deepEqual(journalEvents(journal).filter((l) => l.endsWith(full)), [`start ${full}`, `open ${full}`, `dot ${full}`, `refused ${full}`]);
    assert.equal(await mailer.settle({ messageId: full }), false);
    let commits = 0;
    await mailer.send(smtpMail('busy@example.org', busyId), async () => { commits++; });
    assert.equal(commits, 1, 'one record however many tries');
    assert.equal(server.attempts(), 3, 'the 421 try and the accepted one');
    assert.deepEqual(server.received.map((r) => r.to), ['busy@example.org']);
    assert.equal(journalEvents(journal).filter((l) => l.endsWith(busyId)).at(-1), `ok ${busyId}`);
    assert.equal(await mailer.settle({ messageId: busyId }), true);
  } finally {
    await mailer.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('smtp mailer: a record that cannot be committed stops the message before its "." and is the error reported', async () => {
  const server = await smtpServer();
  const mailer = new SmtpMailer(server.url); // journal in memory only
  const id = '<norecord.2026-W02@kernel-news.test>';
  try {
    await assert.rejects(mailer.send(smtpMail('bo@example.org', id), async () => { throw new Error('record refused'); }), /record refused/);
    assert.deepEqual(server.received, [], 'nothing delivered without its record');
    assert.equal(await mailer.settle({ messageId: id }), false, 'the "." never went out');
  } finally {
    await mailer.close();
    await server.close();
  }
});

test('smtp journal replay: the last event of each message decides, and a blind connection leaves bare starts in doubt', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-journal-'));
  const journal = path.join(dir, 'journal.log');
  // Written by hand from the journal's documented events (lambdas/deliver/mailer.ts, SmtpMailer).
  const events: [string, boolean | undefined][] = [
    ['start <s@t>', false], ['start <o@t>\nopen <o@t>', false], ['start <d@t>\nopen <d@t>\ndot <d@t>', undefined],
    ['dot <k@t>\nok <k@t>', true], ['dot <r@t>\nrefused <r@t>', false], ['dot <u@t>\nunsent <u@t>', false],
    ['queued <q@t>', false], ['ok <a@t>\nstart <a@t>', false],
  ];
  fs.writeFileSync(journal, events.map(([lines]) => lines).join('\n') + '\n\n');
  const settleAll = async () => {
    const mailer = new SmtpMailer('smtp://127.0.0.1:1', { journal });
    const out = [];
    for (const [lines] of events) out.push(await mailer.settle({ messageId: lines.split('\n').at(-1)!.split(' ')[1] }));
    await mailer.close();
    return out;
  };
  assert.deepEqual(await settleAll(), events.map(([, state]) => state));
  fs.appendFileSync(journal, 'blind -\n');
  // After "blind", only a bare "start" changes: its body may have gone out unseen.
  assert.deepEqual(await settleAll(), events.map(([lines, state]) => (/^start [^\n]+$/.test(lines.split('\n').at(-1)!) && !lines.includes('open') ? undefined : state)));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a slow mail server: a delivered mark is not held back a second or more waiting for its batch to fill', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  await importConfirmed(storage, ['a@example.org', 'b@example.org', 'c@example.org']);
  const batches: number[] = [];
  const batchPut = storage.table.batchPut.bind(storage.table);
  storage.table.batchPut = async (items) => { batches.push(items.length); return batchPut(items); };
  // Each message takes the server exactly one second (the clock is mocked, nothing waits), one at a
  // time: the gate lets the next message start only once the previous one's mark was taken.
  mock.timers.enable({ apis: ['Date'], now: 0 });
  let gate: Promise<unknown> = Promise.resolve();
  const slow: Mailer = {
    async send(_mail, commit) {
      const turn = gate.then(async () => { await commit(); mock.timers.tick(1000); });
      gate = turn.then(() => new Promise((resolve) => setImmediate(resolve)), () => {});
      await turn;
    },
    async settle() { return undefined; },
    async close() {},
  };
  try {
    const r = await sendIssue(storage, slow, options);
    assert.equal(r.sent, 3);
  } finally {
    mock.timers.reset();
  }
  // Delivered at 1 s, 2 s and 3 s: the first mark has waited a second when the second comes, so both
  // go out then; the third goes at the end.
  assert.deepEqual(batches, [2, 1]);
});

/**
 * A server on 127.0.0.1 answering as the SES v2 API does (POST /v2/email/outbound-emails, JSON, the
 * error's name in x-amzn-ErrorType); `answer` picks, per call, the status and error name, or 'hang'.
 */
async function sesServer(answer: (call: number) => { status: number; error?: string } | 'hang' = () => ({ status: 200 })) {
  const calls: { raw: string; configurationSet?: string; committed: boolean }[] = [];
  const hanging: http.ServerResponse[] = [];
  let committed = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      assert.equal(`${req.method} ${req.url}`, 'POST /v2/email/outbound-emails');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Content: { Raw: { Data: string } }; ConfigurationSetName?: string };
      calls.push({ raw: Buffer.from(body.Content.Raw.Data, 'base64').toString('utf8'), configurationSet: body.ConfigurationSetName, committed });
      const how = answer(calls.length);
      if (how === 'hang') { hanging.push(res); return; }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (how.error) headers['x-amzn-ErrorType'] = how.error;
      res.writeHead(how.status, headers).end(JSON.stringify(how.error ? { message: `${how.error} from the test server` } : { MessageId: `ses-${calls.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // As the send handler builds it: no SDK retries (a retried timeout could be a second copy).
  const clients: SESv2Client[] = [];
  const client = (requestTimeout = 10_000) => {
    const c = new SESv2Client({ maxAttempts: 1, endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: { requestTimeout, throwOnRequestTimeout: true } });
    clients.push(c);
    return c;
  };
  return {
    calls, client, commit: async () => { committed = true; }, reset: () => { committed = false; calls.length = 0; },
    close: () => new Promise<void>((resolve) => { for (const c of clients) c.destroy(); for (const r of hanging) r.destroy(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
const sesMail = (to: string): OutgoingMail => ({ from: 'news@example.org', to, subject: 'Kernel News', html: '<p>h</p>', text: 'Body', messageId: `<${to}.2026-W02@kernel-news.test>`, headers: { 'List-Id': 'Kernel News <kernel-news.newsletter>' } });

test('ses mailer: the record is committed before the call, the raw message and configuration set go to SES, a refusal or a server error is not retried', async () => {
  const answers: Record<number, { status: number; error?: string }> = { 2: { status: 400, error: 'MessageRejected' }, 3: { status: 500, error: 'InternalFailure' } };
  const ses = await sesServer((n) => answers[n] ?? { status: 200 });
  try {
    const mailer = new SesMailer(ses.client(), 1000, 'newsletter-set');
    await mailer.send(sesMail('ada@example.org'), ses.commit);
    assert.equal(ses.calls.length, 1);
    assert.equal(ses.calls[0].committed, true, 'no call before the send record');
    assert.equal(ses.calls[0].configurationSet, 'newsletter-set');
    assert.match(ses.calls[0].raw, /^To: ada@example\.org\r?$/m);
    assert.match(ses.calls[0].raw, /^Message-ID: <ada@example\.org\.2026-W02@kernel-news\.test>\r?$/im);
    assert.match(ses.calls[0].raw, /^List-Id: Kernel News <kernel-news\.newsletter>\r?$/im);
    await assert.rejects(mailer.send(sesMail('bad@example.org'), ses.commit), (err: Error) => err.name === 'MessageRejected');
    assert.equal(ses.calls.length, 2, 'a rejection is final');
    await assert.rejects(mailer.send(sesMail('boom@example.org'), ses.commit), (err: Error) => err.name === 'InternalFailure');
    assert.equal(ses.calls.length, 3, 'a 5xx may follow an accepted message: not retried, in doubt');
    assert.equal(await mailer.settle(), undefined, 'SES keeps no evidence to ask afterwards');
    ses.reset();
    await assert.rejects(new SesMailer(ses.client(), 1000).send(sesMail('nobody@example.org'), async () => { throw new Error('record refused'); }), /record refused/);
    assert.equal(ses.calls.length, 0, 'no record, no call');
  } finally {
    await ses.close();
  }
});

test('ses mailer: a throttled call is retried (by error name or by status 429), and the reader gets one message', async () => {
  for (const throttled of [{ status: 429, error: 'TooManyRequestsException' }, { status: 400, error: 'ThrottlingException' }, { status: 429, error: 'SlowDown' }]) {
    const ses = await sesServer((n) => (n === 1 ? throttled : { status: 200 }));
    try {
      await new SesMailer(ses.client(), 1000).send(sesMail('ada@example.org'), ses.commit);
      assert.equal(ses.calls.length, 2, JSON.stringify(throttled));
    } finally {
      await ses.close();
    }
  }
});

test('ses mailer: a call SES never answers is given up with an error, not retried', async () => {
  const ses = await sesServer(() => 'hang');
  try {
    await assert.rejects(new SesMailer(ses.client(200), 1000).send(sesMail('ada@example.org'), ses.commit));
    assert.equal(ses.calls.length, 1);
  } finally {
    await ses.close();
  }
});

test('ses mailer: calls are paced to the send rate (the clock is mocked, nothing waits)', async () => {
  const ses = await sesServer();
  const commits: Array<[string, number]> = [];
  const mailer = new SesMailer(ses.client(), 2); // two a second: one every 500 ms
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 0 });
  try {
    const commitOf = (to: string) => async () => { commits.push([to, Date.now()]); };
    await mailer.send(sesMail('a@example.org'), commitOf('a'));
    const second = mailer.send(sesMail('b@example.org'), commitOf('b'));
    const third = mailer.send(sesMail('c@example.org'), commitOf('c'));
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 5; i++) await settle();
    assert.deepEqual(commits, [['a', 0]], 'the second waits for its turn');
    mock.timers.tick(499);
    for (let i = 0; i < 5; i++) await settle();
    assert.deepEqual(commits, [['a', 0]], 'not before half a second');
    mock.timers.tick(1);
    await second;
    assert.deepEqual(commits, [['a', 0], ['b', 500]]);
    mock.timers.tick(500);
    await third;
    assert.deepEqual(commits, [['a', 0], ['b', 500], ['c', 1000]]);
    assert.equal(ses.calls.length, 3);
  } finally {
    mock.timers.reset();
    await ses.close();
  }
});

test('ses mailer: throttling is recognised by error name alone or status alone; a throttled reader is given up after a few tries, each wait longer than the last', async () => {
  for (const throttled of [{ status: 400, error: 'TooManyRequestsException' }, { status: 400, error: 'ThrottlingException' }]) {
    const ses = await sesServer((n) => (n === 1 ? throttled : { status: 200 }));
    try {
      await new SesMailer(ses.client(), 1000).send(sesMail('ada@example.org'), ses.commit);
      assert.equal(ses.calls.length, 2, JSON.stringify(throttled));
    } finally {
      await ses.close();
    }
  }
  const at: number[] = [];
  const ses = await sesServer(() => { at.push(Date.now()); return { status: 429, error: 'TooManyRequestsException' }; });
  mock.timers.enable({ apis: ['Date', 'setTimeout'], now: 0 });
  try {
    let outcome: unknown;
    const sending = new SesMailer(ses.client(), 1000).send(sesMail('busy@example.org'), ses.commit).then(() => (outcome = 'sent'), (err: Error) => (outcome = err));
    // Let each backoff pass on the mocked clock (10 s at a time) until the mailer gives up; at most 30 rounds.
    for (let round = 0; round < 30 && outcome === undefined; round++) {
      for (let i = 0; i < 20 && at.length === ses.calls.length && outcome === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
      mock.timers.tick(10_000);
      for (let i = 0; i < 20 && outcome === undefined; i++) await new Promise((resolve) => setImmediate(resolve));
    }
    await sending;
    assert.ok(outcome instanceof Error && outcome.name === 'TooManyRequestsException', String(outcome));
    // "Throttled SES calls retried at most this many times": five retries, so six calls in all.
    assert.equal(ses.calls.length, 6, `the first call and five retries: ${ses.calls.length} calls`);
  } finally {
    mock.timers.reset();
    await ses.close();
  }
});

test('smtp mailer: a server that cannot be reached is tried again, then reported not delivered; over TLS (unwatchable) the same message is in doubt', async () => {
  // A port nothing listens on: every connection is refused before a byte of the message goes out.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const journal = path.join(dir, 'journal.log');
  const id = '<refused.2026-W02@kernel-news.test>';
  const plain = new SmtpMailer(`smtp://127.0.0.1:${port}`, { journal });
  try {
    await assert.rejects(plain.send(smtpMail('ada@example.org', id), async () => {}), (err: unknown) => !(err instanceof InDoubtError) && /ECONNREFUSED/.test(String((err as Error).message ?? err)));
    assert.equal(journalEvents(journal).filter((l) => l === `start ${id}`).length, 3, 'three tries in a run (the first and two more), each on a fresh connection');
    assert.equal(await plain.settle({ messageId: id }), false, 'nothing went out');
  } finally {
    await plain.close();
  }
  const tls = new SmtpMailer(`smtps://127.0.0.1:${port}`, { journal });
  try {
    assert.ok(journalEvents(journal).includes('blind -'), 'a TLS transport is recorded as unwatchable');
    assert.equal(await tls.settle({ messageId: id }), undefined, 'once any connection may go unseen, a bare "start" is in doubt');
    await assert.rejects(tls.send(smtpMail('bo@example.org', '<tls.2026-W02@kernel-news.test>'), async () => {}), InDoubtError);
  } finally {
    await tls.close();
  }
  const rerun = new SmtpMailer(`smtp://127.0.0.1:${port}`, { journal });
  assert.equal(await rerun.settle({ messageId: '<tls.2026-W02@kernel-news.test>' }), undefined, 'after a blind connection a bare start stays in doubt');
  await rerun.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('smtp mailer: to a local server that offers STARTTLS the message goes in plain text, watched; no "dot" before the record is committed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const journal = path.join(dir, 'journal.log');
  const received: string[] = [];
  // STARTTLS offered (smtp-server's own test certificate): a local test server must not be taken to TLS, where the wire cannot be watched.
  // The record is committed once the body has reached the server (its first bytes seen there), before the ".".
  let bodySeen!: () => void;
  const bodyArrived = new Promise<void>((resolve) => (bodySeen = resolve));
  let ended = false;
  const server = new SMTPServer({ authOptional: true, logger: false, onData(stream, session, callback) { stream.once('data', () => bodySeen()); stream.resume(); stream.on('end', () => { ended = true; received.push(session.envelope.rcptTo[0].address); callback(); }); } });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const mailer = new SmtpMailer(`smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, { journal });
  const id = '<plain.2026-W02@kernel-news.test>';
  let atCommit: string[] = [];
  let endedAtCommit: boolean | undefined;
  try {
    await mailer.send({ ...smtpMail('ada@example.org', id), text: 'x'.repeat(20_000) }, async () => { await bodyArrived; atCommit = journalEvents(journal); endedAtCommit = ended; });
    assert.deepEqual(atCommit, [`start ${id}`, `open ${id}`], 'the body went out, the "." did not');
    assert.equal(endedAtCommit, false, 'the server had not seen the end of the data');
    assert.deepEqual(journalEvents(journal), [`start ${id}`, `open ${id}`, `dot ${id}`, `ok ${id}`], 'no "blind": the connection stayed plain');
    assert.deepEqual(received, ['ada@example.org']);
  } finally {
    await mailer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a record this run left in doubt is sent by a later run once the mailer knows it was not handed over', async () => {
  const storage = memoryStorage();
  await approvedIssue(storage);
  await importConfirmed(storage, ['ada@example.org']);
  const first = await sendIssue(storage, recordingMailer(() => 'in-doubt'), options);
  assert.deepEqual(first.inDoubt, ['ada@example.org']);
  const left = storage.rows.get(`SEND#${week}\u0000ada@example.org`);
  assert.deepEqual({ ...left, at: undefined }, { pk: `SEND#${week}`, sk: 'ada@example.org', type: 'send', state: 'committed', at: undefined }, 'a send record, left committed (docs/storage.md)');
  assert.ok(!Number.isNaN(Date.parse(String(left?.at))));
  const later = recordingMailer(() => 'ok', () => false);
  const second = await sendIssue(storage, later, options);
  assert.equal(second.sent, 1, 'the record the first run wrote is the one the retry finds unchanged');
  assert.equal(second.alreadySent, 0);
  assert.deepEqual(later.sent.map((m) => m.to), ['ada@example.org']);
});

test('smtp mailer: a server that answers every try with 421 sees exactly three tries, and the message is reported not delivered', async () => {
  const server = await smtpServer(() => 421);
  const mailer = new SmtpMailer(server.url);
  const id = '<always-busy.2026-W02@kernel-news.test>';
  let commits = 0;
  try {
    await assert.rejects(mailer.send(smtpMail('busy@example.org', id), async () => { commits++; }), (err: unknown) => !(err instanceof InDoubtError) && (err as { responseCode?: number }).responseCode === 421);
    assert.equal(server.attempts(), 3, 'SMTP: three tries of one message within a run, no fourth');
    assert.equal(commits, 1, 'one record however many tries');
    assert.deepEqual(server.received, []);
    assert.equal(await mailer.settle({ messageId: id }), false, 'every try was refused: not handed over');
  } finally {
    await mailer.close();
    await server.close();
  }
});

test('smtp mailer: messages after the first on a pooled connection are watched just as the first; the journal keys each by its own Message-ID header, not a look-alike header before it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const journal = path.join(dir, 'journal.log');
  const server = await smtpServer((to) => (to === 'full@example.org' ? 552 : undefined));
  const mailer = new SmtpMailer(server.url, { journal, maxConnections: 1 });
  const ids = ['<one.2026-W02@kernel-news.test>', '<two.2026-W02@kernel-news.test>', '<three.2026-W02@kernel-news.test>', '<four.2026-W02@kernel-news.test>'];
  try {
    await mailer.send(smtpMail('ada@example.org', ids[0]), async () => {});
    // Headers of the reader's own come before Message-ID in the message: one that merely ends in "Message-ID" is not it.
    await mailer.send({ ...smtpMail('bo@example.org', ids[1]), headers: { 'X-Original-Message-ID': '<elsewhere@example.org>', 'Resent-Message-ID': '<resent@example.org>' } }, async () => {});
    await assert.rejects(mailer.send(smtpMail('full@example.org', ids[2]), async () => {}), (err: unknown) => (err as { responseCode?: number }).responseCode === 552);
    await mailer.send(smtpMail('cy@example.org', ids[3]), async () => {});
    assert.equal(server.connections(), 1, 'one pooled connection carried all four');
    assert.deepEqual(server.received.map((r) => r.to), ['ada@example.org', 'bo@example.org', 'cy@example.org']);
    assert.deepEqual(journalEvents(journal), [
      `start ${ids[0]}`, `open ${ids[0]}`, `dot ${ids[0]}`, `ok ${ids[0]}`,
      `start ${ids[1]}`, `open ${ids[1]}`, `dot ${ids[1]}`, `ok ${ids[1]}`,
      `start ${ids[2]}`, `open ${ids[2]}`, `dot ${ids[2]}`, `refused ${ids[2]}`,
      `start ${ids[3]}`, `open ${ids[3]}`, `dot ${ids[3]}`, `ok ${ids[3]}`,
    ]);
    assert.deepEqual(await Promise.all(ids.map((messageId) => mailer.settle({ messageId }))), [true, true, false, true]);
  } finally {
    await mailer.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('smtp mailer: "localhost" is local too (STARTTLS offered, the message goes plain and watched); a host that is not local is taken to TLS, unwatchable, and a message it did not confirm is in doubt', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const received: string[] = [];
  // STARTTLS offered, with smtp-server's own self-signed certificate.
  const starttlsServer = async (host: string) => {
    const server = new SMTPServer({ authOptional: true, logger: false, onData(stream, session, callback) { stream.resume(); stream.on('end', () => { received.push(session.envelope.rcptTo[0].address); callback(); }); } });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => { server.server.once('error', reject); server.listen(0, host, () => resolve()); });
    return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  };
  try {
    const local = await starttlsServer('127.0.0.1');
    const journal = path.join(dir, 'local.log');
    const mailer = new SmtpMailer(`smtp://localhost:${local.port}`, { journal });
    const id = '<localhost.2026-W02@kernel-news.test>';
    try {
      await mailer.send(smtpMail('ada@example.org', id), async () => {});
      assert.deepEqual(journalEvents(journal), [`start ${id}`, `open ${id}`, `dot ${id}`, `ok ${id}`], 'no "blind": plain and watched');
      assert.deepEqual(received, ['ada@example.org']);
    } finally {
      await mailer.close();
      await local.close();
    }
    // 127.0.0.2 is a loopback address on Linux, but not a host the mailer takes for local.
    let remote: Awaited<ReturnType<typeof starttlsServer>>;
    try {
      remote = await starttlsServer('127.0.0.2');
    } catch (err) {
      t.skip(`no 127.0.0.2 on this machine: ${(err as Error).message}`);
      return;
    }
    const remoteJournal = path.join(dir, 'remote.log');
    const other = new SmtpMailer(`smtp://127.0.0.2:${remote.port}`, { journal: remoteJournal });
    const otherId = '<remote.2026-W02@kernel-news.test>';
    try {
      // The server's certificate is self-signed: the TLS set-up fails after STARTTLS went out.
      await assert.rejects(other.send(smtpMail('bo@example.org', otherId), async () => {}), InDoubtError);
      assert.deepEqual(journalEvents(remoteJournal), [`start ${otherId}`, 'blind -'], 'STARTTLS went out: the connection is unwatchable');
      assert.deepEqual(received, ['ada@example.org'], 'nothing went out in plain text');
      assert.equal(await other.settle({ messageId: otherId }), undefined);
    } finally {
      await other.close();
      await remote.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('smtp mailer over TLS (smtps, unwatchable): an accepted message is journaled "ok" once and settles delivered; a refusal is reported as such, once, and settles not delivered', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smtp-'));
  const journal = path.join(dir, 'journal.log');
  const received: string[] = [];
  let tries = 0;
  const server = new SMTPServer({
    secure: true, authOptional: true, logger: false, // smtp-server's own self-signed certificate
    onData(stream, session, callback) {
      tries++;
      stream.resume();
      stream.on('end', () => {
        const to = session.envelope.rcptTo[0].address;
        if (to === 'full@example.org') return callback(Object.assign(new Error('mailbox full'), { responseCode: 552 }));
        received.push(to);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  // The test server's certificate is self-signed; Node reads this at each TLS connection.
  const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const mailer = new SmtpMailer(`smtps://127.0.0.1:${(server.server.address() as AddressInfo).port}`, { journal });
  const ok = '<tls-ok.2026-W02@kernel-news.test>';
  const full = '<tls-full.2026-W02@kernel-news.test>';
  try {
    await mailer.send(smtpMail('ada@example.org', ok), async () => {});
    await assert.rejects(mailer.send(smtpMail('full@example.org', full), async () => {}), (err: unknown) => !(err instanceof InDoubtError) && (err as { responseCode?: number }).responseCode === 552);
    assert.deepEqual(received, ['ada@example.org']);
    assert.equal(tries, 2, 'a 552 is final, over TLS too');
    assert.deepEqual(journalEvents(journal), ['blind -', `start ${ok}`, `ok ${ok}`, `start ${full}`, `refused ${full}`], 'the wire is not seen: the outcome comes from the transport, each written once');
    assert.equal(await mailer.settle({ messageId: ok }), true);
    assert.equal(await mailer.settle({ messageId: full }), false);
  } finally {
    if (before === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = before;
    await mailer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
