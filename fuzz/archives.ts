/**
 * `npm run fuzz -- archives [--count N] [--seed S] [--cli-every K]`: damaged archives made from the
 * bundled sample (fuzz/archive-damage.ts), each read by `threads` and `ingest`. Checked per case: no
 * crash (an error that is not a user error: the CLI would print a stack trace), entries found equal
 * to what the harness's own counter finds in the text a decompressor can give back, and found = kept
 * + quarantined. Every case runs in this process (one local S3/DynamoDB for all); every K-th case
 * also runs the real CLI in a child process, where stderr is checked for stack traces and each
 * process's peak RSS and time are taken. A failing case is saved under test/fixtures/fuzz/ with what
 * was expected, and test/ingest-fuzz-reproducers.test.ts replays every saved case.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeCase, splitMessages, type ArchiveCase } from './archive-damage.js';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import { ingest, type IngestSummary } from '../lambdas/ingest/ingest.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { UserError } from '../lambdas/errors.js';
import type { LocalAws } from '../lambdas/local/emulators.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'bin', 'kernel-news.js');
const sampleFile = path.join(root, 'sample', '2026-W02-sample.mbox.gz');
export const REPRODUCERS = path.join(root, 'test', 'fixtures', 'fuzz');
/** A case or command taking longer than this is a failure (a hang), not a slow case. */
const CASE_LIMIT_MS = 120_000;
const MAX_BYTES = 25 * 1024 * 1024;
const MAX_SAVED = 20;

interface Flags { count: number; seed: number; cliEvery: number; ingestEvery: number; from: number }

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { count: 60, seed: Date.now() % 1_000_000, cliEvery: 15, ingestEvery: 1, from: 0 };
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === '--count') flags.count = value;
    else if (argv[i] === '--seed') flags.seed = value;
    else if (argv[i] === '--cli-every') flags.cliEvery = value;
    else if (argv[i] === '--ingest-every') flags.ingestEvery = value;
    else if (argv[i] === '--from') flags.from = value;
    else throw new UserError(`archives: unknown flag ${argv[i]} (use --count N, --seed S, --cli-every K, --ingest-every K, --from I)`);
    if (!Number.isInteger(value) || value < 0) throw new UserError(`archives: ${argv[i]} needs a whole number`);
    i++;
  }
  return flags;
}

/** What one reading of a case gave: entries found, kept and quarantined, or why it failed. */
interface Reading { found: number; kept: number; quarantined: number; damaged: boolean }

/** threads' figures: kept = messages + cross-posted copies merged into them. */
function threadsReading(json: { messages: number; copiesMerged?: number; quarantined: { reason: string }[]; archiveDamage?: unknown }): Reading {
  // Older versions listed the archive's damage among the quarantined entries: not an entry.
  const entries = json.quarantined.filter((q) => !(/^archive damaged/.test(q.reason) && !/incomplete$/.test(q.reason)));
  const kept = json.messages + (json.copiesMerged ?? 0);
  return { found: kept + entries.length, kept, quarantined: entries.length, damaged: Boolean(json.archiveDamage) || entries.length < json.quarantined.length };
}

function ingestReading(s: IngestSummary): Reading {
  return { found: s.found, kept: s.stored + s.alreadyStored, quarantined: s.quarantined, damaged: false };
}

/** The checks on one reading: found = kept + quarantined, and found = the harness's own count. */
function mismatches(label: string, r: Reading, c: ArchiveCase): string[] {
  const problems: string[] = [];
  const expected = c.expectedEntries + (c.trailingEntry ? 1 : 0);
  if (r.found !== r.kept + r.quarantined) problems.push(`${label}: found ${r.found} != kept ${r.kept} + quarantined ${r.quarantined}`);
  if (r.found !== expected) problems.push(`${label}: found ${r.found} entries, expected ${expected}`);
  return problems;
}

interface Outcome { problems: string[]; lost: number; ms: number }

async function inProcess(c: ArchiveCase, file: string, aws: LocalAws | undefined): Promise<Outcome> {
  const problems: string[] = [];
  const started = Date.now();
  let lost = 0;
  const check = (label: string, r: Reading) => {
    problems.push(...mismatches(label, r, c));
    lost = Math.max(lost, c.expectedEntries - (r.found - (c.trailingEntry ? 1 : 0)));
  };
  try {
    const a = await analyseMboxFile(file, { bodies: false, recipients: false });
    check('threads', threadsReading({ messages: a.messages.length, copiesMerged: a.copiesMerged, quarantined: a.quarantined, archiveDamage: (a as { archiveDamage?: unknown }).archiveDamage }));
  } catch (err) {
    problems.push(`threads: ${err instanceof UserError ? 'error' : 'crash'}: ${(err as Error).message.slice(0, 200)}`);
  }
  if (aws) try {
    let summary: IngestSummary | undefined;
    try {
      summary = await ingest(mboxSource(file, MAX_BYTES), aws.storage);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      summary = (err as { summary?: IngestSummary }).summary;
      if (!summary) problems.push(`ingest: ${err.message.slice(0, 160)}; no summary: what was stored is not known`);
    }
    if (summary) check('ingest', ingestReading(summary));
  } catch (err) {
    problems.push(`ingest: crash: ${(err as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
  }
  return { problems, lost, ms: Date.now() - started };
}

/** The real CLI, in a child process: no stack trace, a known exit code, peak RSS and time. */
function viaCli(c: ArchiveCase, file: string, rssHook: string): { problems: string[]; rssMb: number; ms: number } {
  const problems: string[] = [];
  let rssMb = 0;
  let ms = 0;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-fuzz-cli-'));
  for (const args of [['threads', '--mbox', file, '--json'], ['ingest', '--mbox', file, '--json', '--data', dataDir]]) {
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--import', rssHook, cli, ...args], { encoding: 'utf8', timeout: CASE_LIMIT_MS, maxBuffer: 256 << 20 });
    ms = Math.max(ms, Date.now() - started);
    const label = `cli ${args[0]}`;
    const rss = /FUZZ-MAXRSS (\d+)/.exec(r.stderr ?? '');
    if (rss) rssMb = Math.max(rssMb, Number(rss[1]) / 1024);
    const stderr = (r.stderr ?? '').replace(/\n?FUZZ-MAXRSS \d+\n?/, '');
    if (r.error || r.signal) problems.push(`${label}: ${r.error?.message ?? r.signal}`);
    if (/\n\s+at |unexpected error/.test(stderr)) problems.push(`${label}: stack trace: ${stderr.slice(0, 300)}`);
    if (r.status !== 0 && r.status !== 1) problems.push(`${label}: exit ${r.status}`);
    if (r.status === 1 && stderr.trim().split('\n').length > 1) problems.push(`${label}: more than one line on error: ${stderr.slice(0, 300)}`);
    let json: unknown;
    try {
      json = JSON.parse(r.stdout);
    } catch {
      problems.push(`${label}: no JSON on stdout (exit ${r.status}: ${stderr.trim().slice(0, 160)})`);
      continue;
    }
    problems.push(...mismatches(label, args[0] === 'threads' ? threadsReading(json as never) : ingestReading(json as IngestSummary), c));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { problems, rssMb, ms };
}

function saveReproducer(seed: number, index: number, c: ArchiveCase, problems: string[]): string {
  fs.mkdirSync(REPRODUCERS, { recursive: true });
  const name = `seed${seed}-case${index}${c.gzip ? '.mbox.gz' : '.mbox'}`;
  fs.writeFileSync(path.join(REPRODUCERS, name), c.bytes);
  fs.writeFileSync(path.join(REPRODUCERS, `${name}.json`), JSON.stringify({ seed, case: index, classes: c.classes, expectedEntries: c.expectedEntries + (c.trailingEntry ? 1 : 0), problems }, null, 2) + '\n');
  return name;
}

export async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  const sample = splitMessages(zlib.gunzipSync(fs.readFileSync(sampleFile)).toString('latin1'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-fuzz-archives-'));
  const rssHook = path.join(work, 'rss-hook.mjs');
  fs.writeFileSync(rssHook, "process.on('exit', () => process.stderr.write(`\\nFUZZ-MAXRSS ${process.resourceUsage().maxRSS}\\n`));\n");
  // Loaded here, after the SDK's notice is silenced above (a static import would load it first).
  const { startLocalAws } = await import('../lambdas/local/emulators.js');
  let aws = await startLocalAws(path.join(work, `aws-${flags.from}`));
  const started = Date.now();
  let failed = 0;
  let gzipCases = 0;
  let gzipLossCases = 0;
  let gzipLost = 0;
  let gzipMessages = 0;
  let crashes = 0;
  let stackTraces = 0;
  let cliRuns = 0;
  let maxCliRss = 0;
  let maxCliMs = 0;
  let maxCaseMs = 0;
  const saved: string[] = [];
  const failingClasses = new Map<string, number>();
  for (let i = flags.from; i < flags.from + flags.count; i++) {
    if (i > flags.from && i % 500 === 0) {
      // A fresh store now and then, so the emulators' files do not grow with the run.
      await aws.close();
      fs.rmSync(path.join(work, `aws-${Math.max(flags.from, i - 500)}`), { recursive: true, force: true });
      aws = await startLocalAws(path.join(work, `aws-${i}`));
    }
    const c = makeCase(sample, flags.seed, i);
    const file = path.join(work, `case${c.gzip ? '.mbox.gz' : '.mbox'}`);
    fs.writeFileSync(file, c.bytes);
    const outcome = await inProcess(c, file, flags.ingestEvery > 0 && i % flags.ingestEvery === 0 ? aws : undefined);
    const problems = [...outcome.problems];
    maxCaseMs = Math.max(maxCaseMs, outcome.ms);
    if (outcome.ms > CASE_LIMIT_MS) problems.push(`took ${outcome.ms} ms`);
    if (flags.cliEvery > 0 && i % flags.cliEvery === 0) {
      const r = viaCli(c, file, rssHook);
      cliRuns++;
      maxCliRss = Math.max(maxCliRss, r.rssMb);
      maxCliMs = Math.max(maxCliMs, r.ms);
      problems.push(...r.problems);
    }
    if (c.gzip) {
      gzipCases++;
      gzipMessages += c.expectedEntries;
      if (outcome.lost > 0) {
        gzipLossCases++;
        gzipLost += outcome.lost;
      }
    }
    crashes += problems.filter((p) => / crash: /.test(p)).length;
    stackTraces += problems.filter((p) => /stack trace/.test(p)).length;
    if (problems.length) {
      failed++;
      for (const k of c.classes) failingClasses.set(k, (failingClasses.get(k) ?? 0) + 1);
      const name = saved.length < MAX_SAVED && c.bytes.length < 4 << 20 ? saveReproducer(flags.seed, i, c, problems) : '(not saved)';
      if (name !== '(not saved)') saved.push(name);
      process.stderr.write(`case ${i} [${c.classes.join(', ')}] ${name}:\n  ${problems.join('\n  ')}\n`);
    }
    if ((i + 1 - flags.from) % 100 === 0) process.stderr.write(`archives: ${i + 1 - flags.from}/${flags.count} cases, ${failed} failed, gzip: lost ${gzipLost} messages in ${gzipLossCases} of ${gzipCases} cases, ${crashes} crashes, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  await aws.close();
  fs.rmSync(work, { recursive: true, force: true });
  const seconds = (Date.now() - started) / 1000;
  const harnessRss = process.resourceUsage().maxRSS / 1024;
  if (failingClasses.size) process.stderr.write(`failing cases by damage class: ${[...failingClasses].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join('; ')}\n`);
  console.log(
    `archives: ${flags.count} cases (seed ${flags.seed}${flags.from ? `, from case ${flags.from}` : ''}) in ${seconds.toFixed(0)} s: ${failed} failed; ` +
      `gzip: messages lost in ${gzipLossCases} of ${gzipCases} damaged-gzip cases (${gzipLost} of ${gzipMessages} readable entries); ` +
      `${crashes} crashes, ${stackTraces} stack traces; slowest case ${(maxCaseMs / 1000).toFixed(1)} s in process, ` +
      `${cliRuns} CLI runs: slowest command ${(maxCliMs / 1000).toFixed(1)} s, max RSS ${maxCliRss.toFixed(0)} MB; harness RSS ${harnessRss.toFixed(0)} MB` +
      (saved.length ? `; reproducers in test/fixtures/fuzz/: ${saved.length}` : ''),
  );
  return failed === 0 ? 0 : 1;
}
