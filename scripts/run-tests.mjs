#!/usr/bin/env node
// Runs every compiled test file with node's test runner (node 20 has no glob support in --test), then
// prints one summary: tests, passed, failed, and every skipped test with the reason it could not run.
// The state-machine test needs Node 22 and aws-local-stepfunctions (an optional dependency npm
// installs only on Node 22): on an older host it runs under the bundled Node 22 (the `node`
// devDependency), with aws-local-stepfunctions installed on demand into node_modules/.cache.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const major = (v) => Number(v.replace(/^v/, '').split('.')[0]);

// Node 20's test runner, with --test-force-exit, exits before its TAP file reporter has written the
// plan and the "# tests N" summary, so a run there read as "summary: 0 tests" whatever happened (and
// Node 20 cannot run the state-machine test at all). `npm test` runs on the bundled Node 22 (npm puts
// node_modules/.bin first on PATH); run directly on an older Node, this script hands itself to it.
const bundledNode = path.resolve('node_modules/node/bin/node');
if (major(process.version) < 22 && !process.env.KERNEL_NEWS_TESTS_REEXEC) {
  if (fs.existsSync(bundledNode)) {
    console.error(`run-tests: this is Node ${process.version}, whose test runner cuts its TAP summary short; running on the bundled Node 22 (${path.relative('.', bundledNode)})`);
    const r = spawnSync(bundledNode, [process.argv[1], ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, KERNEL_NEWS_TESTS_REEXEC: '1' } });
    process.exit(r.status ?? 1);
  }
  console.error(`run-tests: this is Node ${process.version} and the bundled Node 22 (node_modules/node) is not installed: counts come from the test lines, as Node ${process.version} leaves the TAP summary out`);
}

const root = 'dist/test';
const STATE_MACHINE = 'e2e-state-machine.test.js';
const only = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) walk(full);
    else if (name.endsWith('.test.js') && (only.length === 0 || only.some((o) => full.includes(o)))) files.push(full);
  }
})(root);
if (files.length === 0) {
  console.error(`no test files under ${root}${only.length ? ` matching ${only.join(', ')}` : ''}`);
  process.exit(1);
}

const env = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', NODE_NO_WARNINGS: '1' };
const tapDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-tests-'));

/** The Node 22 and the environment the state-machine test runs with, or why it cannot run. */
function stateMachineRunner() {
  const bundled = path.resolve('node_modules/node/bin/node');
  const node = major(process.version) >= 22 ? process.execPath : fs.existsSync(bundled) ? bundled : undefined;
  if (!node) return { why: `needs Node 22 (this is ${process.version}) and the bundled one (node_modules/node) is not installed` };
  if (fs.existsSync('node_modules/aws-local-stepfunctions/package.json')) return { node, env };
  const prefix = path.resolve('node_modules/.cache/kernel-news-sfn');
  const installed = path.join(prefix, 'node_modules', 'aws-local-stepfunctions');
  if (!fs.existsSync(path.join(installed, 'package.json'))) {
    console.error(`state-machine test: installing aws-local-stepfunctions@3 for Node 22 into ${path.relative('.', prefix)}`);
    fs.mkdirSync(prefix, { recursive: true });
    // npm runs on the Node 22 it finds first on PATH, so the engines check passes without a warning.
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', 'aws-local-stepfunctions@3'], {
      encoding: 'utf8', env: { ...env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` },
      // A registry that does not answer must not hang the whole run: the test is skipped, saying why.
      timeout: 300_000,
    });
    if (r.status !== 0) return { node, why: `aws-local-stepfunctions could not be installed (${r.error?.code === 'ETIMEDOUT' ? 'npm install took over 5 minutes' : (r.stderr || r.error?.message || '').trim().split('\n').pop()})` };
  }
  return { node, env: { ...env, KERNEL_NEWS_LOCAL_SFN: path.join(installed, 'build', 'main.node.esm.js') } };
}

/** Runs files under `node`, the spec report on the terminal, a TAP copy kept for the summary. */
function run(node, list, runEnv, tag) {
  const tap = path.join(tapDir, `${tag}.tap`);
  // A test that hangs fails after ten minutes, and a file whose tests are done exits even if something
  // it started is still open: CI reports the failure instead of running into its time limit.
  const r = spawnSync(node, ['--test', '--test-concurrency=2', '--test-timeout=600000', '--test-force-exit', '--enable-source-maps',
    '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...list], { stdio: 'inherit', env: runEnv });
  return { status: r.status ?? 1, tap: fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '' };
}

const main = files.filter((f) => path.basename(f) !== STATE_MACHINE);
const results = [];
if (main.length) results.push(run(process.execPath, main, env, 'main'));
const skippedFiles = [];
if (files.length > main.length) {
  const sfn = stateMachineRunner();
  if (sfn.node && !sfn.why) {
    console.error(`state-machine test on Node ${spawnSync(sfn.node, ['-v'], { encoding: 'utf8' }).stdout.trim()}`);
    results.push(run(sfn.node, [path.join(root, STATE_MACHINE)], sfn.env, 'state-machine'));
  } else skippedFiles.push(`${STATE_MACHINE}: ${sfn.why}`);
}

// The summary, from the TAP copies: top-level counts, and every skip with its reason.
const count = { tests: 0, pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
const skips = [];
const todos = []; // known bugs written down as tests, left to whoever owns the code
for (const { tap } of results) {
  const summary = [...tap.matchAll(/^# (tests|pass|fail|skipped|todo|cancelled) (\d+)$/gm)];
  for (const [, key, n] of summary) count[key] += Number(n);
  if (summary.length === 0) {
    // No summary in the TAP copy (an old Node's runner left it out): count the top-level test lines.
    const tops = [...tap.matchAll(/^(not )?ok \d+ - .*?(?: # (SKIP|TODO)\b.*)?$/gm)];
    console.error(`run-tests: the TAP report has no summary (Node ${process.version}); counting its ${tops.length} top-level test lines`);
    for (const [, not, directive] of tops) {
      count.tests++;
      if (directive === 'SKIP') count.skipped++;
      else if (directive === 'TODO') count.todo++;
      else if (not) count.fail++;
      else count.pass++;
    }
  }
  for (const [, name, why] of tap.matchAll(/^\s*ok \d+ - (.*?) # SKIP ?(.*)$/gm)) skips.push(`${name}: ${why || 'no reason given'}`);
  for (const [, name, why] of tap.matchAll(/^(?:not )?ok \d+ - (.*?) # TODO ?(.*)$/gm)) todos.push(`${name}: ${why || 'no reason given'}`);
}
count.skipped += skippedFiles.length;
skips.push(...skippedFiles);
console.log(`\nsummary: ${count.tests + skippedFiles.length} tests, ${count.pass} passed, ${count.fail} failed, ${count.cancelled} cancelled, ${count.skipped} skipped${count.todo ? `, ${count.todo} todo` : ''}`);
for (const s of skips) console.log(`  skipped: ${s}`);
for (const t of todos) console.log(`  todo: ${t}`);
fs.rmSync(tapDir, { recursive: true, force: true });
process.exit(results.some((r) => r.status !== 0) ? 1 : 0);
