import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { ingest, manifestKey, rawKey, weekManifest } from '../lambdas/ingest/ingest.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { startLocalAws } from '../lambdas/local/emulators.js';
import { freshAws, mboxrd, message, repoRoot, sampleMbox, tempDir } from './helpers.js';

const LIMIT = 25 << 20;
const cli = path.join(repoRoot, 'dist', 'bin', 'kernel-news.js');

test('ingesting the sample stores every message once; a second run stores nothing; data survives a restart', async () => {
  const dataDir = tempDir();
  const first = await startLocalAws(dataDir);
  const one = await ingest(mboxSource(sampleMbox, LIMIT), first.storage);
  assert.equal(one.found, 524);
  assert.equal(one.stored + one.alreadyStored + one.quarantined, one.found);
  assert.equal(one.stored, 524);
  const manifest = await weekManifest(first.storage, '2026-W02');
  assert.equal(manifest.length, 524);
  const object = JSON.parse((await first.storage.raw.get(manifestKey('2026-W02')))!.toString('utf8'));
  assert.equal(object.messages, 524);
  assert.match(object.entries[0].source, /^mbox:.*2026-W02-sample\.mbox\.gz$/);
  const sha = String(manifest[0].sha256);
  const raw = await first.storage.raw.get(rawKey(sha));
  assert.ok(raw && raw.length === manifest[0].size);
  await first.close();

  const second = await startLocalAws(dataDir);
  after(() => second.close());
  const two = await ingest(mboxSource(sampleMbox, LIMIT), second.storage);
  assert.equal(two.stored, 0);
  assert.equal(two.alreadyStored, 524);
});

test('bad input: quarantined entries are recorded with reasons and found = stored + already + quarantined', async () => {
  const aws = await freshAws();
  after(() => aws.close());
  const big = message('big@x', 'y'.repeat(200_000));
  const archive = Buffer.concat([
    Buffer.from('stray bytes before any separator\n'),
    mboxrd([
      message('ok1@x', 'hello\n'),
      message('', 'no message id here\x00 with a NUL byte\n', { 'Message-ID': '' }),
      message('latin@x', 'caf\xe9 in latin1\n', { Date: 'not a date' }),
      big,
      message('dup@x', 'same\n'),
      message('dup@x', 'same\n'),
    ]),
  ]);
  const file = path.join(aws.dataDir, 'bad.mbox');
  fs.writeFileSync(file, archive);
  const summary = await ingest(mboxSource(file, 100_000), aws.storage);
  assert.equal(summary.found, 7);
  assert.equal(summary.quarantined, 2);
  assert.equal(summary.stored, 4);
  assert.equal(summary.alreadyStored, 1); // the byte-identical duplicate
  assert.equal(summary.missingMessageIds, 1);
  assert.equal(summary.dateProblems, 1);
  assert.equal(summary.stored + summary.alreadyStored + summary.quarantined, summary.found);
  const records = [];
  for await (const item of aws.storage.table.query('QUARANTINE')) records.push(item);
  assert.equal(records.length, 2);
  assert.ok(records.some((r) => /larger than the 100000-byte limit/.test(String(r.reason))));
  for (const r of records) assert.ok(await aws.storage.raw.has(String(r.sampleKey)));
});

test('CLI: ingest prints counts, says nothing new on the second run, and names a damaged archive and its offset', () => {
  const dataDir = tempDir();
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args, '--data', dataDir], { encoding: 'utf8' });
  const first = run('ingest', '--mbox', sampleMbox);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /524 found, 524 stored new, 0 already stored, 0 quarantined/);
  assert.match(first.stdout, /date range:\s+2026-01-05T/);
  const second = run('ingest', '--mbox', sampleMbox);
  assert.match(second.stdout, /nothing new was stored/);

  const cut = path.join(dataDir, 'cut.mbox.gz');
  const gz = fs.readFileSync(sampleMbox);
  fs.writeFileSync(cut, gz.subarray(0, gz.length >> 1));
  const damaged = run('ingest', '--mbox', cut);
  assert.equal(damaged.status, 1);
  assert.match(damaged.stderr, /cut\.mbox\.gz: archive damaged at byte \d+ of the compressed file, after \d+ bytes of mail/);
  assert.doesNotMatch(damaged.stderr, /\n\s+at /); // no stack trace for a user error

  const missing = run('ingest', '--mbox', path.join(dataDir, 'nope.mbox'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.mbox: no such file/);
  assert.ok(zlib.gunzipSync(gz).length > 0);
});

test('a second process on the same data folder gets a one-line error, not a crash; a dead holder\'s lock is taken over', async () => {
  const dataDir = tempDir();
  const holder = await startLocalAws(dataDir);
  const busy = spawnSync(process.execPath, [cli, 'subscribers', 'list', '--data', dataDir], { encoding: 'utf8' });
  await holder.close();
  assert.equal(busy.status, 1);
  assert.match(busy.stderr, /is in use by another kernel-news process \(pid \d+/);
  assert.doesNotMatch(busy.stderr, /\n\s+at /);
  fs.writeFileSync(path.join(dataDir, 'kernel-news.lock'), '999999999'); // a pid that cannot be running
  const after = spawnSync(process.execPath, [cli, 'subscribers', 'list', '--data', dataDir], { encoding: 'utf8' });
  assert.equal(after.status, 0, after.stderr);
});

test('CLI: a .gz whose CRC is flipped: every message stored, the summary printed, exit 1 naming the byte of the damage', () => {
  const dataDir = tempDir();
  const gz = fs.readFileSync(sampleMbox);
  const bad = Buffer.from(gz);
  bad[gz.length - 8] ^= 0x01; // the first byte of the CRC-32 in the gzip trailer
  const file = path.join(dataDir, 'crc.mbox.gz');
  fs.writeFileSync(file, bad);
  const r = spawnSync(process.execPath, [cli, 'ingest', '--mbox', file, '--json', '--data', dataDir], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const summary = JSON.parse(r.stdout);
  // 524 messages: the sample's count. They are stored in batches of 100: the last 24 too.
  assert.equal(summary.found, 524);
  assert.equal(summary.stored, 524);
  assert.equal(summary.quarantined, 0);
  assert.equal(summary.damage.offset, gz.length - 8);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^ingest: \d+ messages read/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`crc\\.mbox\\.gz: archive damaged at byte ${gz.length - 8} of the compressed file.*incorrect data check`));
});

test('CLI: run --week for a week the archive has no mail in: one line naming the week and the weeks it holds, exit 1', () => {
  const dataDir = tempDir();
  const r = spawnSync(process.execPath, [cli, 'run', '--mbox', sampleMbox, '--week', '2026-W03', '--data', dataDir, '--out', path.join(dataDir, 'out')], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trim().split('\n').filter((l) => !/^ingest: \d+ messages read/.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /--week 2026-W03: .*2026-W02-sample\.mbox\.gz has no mail in that week; it holds 2026-W02 \(524 messages\)/);
  assert.doesNotMatch(r.stderr, /unexpected error|\n\s+at /);
  assert.ok(!fs.existsSync(path.join(dataDir, 'out', '2026-W03')), 'no issue written');
});
