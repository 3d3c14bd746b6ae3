import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './helpers.js';

const script = path.join(repoRoot, 'scripts', 'sample-issue.mjs');

test('docs/sample-issue.txt is what the demo prints for the bundled sample week today', () => {
  const out = spawnSync(process.execPath, [script, '--check'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(out.status, 0, `${out.stdout}${out.stderr}`);
});
