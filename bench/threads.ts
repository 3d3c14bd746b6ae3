import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openArchive, readMbox } from '../lambdas/ingest/mbox-reader.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = path.join(root, '..', 'shared', 'corpus', '2026-W02.mbox.gz');

interface Figure { seconds: number; rssMb: number; messages?: number }

/** Whole-process wall time and peak RSS of a command, from GNU time. */
function measure(cmd: string, args: string[]): Figure & { stdout: string } {
  const out = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${out.stderr.slice(-500)}`);
  const [seconds, kb] = out.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, rssMb: kb / 1024, stdout: out.stdout };
}

/** The week four times over, Message-IDs (and references to them) rewritten per copy. */
async function buildFourWeeks(file: string): Promise<string> {
  const out = path.join(os.tmpdir(), 'kernel-news-bench-4x.mbox');
  if (fs.existsSync(out)) return out;
  const fd = fs.openSync(out, 'w');
  for (let copy = 0; copy < 4; copy++) {
    for await (const e of readMbox(openArchive(file), { maxMessageBytes: 64 << 20 })) {
      if (e.kind !== 'message') continue;
      const text = e.bytes.toString('latin1').replace(/<([^<>@\s]+)@([^<>\s]+)>/g, (_m, l, d) => `<${l}.c${copy}@${d}>`).replace(/^(>*From )/gm, '>$1');
      fs.writeSync(fd, `From mboxrd@z Thu Jan  1 00:00:00 1970\n${text}${text.endsWith('\n') ? '' : '\n'}\n`, null, 'latin1');
    }
  }
  fs.closeSync(fd);
  return out;
}

export async function run(): Promise<void> {
  if (!fs.existsSync(corpus)) {
    console.log(`threads: the shared corpus is not at ${corpus}; nothing to measure`);
    return;
  }
  const plain = path.join(os.tmpdir(), 'kernel-news-bench-1x.mbox');
  if (!fs.existsSync(plain)) fs.writeFileSync(plain, zlib.gunzipSync(fs.readFileSync(corpus)));
  const four = await buildFourWeeks(corpus);
  const four_gz = `${four}.gz`;
  if (!fs.existsSync(four_gz)) fs.writeFileSync(four_gz, zlib.gzipSync(fs.readFileSync(four)));
  const cli = path.join(root, 'dist', 'bin', 'kernel-news.js');
  const naive = path.join(root, 'dist', 'bench', 'baselines', 'threads-mailparser.js');
  const python = path.join(root, 'bench', 'baselines', 'threads.py');
  console.log('parse + thread + series, whole process (wall seconds, peak RSS MB, messages/s)');
  console.log(`${'archive'.padEnd(16)}${'kernel-news'.padEnd(26)}${'python stdlib'.padEnd(26)}${'naive mailparser'.padEnd(26)}ratio vs python`);
  const rss: Record<string, number> = {};
  for (const [label, file] of [['week .mbox', plain], ['week .gz', corpus], ['4 weeks .mbox', four], ['4 weeks .gz', four_gz]] as const) {
    const ours = measure(process.execPath, [cli, 'threads', '--mbox', file, '--json']);
    const messages = JSON.parse(ours.stdout).messages as number;
    const py = measure('python3', [python, file]);
    const nv = measure(process.execPath, [naive, file]);
    rss[label] = ours.rssMb;
    const cell = (f: Figure) => `${f.seconds.toFixed(2)} s ${f.rssMb.toFixed(0)} MB ${Math.round(messages / f.seconds)}/s`.padEnd(26);
    console.log(`${label.padEnd(16)}${cell(ours)}${cell(py)}${cell(nv)}${(py.seconds / ours.seconds).toFixed(1)}x`);
  }
  console.log(`peak RSS, 4 weeks vs one week (.mbox): ${(rss['4 weeks .mbox'] / rss['week .mbox']).toFixed(2)}x; (.gz): ${(rss['4 weeks .gz'] / rss['week .gz']).toFixed(2)}x`);
}
