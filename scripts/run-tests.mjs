#!/usr/bin/env node
// Runs every compiled test file with node's test runner (node 20 has no glob support in --test).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/test';
const only = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.js') && (only.length === 0 || only.some((o) => full.includes(o)))) files.push(full);
  }
})(root);
if (files.length === 0) {
  console.error(`no test files under ${root}${only.length ? ` matching ${only.join(', ')}` : ''}`);
  process.exit(1);
}
// A test that hangs fails after ten minutes, and a file whose tests are done exits even if something
// it started is still open: CI reports the failure instead of running into its time limit.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', '--test-force-exit', '--enable-source-maps', ...files], {
  stdio: 'inherit',
  env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', NODE_NO_WARNINGS: '1' },
});
process.exit(result.status ?? 1);
