import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import net, { type AddressInfo } from 'node:net';
import { freshAws, repoRoot, tempDir } from './helpers.js';
import { startLocalAws } from '../lambdas/local/emulators.js';
import { publishIssue } from '../lambdas/archive/publish.js';
import { createDraftIssue, approveVersion } from '../lambdas/review/store.js';
import { sendIssue } from '../lambdas/deliver/send.js';
import { OutboxMailer, SmtpMailer, type Mailer } from '../lambdas/deliver/mailer.js';
import { subscriptionRoutes } from '../lambdas/subscribers/routes.js';
import { getSubscriber, importConfirmed, recipients } from '../lambdas/subscribers/store.js';
import { handleSesNotifications } from '../lambdas/subscribers/bounces.js';
import { startLocalServer, type LocalServer } from '../lambdas/web/local-server.js';
import { localSigningKey } from '../lambdas/web/signing.js';
import { UserError } from '../lambdas/errors.js';
import type { IssueDocument } from '../lambdas/model.js';
import type { Storage } from '../lambdas/storage/index.js';

interface Received { to: string; raw: string; complete: boolean }

/** A real SMTP server on 127.0.0.1 that keeps every message it accepted. */
async function smtpSink() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 10 << 20,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        // Only a message whose MIME structure closes is a delivered message.
        for (const r of session.envelope.rcptTo) received.push({ to: r.address, raw, complete: /--\r?\n?$/.test(raw.trimEnd() + '\n') || /--[^\s]+--\s*$/.test(raw) });
        callback();
      });
    },
  });
  server.on('error', () => {}); // a killed sender resets its connections: expected in the crash test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function smallIssue(week: string): IssueDocument {
  return {
    week, generatedAt: new Date().toISOString(), stats: { messages: 2, threads: 1, topics: 1 }, lists: ['linux-block@vger.kernel.org'],
    topics: [{
      id: 't-1', headline: 'Zeroing the Integrity Buffer', score: 1, reasons: ['test'], messageIds: ['a@x'], participants: [{ name: 'Ada', email: 'ada@example.org' }],
      paragraphs: [{ text: 'Ada said, "the buffer must be zeroed before it reaches the drive."', quotes: [{ text: 'the buffer must be zeroed before it reaches the drive.', author: { name: 'Ada', email: 'ada@example.org' }, messageId: 'a@x', url: 'https://lore.kernel.org/r/a@x' }] }],
    }],
    verification: { quotes: 1, verified: 1, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}

async function approvedIssue(storage: Storage, week: string) {
  const doc = smallIssue(week);
  const record = await createDraftIssue(storage, doc);
  await approveVersion(storage, week, record.draftVersion, 'test');
  await publishIssue({ site: storage.site, table: storage.table, siteUrl: 'http://127.0.0.1:1' }, doc);
}

let aws: Awaited<ReturnType<typeof freshAws>>;
let smtp: Awaited<ReturnType<typeof smtpSink>>;
let web: LocalServer;
let mailer: SmtpMailer;
const key = Buffer.alloc(32, 9);
const FROM = 'Kernel News <news@example.org>';

before(async () => {
  aws = await freshAws();
  smtp = await smtpSink();
  mailer = new SmtpMailer(smtp.url);
  web = await startLocalServer(subscriptionRoutes({ storage: aws.storage, signingKey: key, mailer, from: FROM }));
});
after(async () => {
  await mailer?.close();
  await web?.close();
  await smtp?.close();
  await aws?.close();
});

const post = (url: string, body: Record<string, string>) => fetch(url, { method: 'POST', body: new URLSearchParams(body), redirect: 'manual' });
const linkIn = (raw: string, kind: string) => new RegExp(`(http://127\\.0\\.0\\.1:\\d+/${kind}\\?[^\\s"<>]+)`).exec(raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='))![1].replace(/&amp;/g, '&');

test('subscribe, confirm, receive the issue, unsubscribe with one POST, receive nothing next time', async () => {
  const reader = 'reader@example.org';
  const subscribed = await post(`${web.url}/subscribe`, { email: reader });
  assert.equal(subscribed.status, 200);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'pending');
  const confirmation = smtp.received.find((m) => m.to === reader)!;
  const confirmUrl = linkIn(confirmation.raw, 'confirm');
  assert.equal((await fetch(confirmUrl)).status, 200); // a GET (a mail scanner) confirms nothing
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'pending');
  assert.equal((await post(confirmUrl, {})).status, 200);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'confirmed');

  await approvedIssue(aws.storage, '2026-W20');
  const before = smtp.received.length;
  const report = await sendIssue(aws.storage, mailer, { week: '2026-W20', from: FROM, baseUrl: web.url, signingKey: key });
  assert.equal(report.sent, 1);
  const mail = smtp.received.slice(before).find((m) => m.to === reader)!;
  const parsed = await simpleParser(mail.raw);
  assert.match(mail.raw, /^Content-Type: multipart\/alternative/m);
  assert.ok(parsed.text?.includes('the buffer must be zeroed'));
  assert.ok(parsed.html && parsed.html.includes('the buffer must be zeroed'));
  const listUnsubscribe = parsed.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r?\n\s+/g, '');
  assert.match(listUnsubscribe, /<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?e=reader%40example\.org&exp=\d+&sig=[\w-]+>/);
  assert.match(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')!.line, /List-Unsubscribe=One-Click/);
  const unsubscribeUrl = /<([^>]+)>/.exec(listUnsubscribe)![1];
  assert.ok(parsed.html.includes(unsubscribeUrl.replace(/&/g, '&amp;')), 'the footer carries the same per-recipient link');
  assert.ok(!mail.raw.includes('%%UNSUBSCRIBE_URL%%'));

  // RFC 8058 one-click: a single POST with the standard body.
  const oneClick = await fetch(unsubscribeUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  assert.equal(oneClick.status, 200);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'unsubscribed');
  await approvedIssue(aws.storage, '2026-W21');
  const again = await sendIssue(aws.storage, mailer, { week: '2026-W21', from: FROM, baseUrl: web.url, signingKey: key });
  assert.equal(again.total, 0);
  assert.ok(!smtp.received.some((m) => m.to === reader && m.raw.includes('2026-W21')));
});

test('no endpoint tells whether another address is subscribed; forged links are refused', async () => {
  await importConfirmed(aws.storage, ['known@example.org']);
  const known = await (await post(`${web.url}/subscribe`, { email: 'known@example.org' })).text();
  const unknown = await (await post(`${web.url}/subscribe`, { email: 'unknown@example.org' })).text();
  assert.equal(known, unknown);
  const bad = await fetch(`${web.url}/unsubscribe?e=known%40example.org&exp=9999999999&sig=AAAA`, { method: 'POST' });
  assert.equal(bad.status, 403);
  assert.equal((await getSubscriber(aws.storage, 'known@example.org'))?.status, 'confirmed');
  assert.equal((await post(`${web.url}/subscribe`, { email: 'not an address' })).status, 400);
});

test('an issue that is not approved is refused; a second send of the same issue sends nothing', async () => {
  await createDraftIssue(aws.storage, smallIssue('2026-W22'));
  await assert.rejects(sendIssue(aws.storage, mailer, { week: '2026-W22', from: FROM, baseUrl: web.url, signingKey: key }), (err: unknown) => err instanceof UserError && /not approved/.test((err as Error).message));
  await approvedIssue(aws.storage, '2026-W23');
  const first = await sendIssue(aws.storage, mailer, { week: '2026-W23', from: FROM, baseUrl: web.url, signingKey: key });
  const second = await sendIssue(aws.storage, mailer, { week: '2026-W23', from: FROM, baseUrl: web.url, signingKey: key });
  assert.ok(first.sent >= 1);
  assert.equal(second.sent, 0);
  assert.equal(second.alreadySent, first.sent);
});

test('SES bounces and complaints suppress addresses; transient bounces do not', async () => {
  await importConfirmed(aws.storage, ['bounce@example.org', 'soft@example.org', 'angry@example.org']);
  const sns = (message: object) => ({ Sns: { Message: JSON.stringify(message) } });
  const suppressed = await handleSesNotifications(aws.storage, { Records: [
    sns({ eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bounce@example.org' }] } }),
    sns({ eventType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'soft@example.org' }] } }),
    sns({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'Angry@example.org' }] } }),
    { Sns: { Message: 'not json' } },
  ] });
  assert.deepEqual(suppressed.sort(), ['angry@example.org', 'bounce@example.org']);
  await approvedIssue(aws.storage, '2026-W24');
  const before = smtp.received.length;
  await sendIssue(aws.storage, mailer, { week: '2026-W24', from: FROM, baseUrl: web.url, signingKey: key });
  const to = smtp.received.slice(before).map((m) => m.to);
  assert.ok(to.includes('soft@example.org'));
  assert.ok(!to.includes('bounce@example.org') && !to.includes('angry@example.org'));
});

test('an interrupted run is settled from the mailer\'s evidence: handed over is not re-sent, unfinished is, no evidence is reported in doubt', async () => {
  const week = '2026-W25';
  await approvedIssue(aws.storage, week);
  const [handed, unfinished, unknown] = ['handed@example.com', 'unfinished@example.com', 'unknown@example.com'];
  await importConfirmed(aws.storage, [handed, unfinished, unknown]);
  const committed = (email: string) => aws.storage.table.put({ pk: `SEND#${week}`, sk: email, type: 'send', state: 'committed', at: '2026-06-01T00:00:00.000Z' });
  await Promise.all([handed, unfinished, unknown].map(committed));
  const outbox = path.join(tempDir(), 'outbox');
  const evidence = new OutboxMailer(outbox);
  fs.writeFileSync(path.join(outbox, `${handed}.eml`), 'delivered before the crash');
  // The outbox has evidence for everyone; a mailer like SES has none, so hide it for `unknown`.
  const mailer: Mailer = {
    send: (mail, commit) => evidence.send(mail, commit),
    settle: async (mail) => (mail.to === unknown ? undefined : evidence.settle(mail)),
    close: async () => {},
  };
  const options = { week, from: FROM, baseUrl: web.url, signingKey: key, batch: undefined };
  const report = await sendIssue(aws.storage, mailer, options);
  const mine = (list: string[]) => list.filter((e) => e.endsWith('@example.com'));
  assert.deepEqual(mine(report.inDoubt), [unknown]);
  assert.equal(fs.readFileSync(path.join(outbox, `${handed}.eml`), 'utf8'), 'delivered before the crash', 'not sent again');
  assert.match(fs.readFileSync(path.join(outbox, `${unfinished}.eml`), 'utf8'), /List-Unsubscribe/);
  assert.ok(!fs.existsSync(path.join(outbox, `${unknown}.eml`)));
  assert.equal((await aws.storage.table.get({ pk: `SEND#${week}`, sk: handed }))?.state, 'delivered');
  const again = await sendIssue(aws.storage, mailer, { ...options, resendInDoubt: true });
  assert.deepEqual(mine(again.inDoubt), []);
  assert.ok(fs.existsSync(path.join(outbox, `${unknown}.eml`)));
});

test('a message the server refuses after the "." is not taken for delivered: the re-run tries it again', async () => {
  const refused = 'full-mailbox@example.com';
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        if (session.envelope.rcptTo.some((r) => r.address === refused)) {
          attempts++;
          callback(Object.assign(new Error('mailbox full'), { responseCode: 552 }));
        } else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const journal = path.join(tempDir(), 'journal.log');
  const week = '2026-W27';
  await approvedIssue(aws.storage, week);
  await importConfirmed(aws.storage, [refused]);
  const options = { week, from: FROM, baseUrl: web.url, signingKey: key, batch: undefined };
  try {
    for (let run = 1; run <= 2; run++) {
      const mailer = new SmtpMailer(url, { journal });
      const report = await sendIssue(aws.storage, mailer, options).finally(() => mailer.close());
      assert.deepEqual(report.failed.map((f) => f.email), [refused], `run ${run}`);
      assert.ok(!report.inDoubt.includes(refused));
    }
    assert.equal(attempts, 2);
    assert.match(fs.readFileSync(journal, 'utf8'), /^dot .*\nrefused /m);
  } finally {
    server.close();
  }
});

test('a message committed before its body reached the wire settles as not delivered, not in doubt', async () => {
  // The server holds its answer to RCPT TO: the sender's record can be committed while no byte of the
  // body has gone out. A run killed there must leave evidence that it was not delivered.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(_address, _session, callback) {
      void held.then(() => callback());
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const journal = path.join(tempDir(), 'journal.log');
  const mail = { from: FROM, to: 'held@example.com', subject: 's', html: '<p>x</p>', text: 'x', messageId: '<held.2026-W31@kernel-news.test>', headers: {} };
  const settleNow = async () => {
    const rerun = new SmtpMailer(url, { journal });
    return rerun.settle(mail).finally(() => rerun.close());
  };
  const mailer = new SmtpMailer(url, { journal });
  let committed!: () => void;
  const commitSeen = new Promise<void>((resolve) => (committed = resolve));
  const sending = mailer.send(mail, async () => committed());
  try {
    await Promise.race([commitSeen, new Promise((resolve) => setTimeout(resolve, 2000))]);
    // What a re-run would find if the sender died now (whether or not the commit came yet).
    assert.equal(await settleNow(), false);
  } finally {
    release();
    await sending;
    await mailer.close();
    server.close();
  }
  assert.equal(await settleNow(), true, 'delivered once the server took it');
});

test('after a connection went to TLS (unwatchable), a message with no "dot" stays in doubt', async () => {
  const journal = path.join(tempDir(), 'journal.log');
  const ids = ['<a@kernel-news.test>', '<b@kernel-news.test>', '<c@kernel-news.test>'];
  fs.writeFileSync(journal, `start ${ids[0]}\nstart ${ids[1]}\nopen ${ids[1]}\ndot ${ids[1]}\nok ${ids[1]}\nstart ${ids[2]}\nopen ${ids[2]}\n`);
  const settle = async (messageId: string) => {
    const mailer = new SmtpMailer('smtp://127.0.0.1:1', { journal });
    return mailer.settle({ messageId }).finally(() => mailer.close());
  };
  assert.deepEqual([await settle(ids[0]), await settle(ids[1]), await settle(ids[2])], [false, true, false]);
  fs.appendFileSync(journal, 'blind -\n');
  assert.deepEqual([await settle(ids[0]), await settle(ids[1]), await settle(ids[2])], [undefined, true, false]);
});

test('batches split the recipients: every subscriber is in exactly one of them', async () => {
  await importConfirmed(aws.storage, Array.from({ length: 60 }, (_, i) => `batch${i}@example.org`));
  const week = '2026-W26';
  await approvedIssue(aws.storage, week);
  const outbox = path.join(tempDir(), 'outbox');
  const reports = [];
  for (let index = 0; index < 3; index++) reports.push(await sendIssue(aws.storage, new OutboxMailer(outbox), { week, from: FROM, baseUrl: web.url, signingKey: key, batch: { index, of: 3 } }));
  const everyone = (await recipients(aws.storage)).length;
  assert.equal(reports.reduce((n, r) => n + r.sent, 0), everyone);
  assert.ok(reports.every((r) => r.sent > 0 && r.sent < everyone), 'each batch holds a share');
  assert.equal(fs.readdirSync(outbox).filter((f) => f.endsWith('.eml')).length, everyone);
});

test('crash test: the sender killed part-way through 2,000 subscribers, re-run, delivers exactly one message each', async () => {
  const dataDir = tempDir();
  const local = await startLocalAws(dataDir);
  const people = Array.from({ length: 2000 }, (_, i) => `reader${i}@example.net`);
  await importConfirmed(local.storage, people);
  await approvedIssue(local.storage, '2026-W30');
  await local.close();
  localSigningKey(dataDir);

  const sink = await smtpSink();
  const cli = path.join(repoRoot, 'dist', 'bin', 'kernel-news.js');
  const args = [cli, 'send', '--issue', '2026-W30', '--smtp', sink.url, '--data', dataDir];
  const children: ChildProcess[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const first = spawn(process.execPath, args, { stdio: 'ignore' });
    children.push(first);
    const exited = new Promise((resolve) => first.once('exit', resolve));
    // Killed once the server has 700 messages (or, if it ends first, the assertion below says so).
    await Promise.race([exited, new Promise<void>((resolve) => {
      timer = setInterval(() => {
        if (sink.received.length >= 700) {
          first.kill('SIGKILL');
          resolve();
        }
      }, 5);
    })]);
    clearInterval(timer);
    await exited;
    const atKill = sink.received.filter((m) => m.complete).length;
    assert.ok(atKill < 2000, 'killed before the end');
    const second = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(second);
    let stderr = '';
    second.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => second.once('exit', resolve));
    // A kill between a "." and its reply leaves that message in doubt (exit 3), with the next step.
    assert.ok(code === 0 || code === 3, stderr);
    if (code === 3) assert.match(stderr, /^in doubt, \d+ recipient\(s\).*\n {2}next step: .*--resend-in-doubt$/m);
  } finally {
    // A failure above must not leave the server or a sender keeping the test file alive.
    clearInterval(timer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sink.close();
  }
  const counts = new Map<string, number>();
  for (const m of sink.received) if (m.complete) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
  const twice = [...counts].filter(([, n]) => n > 1);
  const missing = people.filter((p) => !counts.has(p));
  assert.deepEqual(twice, [], 'nobody gets a second message');
  assert.deepEqual(missing, [], 'everybody gets one');
  assert.equal(counts.size, 2000);
});

/**
 * A mail server scripted by hand from RFC 5321 (greeting, EHLO, MAIL, RCPT, DATA, "." and QUIT) on
 * 127.0.0.1, that keeps each message it answered 250 to. `onDot` and `onBody` may cut the connection
 * at the end of a message's data (before any reply) or as its body arrives, as a dying server would.
 */
async function scriptedSmtp(hooks: { onBody?: (n: number) => boolean; onDot?: (n: number) => boolean }) {
  const stored: string[] = [];
  let bodies = 0;
  let dots = 0;
  const server = net.createServer((socket) => {
    let buffer = '';
    let inData = false;
    let bodyStarted = false;
    socket.on('error', () => {});
    socket.write('220 scripted ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          if (!bodyStarted && buffer.length > 0) {
            bodyStarted = true;
            if (hooks.onBody?.(++bodies)) return void socket.destroy();
          }
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const body = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          bodyStarted = false;
          if (hooks.onDot?.(++dots)) return void socket.destroy(); // the "." arrived, no reply ever goes out
          stored.push(body);
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-scripted\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') {
          socket.end('221 bye\r\n');
          return;
        } else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { stored, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('the server dies after the "." and before its reply: in doubt, not taken for delivered nor sent again unasked', async () => {
  // RFC 5321 4.1.1.4 and 6.1: the server takes responsibility only with its 2xx reply to the end of data.
  const server = await scriptedSmtp({ onDot: (n) => n === 1 });
  const week = '2026-W32';
  const reader = 'no-reply@example.com';
  const journal = path.join(tempDir(), 'journal.log');
  const storage = (await freshAws()).storage;
  await approvedIssue(storage, week);
  await importConfirmed(storage, [reader]);
  const options = { week, from: FROM, baseUrl: web.url, signingKey: key };
  const run = async (extra: { resendInDoubt?: boolean } = {}) => {
    const mailer = new SmtpMailer(server.url, { journal });
    return sendIssue(storage, mailer, { ...options, ...extra }).finally(() => mailer.close());
  };
  try {
    const first = await run();
    assert.deepEqual([first.sent, first.failed, first.inDoubt], [0, [], [reader]], 'the sender, alive, saw no reply: in doubt');
    const second = await run();
    assert.deepEqual([second.sent, second.alreadySent, second.inDoubt], [0, 0, [reader]], 'a re-run neither counts it delivered nor sends it');
    assert.equal(server.stored.length, 0);
    const asked = await run({ resendInDoubt: true });
    assert.deepEqual([asked.sent, asked.inDoubt], [1, []]);
    assert.equal(server.stored.length, 1);
    assert.ok(server.stored[0].includes('the buffer must be zeroed'));
    const after = await run();
    assert.deepEqual([after.sent, after.alreadySent, after.inDoubt], [0, 1, []]);
  } finally {
    await server.close();
  }
});

test('the server dies mid-body: nothing was handed over, so the message goes out again and arrives once', async () => {
  const server = await scriptedSmtp({ onBody: (n) => n === 1 });
  const journal = path.join(tempDir(), 'journal.log');
  const mail = { from: FROM, to: 'mid-body@example.com', subject: 's', html: '<p>x</p>', text: 'x', messageId: '<mid-body.2026-W33@kernel-news.test>', headers: {} };
  const mailer = new SmtpMailer(server.url, { journal });
  let commits = 0;
  try {
    // The commit (the send record) takes a while: the server is gone before the "." would go out.
    await mailer.send(mail, async () => {
      commits++;
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
  } finally {
    await mailer.close();
    await server.close();
  }
  assert.equal(commits, 1, 'recorded once, though sent twice');
  assert.equal(server.stored.length, 1, 'exactly one copy reached the reader');
  const rerun = new SmtpMailer(server.url, { journal });
  assert.equal(await rerun.settle(mail).finally(() => rerun.close()), true, 'a re-run takes it for delivered');
});

test('send refuses a week that is not YYYY-Www before it creates any folder', async () => {
  const root = tempDir();
  const out = path.join(root, 'a', 'b', 'out');
  const data = path.join(root, 'data');
  const cli = path.join(repoRoot, 'dist', 'bin', 'kernel-news.js');
  for (const week of ['../../../escape', '2026-W02/../../x', '/tmp/abs']) {
    const child = spawn(process.execPath, [cli, 'send', '--issue', week, '--out', out, '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1, week);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /--issue must look like 2026-W02/);
  }
  assert.deepEqual(fs.readdirSync(root), [], 'no folder was created, inside --out or out of it');
});
