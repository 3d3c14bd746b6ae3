import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, sampleMbox, tempDir } from './helpers.js';

const cli = path.join(repoRoot, 'dist', 'bin', 'kernel-news.js');

test('CLI: topics prints ranked stories with reasons, as text and as the contract\'s JSON', () => {
  const dataDir = tempDir();
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'topics', ...args, '--data', dataDir], { encoding: 'utf8' });
  const text = run('--mbox', sampleMbox, '--top', '3');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^2026-W02: the top 3 of \d+ topics/);
  assert.match(text.stdout, /\n 3\. /);
  assert.doesNotMatch(text.stdout, /\n 4\. /);
  assert.match(text.stdout, /(debated|discussed)/);

  const json = run('--mbox', sampleMbox, '--top', '5', '--json');
  assert.equal(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { week: string; topics: Array<Record<string, unknown>> };
  assert.equal(out.week, '2026-W02');
  assert.equal(out.topics.length, 5);
  for (const t of out.topics) {
    for (const key of ['id', 'title', 'score', 'reasons', 'threadIds', 'messageIds', 'participants', 'followUpOf']) assert.ok(key in t, `topic has ${key}`);
    assert.ok((t.reasons as string[]).length > 0);
    assert.ok((t.messageIds as string[]).every((id) => !id.startsWith('<')), 'bare message ids');
    assert.ok((t.participants as Array<{ name: string; email: string }>).every((p) => p.name && p.email.includes('@')));
  }
  const scores = out.topics.map((t) => t.score as number);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

test('CLI: topics names a bad MAINTAINERS file, a bad week and a missing archive in one line', () => {
  const dataDir = tempDir();
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'topics', ...args, '--data', dataDir], { encoding: 'utf8' });
  const notMaintainers = path.join(dataDir, 'notes.txt');
  fs.writeFileSync(notMaintainers, 'just some notes\n');
  const bad = run('--mbox', sampleMbox, '--maintainers', notMaintainers);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /notes\.txt: no "M: Name <address>" lines found; pass a file in the kernel's MAINTAINERS format/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const week = run('--mbox', sampleMbox, '--week', '2026-2');
  assert.equal(week.status, 1);
  assert.match(week.stderr, /--week 2026-2: not an ISO week/);
  const missing = run('--mbox', path.join(dataDir, 'nope.mbox'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.mbox/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
});
