#!/usr/bin/env node
// Regenerates docs/sample-issue.txt: the plain-text issue `npm run demo` writes for the bundled
// sample week, offline drafter, in a throwaway data folder. `--check` compares instead of writing
// and exits 1 when the committed file is stale (the test suite runs it, so CI keeps it current).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const committed = path.join(root, 'docs', 'sample-issue.txt');
const check = process.argv.includes('--check');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-sample-issue-'));
try {
  // The demo as a user without a key runs it: no model, whatever this shell has configured.
  const env = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' };
  for (const k of Object.keys(env)) if (/^(OPENAI_|KERNEL_NEWS_MODEL)/.test(k)) delete env[k];
  const run = spawnSync(process.execPath, [path.join(root, 'dist', 'bin', 'kernel-news.js'), 'run', '--mbox', path.join(root, 'sample', '2026-W02-sample.mbox.gz'),
    '--data', path.join(work, 'data'), '--out', path.join(work, 'out')], { cwd: root, env, encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`kernel-news run failed (build first: npm run build):\n${run.stderr.slice(-2000)}`);
    process.exit(2);
  }
  const fresh = fs.readFileSync(path.join(work, 'out', '2026-W02', 'issue.txt'), 'utf8');
  if (!check) {
    fs.writeFileSync(committed, fresh);
    console.log(`wrote ${path.relative(root, committed)} (${fresh.split('\n').length} lines)`);
  } else {
    const old = fs.existsSync(committed) ? fs.readFileSync(committed, 'utf8') : '';
    if (old !== fresh) {
      const a = old.split('\n');
      const b = fresh.split('\n');
      const at = a.findIndex((line, i) => line !== b[i]);
      console.error(`docs/sample-issue.txt is stale (first difference at line ${at + 1}: ${JSON.stringify(a[at] ?? '')} vs ${JSON.stringify(b[at] ?? '')}); regenerate it with: npm run sample-issue`);
      process.exit(1);
    }
    console.log('docs/sample-issue.txt is current');
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
