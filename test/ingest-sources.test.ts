import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync, spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { ingest, type SourcedEntry } from '../lambdas/ingest/ingest.js';
import { maildirSource } from '../lambdas/ingest/maildir.js';
import { publicInboxSource } from '../lambdas/ingest/public-inbox.js';
import { loreExportSource, loreGitSource } from '../lambdas/ingest/lore.js';
import { ArchiveDamagedError, InputError } from '../lambdas/errors.js';
import { freshAws, mboxrd, message, tempDir } from './helpers.js';

const LIMIT = 1 << 20;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A public-inbox style repository: one commit per message, the message at path `m`. */
function inbox(dir: string, count: number, from = 0, options: { withoutM?: boolean } = {}) {
  if (!fs.existsSync(path.join(dir, '.git'))) git(fs.mkdirSync(dir, { recursive: true }) ?? dir, 'init', '-q', '-b', 'master');
  for (let i = from; i < from + count; i++) {
    fs.writeFileSync(path.join(dir, 'm'), message(`pi${i}@x`, `message number ${i}\n`));
    git(dir, 'add', 'm');
    git(dir, 'commit', '-q', '-m', `m${i}`);
  }
  if (options.withoutM) {
    git(dir, 'rm', '-q', 'm');
    git(dir, 'commit', '-q', '-m', 'no message');
  }
}

test('Maildir: cur/ and new/ read, tmp/ skipped, empty and oversized files quarantined, bytes kept as they are', async () => {
  const dir = tempDir();
  for (const d of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(path.join(dir, 'cur', '1:2,S'), message('a@x', 'caf\xe9 \x00 latin1 and a NUL\n'), 'latin1');
  fs.writeFileSync(path.join(dir, 'new', '2'), message('b@x', 'hello\n'));
  fs.writeFileSync(path.join(dir, 'new', '3'), '');
  fs.writeFileSync(path.join(dir, 'new', '4'), message('big@x', 'z'.repeat(2000)));
  fs.writeFileSync(path.join(dir, 'tmp', '5'), message('partial@x', 'in delivery\n'));
  const entries = await collect(maildirSource(dir, 1000));
  assert.deepEqual(entries.map((e) => [e.position, e.entry.kind]), [['cur/1:2,S', 'message'], ['new/2', 'message'], ['new/3', 'quarantine'], ['new/4', 'quarantine']]);
  const aws = await freshAws();
  after(() => aws.close());
  const summary = await ingest(maildirSource(dir, 1000), aws.storage);
  assert.equal(summary.found, 4);
  assert.equal(summary.stored + summary.quarantined, 4);
  await assert.rejects(collect(maildirSource(path.join(dir, 'cur'), 1000)), InputError);
});

test('public-inbox epoch: every commit\'s m read without a clone; a commit without m is quarantined; resuming after a commit reads only newer ones', async () => {
  const work = path.join(tempDir(), 'work');
  inbox(work, 5, 0, { withoutM: true });
  const bare = path.join(path.dirname(work), '0.git');
  git(path.dirname(work), 'clone', '-q', '--bare', work, bare);
  const all = await collect(publicInboxSource(bare, LIMIT));
  assert.equal(all.length, 6);
  assert.equal(all.filter((e) => e.entry.kind === 'message').length, 5);
  assert.match((all[5].entry as { reason: string }).reason, /has no message file "m"/);
  const resumed = await collect(publicInboxSource(bare, LIMIT, all[2].commit));
  assert.equal(resumed.length, 3);
  assert.match((resumed[0].entry as { bytes: Buffer }).bytes.toString(), /message number 3/);
});

/** git's smart HTTP, served by `git http-backend` as a CGI on 127.0.0.1. */
async function gitHttpServer(projectRoot: string) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push(`${req.method} ${url.pathname}`);
    const cgi = spawn('git', ['http-backend'], {
      env: { ...process.env, GIT_PROJECT_ROOT: projectRoot, GIT_HTTP_EXPORT_ALL: '1', PATH_INFO: url.pathname.replace(/^\/lore/, ''), REQUEST_METHOD: req.method!, QUERY_STRING: url.search.slice(1), CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_ADDR: '127.0.0.1' },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, split).toString();
      const status = Number(/^Status: (\d+)/m.exec(head)?.[1] ?? 200);
      const headers = Object.fromEntries(head.split('\r\n').filter((l) => l && !l.startsWith('Status:')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
      res.writeHead(status, headers);
      res.end(out.subarray(split + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/lore`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('lore over git smart HTTP: the first run mirrors the epoch, the next fetches only new commits from the cursor', async () => {
  const root = tempDir();
  const work = path.join(root, 'work');
  inbox(work, 4);
  fs.mkdirSync(path.join(root, 'served', 'linux-test'), { recursive: true });
  const bare = path.join(root, 'served', 'linux-test', '0');
  git(root, 'clone', '-q', '--bare', work, bare);
  const server = await gitHttpServer(path.join(root, 'served'));
  after(() => server.close());
  const options = { list: 'linux-test', baseUrl: server.url, cacheDir: path.join(root, 'cache'), maxMessageBytes: LIMIT, backoffScale: 0.001 };
  const positions: Record<string, string> = {};
  const first = await collect(loreGitSource(options, {}, positions));
  assert.equal(first.length, 4);
  assert.ok(positions['0']);
  inbox(work, 2, 4);
  git(work, 'push', '-q', bare, 'master');
  const next: Record<string, string> = {};
  const second = await collect(loreGitSource(options, { ...positions }, next));
  assert.deepEqual(second.map((e) => ((e.entry as { bytes: Buffer }).bytes.toString().match(/message number (\d+)/) ?? [])[1]), ['4', '5']);
  assert.ok(server.seen.some((s) => s.includes('/linux-test/0/info/refs')));
  await assert.rejects(collect(loreGitSource({ ...options, list: 'no-such-list' }, {}, {})), /no public-inbox epoch 0/);
});

test('lore search export: retries 429 and 503, then reads the mbox.gz; a cut gzip stores what came before and names the damage', async () => {
  const good = zlib.gzipSync(mboxrd(Array.from({ length: 30 }, (_, i) => message(`ex${i}@x`, `export ${i}\n`.repeat(50)))));
  let calls = 0;
  const server = http.createServer((req, res) => {
    calls++;
    if (req.url!.startsWith('/busy/')) {
      if (calls === 1) return res.writeHead(429, { 'retry-after': '1' }).end();
      if (calls === 2) return res.writeHead(503).end();
      assert.match(req.headers['user-agent'] ?? '', /^kernel-news\//);
      return res.writeHead(200, { 'content-type': 'application/gzip' }).end(good);
    }
    if (req.url!.startsWith('/cut/')) return res.writeHead(200).end(good.subarray(0, good.length >> 1));
    if (req.url!.startsWith('/crc/')) return res.writeHead(200).end(Buffer.concat([good.subarray(0, -8), Buffer.from([good[good.length - 8] ^ 1]), good.subarray(-7)]));
    if (req.url!.startsWith('/tail/')) return res.writeHead(200).end(Buffer.concat([good, Buffer.from('trailing text\n')]));
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  after(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const options = (list: string) => ({ list, baseUrl: base, cacheDir: tempDir(), maxMessageBytes: LIMIT, backoffScale: 0.001 });
  const entries = await collect(loreExportSource(options('busy'), '2026-01-05'));
  assert.equal(calls, 3);
  assert.equal(entries.filter((e) => e.entry.kind === 'message').length, 30);
  const got: SourcedEntry[] = [];
  await assert.rejects(async () => {
    for await (const e of loreExportSource(options('cut'), '2026-01-05')) got.push(e);
  }, ArchiveDamagedError);
  assert.ok(got.filter((e) => e.entry.kind === 'message').length > 5);
  assert.equal(got.at(-1)!.entry.kind, 'quarantine');
  // A flipped CRC: all 30 messages, then the damage named at the trailer; bytes after the gzip data: reported.
  const crc: SourcedEntry[] = [];
  await assert.rejects(async () => {
    for await (const e of loreExportSource(options('crc'), '2026-01-05')) crc.push(e);
  }, (err: unknown) => err instanceof ArchiveDamagedError && err.offset === good.length - 8);
  assert.equal(crc.filter((e) => e.entry.kind === 'message').length, 30);
  const tail = await collect(loreExportSource(options('tail'), '2026-01-05'));
  assert.deepEqual(tail.map((e) => e.entry.kind), [...Array(30).fill('message'), 'quarantine']);
  await assert.rejects(collect(loreExportSource(options('nope'), '2026-01-05')), /404/);
});
