import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot, tempDir } from './helpers.js';

const run = promisify(execFile);
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bin', 'kernel-news.ts'), ...args], { cwd: repoRoot });

test('subscribers import reports bad lines by number; add, remove and list agree', async () => {
  const dataDir = tempDir();
  const file = path.join(dataDir, 'list.txt');
  fs.writeFileSync(file, 'a@example.org\nnot-an-address\n\n# a comment\nB@Example.org\na@example.org\n');
  const imported = await cli('subscribers', 'import', file, '--data', dataDir);
  assert.match(imported.stdout, /imported 2 addresses as confirmed; 1 lines skipped/);
  assert.match(imported.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not an email address: not-an-address`));

  await cli('subscribers', 'add', 'c@example.org', '--data', dataDir);
  await cli('subscribers', 'remove', 'a@example.org', '--data', dataDir);
  const listed = JSON.parse((await cli('subscribers', 'list', '--json', '--data', dataDir)).stdout) as Array<{ email: string; status: string }>;
  assert.deepEqual(listed.map((s) => `${s.email} ${s.status}`).sort(), ['a@example.org unsubscribed', 'b@example.org confirmed', 'c@example.org confirmed']);

  await assert.rejects(cli('subscribers', 'add', 'nope', '--data', dataDir), (err: { stderr: string; code: number }) => err.code !== 0 && /"nope" is not an email address/.test(err.stderr) && !/at .*\.ts:/.test(err.stderr));
});

test('send refuses a week with no issue, in one line', async () => {
  const dataDir = tempDir();
  await assert.rejects(cli('send', '--issue', '2026-W40', '--data', dataDir, '--out', path.join(dataDir, 'out')), (err: { stderr: string; code: number }) => err.code !== 0 && /no issue for week 2026-W40/.test(err.stderr) && err.stderr.trim().split('\n').length === 1);
});
