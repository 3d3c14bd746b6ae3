import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { repoRoot, sampleMbox, tempDir } from './helpers.js';

// The README's commands as a user runs them: the built CLI, in a fresh folder (default --data and
// --out), one command after another. Expectations are the README's and the CONTRACT's words.
const cli = path.join(repoRoot, 'dist', 'bin', 'kernel-news.js');
const home = tempDir('kn-user-');
const ALARMING = /error|warn|unrecognized|deprecat|^\s+at /im;

function kn(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: home, env: { ...process.env, NODE_NO_WARNINGS: undefined, OPENAI_API_KEY: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** A user error: exit code 1, one line on stderr naming the problem, nothing on stdout, no stack. */
function userError(r: ReturnType<typeof kn>, mentions: RegExp) {
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], mentions);
  assert.doesNotMatch(r.stderr, /^\s+at /m);
}

test('Quick start: `run --mbox` on the sample drafts the default week, 10 stories, prints the review link and the files; a second run stores nothing new and says so', () => {
  const r = kn('run', '--mbox', sampleMbox);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, ALARMING);
  assert.match(r.stdout, /524 found, 524 stored new, 0 already stored, 0 quarantined/);
  assert.match(r.stdout, /http:\/\/127\.0\.0\.1:8025\/review\/2026-W02\?\S*sig=/);
  for (const ext of ['json', 'html', 'txt', 'mjml']) {
    assert.match(r.stdout, new RegExp(`out/2026-W02/issue\\.${ext}`));
    assert.ok(fs.statSync(path.join(home, 'out', '2026-W02', `issue.${ext}`)).size > 0, ext);
  }
  const issue = JSON.parse(fs.readFileSync(path.join(home, 'out', '2026-W02', 'issue.json'), 'utf8'));
  assert.equal(issue.week, '2026-W02');
  assert.equal(issue.topics.length, 10);
  assert.equal(issue.verification.quotes, issue.verification.verified + issue.verification.repaired + issue.verification.removed);
  const again = kn('run', '--mbox', sampleMbox);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /524 found, 0 stored new, 524 already stored/);
});

test('send refuses an issue not approved; approve, subscribers add, send writes one .eml per reader; a second send sends nothing', () => {
  userError(kn('send', '--issue', '2026-W02'), /^kernel-news: issue 2026-W02 is not approved.*approve/);
  userError(kn('send', '--issue', '2026-W40'), /^kernel-news: .*2026-W40/);
  const approved = kn('approve', '--issue', '2026-W02');
  assert.equal(approved.status, 0, approved.stderr);
  assert.match(approved.stdout, /approved issue 2026-W02/);
  assert.equal(kn('subscribers', 'add', 'reader@example.org').status, 0);
  assert.match(kn('subscribers', 'list').stdout, /reader@example\.org/);
  const sent = kn('send', '--issue', '2026-W02');
  assert.equal(sent.status, 0, sent.stderr);
  assert.doesNotMatch(sent.stderr, ALARMING);
  assert.match(sent.stdout, /1 sent now/);
  const outbox = path.join(home, 'out', 'outbox', '2026-W02');
  assert.deepEqual(fs.readdirSync(outbox), ['reader@example.org.eml']);
  const eml = fs.readFileSync(path.join(outbox, 'reader@example.org.eml'), 'utf8').replace(/\r?\n[ \t]+/g, ' ');
  assert.match(eml, /^To: reader@example\.org/m);
  assert.match(eml, /^List-Unsubscribe:\s*<http:\/\/127\.0\.0\.1:8025\/unsubscribe\?/m);
  const twice = kn('send', '--issue', '2026-W02');
  assert.match(twice.stdout, /0 sent now, 1 had it already/);
  const forced = kn('send', '--issue', '2026-W02', '--resend-in-doubt');
  assert.equal(forced.status, 0, forced.stderr);
  assert.match(forced.stdout, /0 sent now, 1 had it already/, 'delivered is not in doubt: --resend-in-doubt sends nothing again');
});

test('serve: the published archive and the review page answer on 127.0.0.1', async () => {
  const port = 18000 + (process.pid % 2000);
  const server = spawn(process.execPath, [cli, 'serve', '--port', String(port)], { cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
  after(() => server.kill());
  let stderr = '';
  // serve says where it listens on stderr (progress goes there; stdout is for results).
  await new Promise<void>((resolve, reject) => {
    server.stderr.on('data', (c: Buffer) => { stderr += c.toString(); if (/serving on http:\/\/127\.0\.0\.1/.test(stderr)) resolve(); });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  const archive = await fetch(`http://127.0.0.1:${port}/issues/2026-W02/index.html`);
  assert.equal(archive.status, 200);
  assert.match(await archive.text(), /<title>Kernel News, week 2026-W02<\/title>/);
  const forged = await fetch(`http://127.0.0.1:${port}/review/2026-W02?v=1&exp=9999999999&sig=forged`);
  assert.ok(forged.status >= 400 && forged.status < 500, `forged review link: ${forged.status}`);
  assert.doesNotMatch(stderr, ALARMING);
});

test('ingest --maildir and --public-inbox (resuming): found = stored + already stored + quarantined, a second run stores nothing', () => {
  const maildir = path.join(home, 'Maildir');
  for (const d of ['cur', 'new', 'tmp']) fs.mkdirSync(path.join(maildir, d), { recursive: true });
  const mail = (id: string) => `From: Ada <ada@example.org>\nTo: linux-mm@kvack.org\nSubject: ${id}\nDate: Tue, 6 Jan 2026 10:00:00 +0000\nMessage-ID: <${id}@example.org>\n\nbody ${id}\n`;
  fs.writeFileSync(path.join(maildir, 'cur', '1:2,S'), mail('one'));
  fs.writeFileSync(path.join(maildir, 'new', '2'), mail('two'));
  fs.writeFileSync(path.join(maildir, 'new', '3'), '');
  const first = kn('ingest', '--maildir', 'Maildir');
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /3 found, 2 stored new, 0 already stored, 1 quarantined/);
  assert.match(kn('ingest', '--maildir', 'Maildir').stdout, /3 found, 0 stored new, 2 already stored, 1 quarantined/);
  userError(kn('ingest', '--maildir', 'Maildir/cur'), /Maildir\/cur.*not a Maildir/);

  const work = path.join(home, 'inbox-work');
  fs.mkdirSync(work);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
  git('init', '-q', '-b', 'master');
  const commit = (id: string) => { fs.writeFileSync(path.join(work, 'm'), mail(id)); git('add', 'm'); git('commit', '-q', '-m', id); };
  commit('pi-1');
  commit('pi-2');
  const bare = path.join(home, '0.git');
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  assert.match(kn('ingest', '--public-inbox', '0.git').stdout, /2 found, 2 stored new/);
  commit('pi-3');
  execFileSync('git', ['push', '-q', bare, 'master'], { cwd: work });
  const resumed = kn('ingest', '--public-inbox', '0.git');
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stdout, /1 found, 1 stored new, 0 already stored/, 'resumes after the last commit read');
});

test('user errors: one line naming the input, exit code 1', () => {
  userError(kn('threads', '--mbox', 'missing.mbox'), /missing\.mbox/);
  userError(kn('ingest', '--mbox', 'missing.mbox.gz'), /missing\.mbox\.gz/);
  userError(kn('approve', '--issue', '2026-W41'), /2026-W41/);
  userError(kn('threads'), /--mbox/);
});
