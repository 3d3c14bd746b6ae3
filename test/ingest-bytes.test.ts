import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { ingest } from '../lambdas/ingest/ingest.js';
import { maildirSource } from '../lambdas/ingest/maildir.js';
import { publicInboxSource } from '../lambdas/ingest/public-inbox.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { freshAws, tempDir } from './helpers.js';

// docs/storage.md: a raw message is stored "byte for byte as archived (mbox escaping removed)" under
// raw/<sha256[0:2]>/<sha256>.eml. Mail is not always UTF-8: the messages below carry Latin-1, a NUL,
// bytes that are no UTF-8 at all and CRLF line ends, and must come back out of S3 exactly as written.
const LIMIT = 1 << 20;
const bytes = (s: string) => Buffer.from(s, 'latin1');
const MESSAGES = [
  bytes('From: Ren\xe9 <rene@example.org>\nSubject: caf\xe9\nMessage-ID: <latin1@x>\nDate: Tue, 6 Jan 2026 10:00:00 +0000\n\nna\xefve caf\xe9, a NUL \x00 here\n'),
  bytes('From: a@example.org\r\nSubject: crlf\r\nMessage-ID: <crlf@x>\r\nDate: Tue, 6 Jan 2026 11:00:00 +0000\r\n\r\nnot utf-8: \xff\xfe\xc3\x28 end\r\n'),
  Buffer.from('From: b@example.org\nSubject: utf8 \u00fc\nMessage-ID: <utf8@x>\nDate: Tue, 6 Jan 2026 12:00:00 +0000\n\nreal UTF-8: \u00e9\u2019\u4e2d\n', 'utf8'),
];
const keyOf = (b: Buffer) => {
  const h = createHash('sha256').update(b).digest('hex');
  return `raw/${h.slice(0, 2)}/${h}.eml`;
};

let aws: Awaited<ReturnType<typeof freshAws>>;
before(async () => { aws = await freshAws(); });
after(() => aws.close());

async function assertStoredExactly(expected: Buffer[]) {
  for (const b of expected) {
    const stored = await aws.storage.raw.get(keyOf(b));
    assert.ok(stored, `a message is stored under the hash of its own bytes (${JSON.stringify(b.toString('latin1').slice(0, 40))})`);
    assert.ok(stored.equals(b), `stored bytes differ from the archived ones: ${JSON.stringify(stored.toString('latin1').slice(-40))}`);
  }
}

test('Maildir: each file stored byte for byte, under the SHA-256 of its bytes', async () => {
  const dir = tempDir();
  for (const d of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(dir, d));
  MESSAGES.forEach((b, i) => fs.writeFileSync(path.join(dir, i % 2 ? 'new' : 'cur', `${i}:2,S`), b));
  const summary = await ingest(maildirSource(dir, LIMIT), aws.storage);
  assert.equal(summary.stored + summary.alreadyStored, 3);
  await assertStoredExactly(MESSAGES);
});

test('public-inbox: each commit\'s m stored byte for byte', async () => {
  const work = path.join(tempDir(), 'work');
  fs.mkdirSync(work);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
  git('init', '-q', '-b', 'master');
  for (const b of MESSAGES) {
    fs.writeFileSync(path.join(work, 'm'), b);
    git('add', 'm');
    git('commit', '-q', '-m', 'm');
  }
  const bare = path.join(path.dirname(work), '0.git');
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  const summary = await ingest(publicInboxSource(bare, LIMIT), aws.storage);
  assert.equal(summary.found, 3);
  await assertStoredExactly(MESSAGES);
});

test('mboxrd, plain and gzipped: the message bytes with exactly one ">" taken off escaped "From " lines', async () => {
  // Written by hand: the archive form and the stored form of one message.
  const archived = bytes('From: c@example.org\nSubject: escaped\nMessage-ID: <rd@x>\nDate: Tue, 6 Jan 2026 13:00:00 +0000\n\n>From the start\n>>From quoted \xe9\n');
  const storedForm = bytes('From: c@example.org\nSubject: escaped\nMessage-ID: <rd@x>\nDate: Tue, 6 Jan 2026 13:00:00 +0000\n\nFrom the start\n>From quoted \xe9\n');
  const mbox = Buffer.concat([bytes('From mboxrd@z Thu Jan  1 00:00:00 1970\n'), archived, bytes('\nFrom mboxrd@z Thu Jan  1 00:00:00 1970\n'), MESSAGES[0], bytes('\n')]);
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'week.mbox'), mbox);
  fs.writeFileSync(path.join(dir, 'week.mbox.gz'), zlib.gzipSync(mbox));
  for (const file of ['week.mbox', 'week.mbox.gz']) {
    const summary = await ingest(mboxSource(path.join(dir, file), LIMIT), aws.storage);
    assert.equal(summary.found, 2, file);
    await assertStoredExactly([storedForm, MESSAGES[0]]);
  }
});
