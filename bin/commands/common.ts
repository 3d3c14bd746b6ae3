import path from 'node:path';
import { Command, Option } from 'commander';
import type { LocalAws } from '../../lambdas/local/emulators.js';

export const DEFAULT_DATA_DIR = '.kernel-news';
export const DEFAULT_OUT_DIR = 'out';

/** Adds the options every command takes. */
export function withDataOption(command: Command): Command {
  return command.addOption(new Option('--data <dir>', 'where local state (S3 and DynamoDB emulator data) lives').default(DEFAULT_DATA_DIR));
}

export function withOutOption(command: Command): Command {
  return command.addOption(new Option('--out <dir>', 'where rendered files are written').default(DEFAULT_OUT_DIR));
}

/** Runs `work` against the embedded S3 and DynamoDB emulators, whose data lives under `dataDir`. */
export async function withLocalAws<T>(dataDir: string, work: (aws: LocalAws) => Promise<T>): Promise<T> {
  // Loaded on use: the emulators and the AWS SDK are most of a command's start-up time.
  const { startLocalAws } = await import('../../lambdas/local/emulators.js');
  const aws = await startLocalAws(path.resolve(dataDir));
  try {
    return await work(aws);
  } finally {
    await aws.close();
  }
}

/** Progress goes to stderr, results to stdout; on a terminal progress rewrites one line. */
export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`${message}\n`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/**
 * Ends the process as soon as its output is written. A command that has read a month of mail holds
 * some 50 MB of heap, which V8 would otherwise free page by page on the way out (5 ms of a month's
 * `threads`). Only when stdout and stderr took every write at once, as files and pipes do on Linux:
 * else the process ends the usual way, so nothing still waiting to be written is lost.
 */
export function exitOnceWritten(): void {
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(process.exitCode ?? 0);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${value}"`);
    return n;
  };
}
