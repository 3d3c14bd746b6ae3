#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UserError } from '../lambdas/errors.js';
import { ingestCommand } from './commands/ingest.js';
import { runCommand } from './commands/run.js';
import { threadsCommand } from './commands/threads.js';
import { serveCommand } from './commands/serve.js';
import { approveCommand } from './commands/approve.js';
import { subscribersCommand } from './commands/subscribers.js';
import { sendCommand } from './commands/send.js';
import { topicsCommand } from './commands/topics.js';

// The AWS SDK warns about Node 20 on every run; the Lambda runtime is Node 22, and locally it is noise.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.name;
  if (/NodeVersionSupportWarning|AWS SDK for JavaScript/.test(text) || (typeof rest[0] === 'string' && rest[0].includes('NodeVersionSupport'))) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

const program = new Command('kernel-news')
  .description('Turn a week of Linux kernel mailing-list traffic into a newsletter an editor approves')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program.addCommand(ingestCommand());
program.addCommand(runCommand());
program.addCommand(threadsCommand());
program.addCommand(serveCommand());
program.addCommand(approveCommand());
program.addCommand(subscribersCommand());
program.addCommand(sendCommand());
program.addCommand(topicsCommand());

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
