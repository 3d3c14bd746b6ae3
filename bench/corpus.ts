import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openArchive, readMbox } from '../lambdas/ingest/mbox-reader.js';

/** The repository root (this file runs from dist/bench/). */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const corpus = path.join(root, '..', 'shared', 'corpus', '2026-W02.mbox.gz');
export const cli = path.join(root, 'dist', 'bin', 'kernel-news.js');

/** Says so and returns false when the shared corpus is not next to the repository. */
export function haveCorpus(part: string): boolean {
  if (fs.existsSync(corpus)) return true;
  console.log(`${part}: the shared corpus is not at ${corpus}; nothing to measure`);
  return false;
}

export interface Figure { seconds: number; rssMb: number; stdout: string }

/** Whole-process wall time (clock around the run) and peak RSS (GNU time) of a command. */
export function measure(cmd: string, args: string[]): Figure {
  const started = process.hrtime.bigint();
  const out = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${out.stderr.slice(-500)}`);
  const kb = Number(out.stderr.trim().split('\n').pop());
  return { seconds, rssMb: kb / 1024, stdout: out.stdout };
}

/** A command run `runs` times: the median time and the median peak memory, and the fastest and slowest times. */
export interface Figures extends Figure { runs: number; fastest: number; slowest: number }

export function measureRuns(cmd: string, args: string[], runs: number): Figures {
  const all = Array.from({ length: runs }, () => measure(cmd, args));
  const median = <T>(values: T[], by: (v: T) => number) => [...values].sort((a, b) => by(a) - by(b))[values.length >> 1];
  const times = all.map((f) => f.seconds);
  return { seconds: median(times, (t) => t), rssMb: median(all, (f) => f.rssMb).rssMb, stdout: all[0].stdout, runs, fastest: Math.min(...times), slowest: Math.max(...times) };
}

/** The shared week as plain mbox, the week four times over (Message-IDs rewritten per copy), and gzip of that. */
export async function archives(): Promise<{ weekGz: string; week: string; four: string; fourGz: string }> {
  const week = path.join(os.tmpdir(), 'kernel-news-bench-1x.mbox');
  if (!fs.existsSync(week)) fs.writeFileSync(week, zlib.gunzipSync(fs.readFileSync(corpus)));
  const four = path.join(os.tmpdir(), 'kernel-news-bench-4x.mbox');
  if (!fs.existsSync(four)) {
    const fd = fs.openSync(four, 'w');
    for (let copy = 0; copy < 4; copy++) {
      for await (const e of readMbox(openArchive(corpus), { maxMessageBytes: 64 << 20 })) {
        if (e.kind !== 'message') continue;
        const text = e.bytes.toString('latin1').replace(/<([^<>@\s]+)@([^<>\s]+)>/g, (_m, l, d) => `<${l}.c${copy}@${d}>`).replace(/^(>*From )/gm, '>$1');
        fs.writeSync(fd, `From mboxrd@z Thu Jan  1 00:00:00 1970\n${text}${text.endsWith('\n') ? '' : '\n'}\n`, null, 'latin1');
      }
    }
    fs.closeSync(fd);
  }
  const fourGz = `${four}.gz`;
  if (!fs.existsSync(fourGz)) fs.writeFileSync(fourGz, zlib.gzipSync(fs.readFileSync(four)));
  return { weekGz: corpus, week, four, fourGz };
}
