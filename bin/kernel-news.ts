#!/usr/bin/env node
import os from 'node:os';
import v8 from 'node:v8';
import { Command, CommanderError } from 'commander';
import { UserError } from '../lambdas/errors.js';
import type { Command as CommandType } from 'commander';
import { silenceSdkNodeVersionWarnings } from '../lambdas/local/sdk-warnings.js';

/**
 * Each command's module, loaded only when that command runs: a command pulls in what it needs
 * (the threads command needs no MJML, AWS SDK or model client), so start-up stays fast.
 */
const COMMANDS: Record<string, () => Promise<CommandType>> = {
  ingest: async () => (await import('./commands/ingest.js')).ingestCommand(),
  threads: async () => (await import('./commands/threads.js')).threadsCommand(),
  topics: async () => (await import('./commands/topics.js')).topicsCommand(),
  run: async () => (await import('./commands/run.js')).runCommand(),
  serve: async () => (await import('./commands/serve.js')).serveCommand(),
  approve: async () => (await import('./commands/approve.js')).approveCommand(),
  subscribers: async () => (await import('./commands/subscribers.js')).subscribersCommand(),
  send: async () => (await import('./commands/send.js')).sendCommand(),
};

// A week of mail is read into memory and kept, so much of what the commands allocate survives, and
// V8 answers that by doubling its young generation, step by step, up to its limit (16 MB a half):
// a month took more steps than a week, and peaked at 1.57x its memory. Grown to the limit at the
// first step, a week and a month run with the same young generation: a month peaks at 1.26x a
// week, and the fewer, larger collections save 3-5% of the time (npm run bench -- threads).
v8.setFlagsFromString('--semi-space-growth-factor=16');
// V8 optimises hot functions on background threads, up to four at once: on a two-core machine they
// took turns with the main thread on its core, and a month's `threads` ran 14 ms (3%) longer. So at
// most one compile per core beyond the main thread's. Only ever lowered from V8's four (raising it
// after start-up is not safe in every V8). The flag is V8 12's (Node 22): Node 20's V8 11 does not
// know it and prints an error line on every command, so there the default stays.
const spareCores = Math.max(1, os.availableParallelism() - 1);
const v8Major = Number(process.versions.v8.split('.')[0]);
if (spareCores < 4 && v8Major >= 12) v8.setFlagsFromString(`--concurrent-turbofan-max-threads=${spareCores}`);

silenceSdkNodeVersionWarnings();

// Output piped into a reader that stops early (`kernel-news threads --json | head`) is not an
// error of ours: end quietly, as other command-line tools do, instead of with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('kernel-news')
  .description('Turn a week of Linux kernel mailing-list traffic into a newsletter an editor approves')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const requested = process.argv[2];
for (const name of requested && COMMANDS[requested] ? [requested] : Object.keys(COMMANDS)) program.addCommand(await COMMANDS[name]());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof UserError) {
    process.stderr.write(`kernel-news: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`kernel-news: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 70;
  }
}
