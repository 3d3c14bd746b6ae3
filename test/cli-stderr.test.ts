import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot, sampleMbox, tempDir } from './helpers.js';

// A user's first sight of the tool is its help and its first command: nothing there may look like a
// failure. (Node 20 printed "Error: unrecognized flag ..." for a V8 flag only Node 22 knows, on every
// command, and no test saw it.)
const cli = path.join(repoRoot, 'dist', 'bin', 'kernel-news.js');
const COMMANDS = ['ingest', 'threads', 'topics', 'run', 'serve', 'approve', 'subscribers', 'send'];
const ALARMING = /error|warn|unrecognized|try --help|deprecat|^\s+at /im;

function kernelNews(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: tempDir(), env: { ...process.env, NODE_NO_WARNINGS: undefined } });
}

test('--help, on the tool and on every command, prints usage on stdout and nothing on stderr', () => {
  for (const args of [['--help'], ...COMMANDS.map((c) => [c, '--help'])]) {
    const r = kernelNews(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^Usage: kernel-news/, args.join(' '));
    assert.equal(r.stderr, '', `kernel-news ${args.join(' ')} wrote to stderr`);
  }
});

test('a normal command on the sample prints progress on stderr, and nothing that reads as an error or a warning', () => {
  const r = kernelNews('threads', '--mbox', sampleMbox, '--json', '--data', tempDir());
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, ALARMING);
  assert.ok(JSON.parse(r.stdout));
});
