/**
 * `npm run fuzz -- send [--trials N] [--readers N] [--seed S] [--cli FILE]`: exactly once per reader,
 * through kills. `--cli` runs another build's kernel-news.js (say, an older one for a before figure).
 * Each trial approves an issue for N readers (default 300), then runs `kernel-news send --smtp` against
 * a real SMTP server on 127.0.0.1 (fuzz/smtp-sink.ts, its own process) while something is killed with
 * SIGKILL: the sender at a random moment; the server mid-body, between the "." and its reply (having
 * stored the message or not), or at a random moment, then restarted on the same port; or both. Half
 * the trials the server also refuses some recipients (451 at RCPT TO or after the data, 421 closing
 * the connection). The send is re-run until it finishes (re-runs are sometimes killed too). Then, per
 * reader, from the server's store: duplicates (more than one message), misses (none, and not reported
 * in doubt by the last run), and in doubt (the last run's report, with its next step printed).
 * Checks: 0 duplicates, 0 misses, every in-doubt report carries the `--resend-in-doubt` next step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLocalAws } from '../lambdas/local/emulators.js';
import { importConfirmed } from '../lambdas/subscribers/store.js';
import { approveVersion, createDraftIssue } from '../lambdas/review/store.js';
import { publishIssue } from '../lambdas/archive/publish.js';
import { localSigningKey } from '../lambdas/web/signing.js';
import type { IssueDocument } from '../lambdas/model.js';
import type { SinkOptions } from './smtp-sink.js';
import { freePort, seededRng as prng } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUILT_CLI = path.join(here, '..', 'bin', 'kernel-news.js');
const SINK = path.join(here, 'smtp-sink.js');
const WEEK = '2026-W40';
/** A trial that has not finished after this many runs counts as failed (its readers as misses). */
const MAX_RUNS = 25;

const KINDS = ['sender', 'server-body', 'server-dot-unstored', 'server-dot-stored', 'server-random', 'both'] as const;
type Kind = (typeof KINDS)[number];


function flag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} needs a whole number, got "${argv[i + 1]}"`);
  return n;
}


function issue(): IssueDocument {
  return {
    week: WEEK, generatedAt: new Date().toISOString(), stats: { messages: 2, threads: 1, topics: 1 }, lists: ['linux-block@vger.kernel.org'],
    topics: [{
      id: 't-1', headline: 'Zeroing the Integrity Buffer', score: 1, reasons: ['fuzz'], messageIds: ['a@x'], participants: [{ name: 'Ada', email: 'ada@example.org' }],
      paragraphs: [{ text: 'Ada said, "the buffer must be zeroed before it reaches the drive."', quotes: [{ text: 'the buffer must be zeroed before it reaches the drive.', author: { name: 'Ada', email: 'ada@example.org' }, messageId: 'a@x', url: 'https://lore.kernel.org/r/a@x' }] }],
    }],
    verification: { quotes: 1, verified: 1, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}

/** The SMTP server process, restartable on its port; counts the events it reports. */
class Sink {
  child?: ChildProcess;
  dots = 0;
  kills = 0;
  private listeners: Array<() => void> = [];
  constructor(private readonly base: Omit<SinkOptions, 'dieAt'>) {}
  async start(dieAt?: SinkOptions['dieAt']): Promise<void> {
    const child = spawn(process.execPath, [SINK, JSON.stringify({ ...this.base, dieAt })], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    const listening = new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error('the SMTP sink exited before listening')));
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'listening') resolve();
        else if (line.startsWith('dot ')) {
          this.dots++;
          for (const l of this.listeners) l();
        }
      });
    });
    await listening;
  }
  /** Resolves once `n` more "." have reached the server (or never, if the run ends first). */
  afterDots(n: number): Promise<void> {
    const target = this.dots + n;
    return new Promise((resolve) => {
      const check = () => {
        if (this.dots >= target) {
          this.listeners = this.listeners.filter((l) => l !== check);
          resolve();
        }
      };
      this.listeners.push(check);
    });
  }
  exited(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }
  kill(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
  }
}

interface RunResult { code: number | null; killed: boolean; stderr: string; stdout: string }

interface TrialResult {
  kind: Kind; refusals: boolean; runs: number; senderKills: number; serverKills: number;
  duplicates: number; misses: number; inDoubt: number; inDoubtDelivered: number; incomplete: number;
  nextStepPrinted: boolean; finished: boolean;
}

async function trial(index: number, readers: number, seed: number, cli: string): Promise<TrialResult> {
  const random = prng(seed * 1000 + index);
  const kind = KINDS[index % KINDS.length];
  const refusals = random() < 0.5;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-fuzz-send-'));
  const dataDir = path.join(dir, 'data');
  const people = Array.from({ length: readers }, (_, i) => `reader${i}@example.net`);
  const aws = await startLocalAws(dataDir);
  try {
    await importConfirmed(aws.storage, people);
    const doc = issue();
    const record = await createDraftIssue(aws.storage, doc);
    await approveVersion(aws.storage, WEEK, record.draftVersion, 'fuzz');
    await publishIssue({ site: aws.storage.site, table: aws.storage.table, siteUrl: 'http://127.0.0.1:1' }, doc);
  } finally {
    await aws.close();
  }
  localSigningKey(dataDir);

  const port = await freePort();
  const store = path.join(dir, 'received.tsv');
  fs.writeFileSync(store, '');
  const sink = new Sink({ port, store, seed: seed * 1000 + index, refusals });
  const serverDies = kind !== 'sender' && kind !== 'server-random';
  const dieEvent = kind === 'server-body' ? 'body' : kind === 'server-dot-stored' ? 'dot-stored' : 'dot-unstored';
  await sink.start(serverDies ? { event: dieEvent, n: 1 + Math.floor(random() * readers * 0.8) } : undefined);
  let serverKills = 0;
  let senderKills = 0;
  let stopping = false;
  // Restart the server whenever it dies, after a short pause (the sender meanwhile sees refused connections).
  const keepServerUp = (async () => {
    while (!stopping) {
      await sink.exited();
      if (stopping) break;
      serverKills++;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(random() * 250)));
      if (!stopping) await sink.start();
    }
  })();

  const runOnce = async (killSenderAfter?: number, killServerAfter?: number): Promise<RunResult> => {
    const child = spawn(process.execPath, [cli, 'send', '--issue', WEEK, '--smtp', `smtp://127.0.0.1:${port}`, '--data', dataDir, '--out', path.join(dir, 'out')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let killed = false;
    if (killSenderAfter !== undefined) {
      void sink.afterDots(killSenderAfter).then(() => setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) {
          killed = child.kill('SIGKILL');
          if (killed) senderKills++;
        }
      }, Math.floor(random() * 4)));
    }
    if (killServerAfter !== undefined) {
      void sink.afterDots(killServerAfter).then(() => setTimeout(() => {
        if (child.exitCode === null) sink.kill();
      }, Math.floor(random() * 4)));
    }
    const code = await exited;
    return { code, killed: killed || child.signalCode === 'SIGKILL', stderr, stdout };
  };

  let runs = 0;
  let last: RunResult | undefined;
  let finished = false;
  try {
    while (runs < MAX_RUNS) {
      runs++;
      const first = runs === 1;
      const killSender = (first && (kind === 'sender' || kind === 'both')) || (!first && runs <= 4 && random() < 0.3);
      const killServer = first && kind === 'server-random';
      last = await runOnce(killSender ? 1 + Math.floor(random() * readers * 0.8) : undefined, killServer ? 1 + Math.floor(random() * readers * 0.8) : undefined);
      // Done: the run ended by itself with nothing failed (in doubt is an answer, not a failure).
      if (!last.killed && !/^failed: /m.test(last.stderr) && (last.code === 0 || last.code === 3)) {
        finished = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    stopping = true;
    sink.kill();
    await keepServerUp;
  }

  const counts = new Map<string, number>();
  let incomplete = 0;
  for (const line of fs.readFileSync(store, 'utf8').split('\n')) {
    const [to, , complete] = line.split('\t');
    if (!to) continue;
    if (complete !== '1') incomplete++;
    else counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  // The last run's in-doubt report: the recipients after the list's last ": ".
  const doubtLine = /^in doubt.*$/m.exec(last?.stderr ?? '')?.[0];
  const inDoubt = new Set(doubtLine ? doubtLine.slice(doubtLine.lastIndexOf(': ') + 2).split(', ').map((s) => s.trim()) : []);
  const result: TrialResult = {
    kind, refusals, runs, senderKills, serverKills: serverKills + 0, finished,
    duplicates: people.filter((p) => (counts.get(p) ?? 0) > 1).length,
    misses: people.filter((p) => !counts.has(p) && !inDoubt.has(p)).length,
    inDoubt: inDoubt.size,
    inDoubtDelivered: [...inDoubt].filter((p) => counts.has(p)).length,
    incomplete,
    nextStepPrinted: inDoubt.size === 0 || /--resend-in-doubt/.test(last?.stderr ?? ''),
  };
  if (process.env.KN_FUZZ_VERBOSE) console.error(JSON.stringify(result), last?.stderr.slice(0, 2000));
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

export async function main(argv: string[]): Promise<number> {
  // CI-sized by default (a few minutes on a busy 2-core machine); the issue's figures use --trials 12.
  const trials = flag(argv, '--trials', 3);
  const readers = flag(argv, '--readers', 300);
  const seed = flag(argv, '--seed', 1);
  const cliAt = argv.indexOf('--cli');
  const cli = cliAt >= 0 ? path.resolve(argv[cliAt + 1] ?? '') : BUILT_CLI;
  const started = Date.now();
  const results: TrialResult[] = [];
  for (let i = 0; i < trials; i++) {
    const r = await trial(i, readers, seed, cli);
    results.push(r);
    process.stderr.write(`send trial ${i + 1}/${trials} (${r.kind}${r.refusals ? ', refusals' : ''}): ${r.runs} runs, ${r.senderKills} sender kills, ${r.serverKills} server kills; ${r.duplicates} duplicates, ${r.misses} misses, ${r.inDoubt} in doubt (${r.inDoubtDelivered} of them delivered)${r.finished ? '' : ', NOT FINISHED'}${r.nextStepPrinted ? '' : ', no next step printed'}\n`);
  }
  const sum = (f: (r: TrialResult) => number) => results.reduce((n, r) => n + f(r), 0);
  const failed = results.filter((r) => r.duplicates || r.misses || r.incomplete || !r.finished || !r.nextStepPrinted).length;
  console.log(`send: ${trials} trials x ${readers} readers, ${sum((r) => r.senderKills)} sender kills, ${sum((r) => r.serverKills)} server kills, ${sum((r) => r.runs)} runs: ${sum((r) => r.duplicates)} duplicates, ${sum((r) => r.misses)} misses, ${sum((r) => r.inDoubt)} in doubt (${sum((r) => r.inDoubtDelivered)} of them delivered), ${sum((r) => r.incomplete)} incomplete; ${failed} failing trials; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}
