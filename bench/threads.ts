import path from 'node:path';
import { archives, cli, haveCorpus, measure, root, type Figure } from './corpus.js';

export async function run(): Promise<void> {
  if (!haveCorpus('threads')) return;
  const a = await archives();
  const naive = path.join(root, 'dist', 'bench', 'baselines', 'threads-mailparser.js');
  const python = path.join(root, 'bench', 'baselines', 'threads.py');
  console.log('parse + thread + series, whole process (wall seconds, peak RSS MB, messages/s)');
  console.log(`${'archive'.padEnd(16)}${'kernel-news'.padEnd(26)}${'python stdlib'.padEnd(26)}${'naive mailparser'.padEnd(26)}ratio vs python`);
  const rss: Record<string, number> = {};
  for (const [label, file] of [['week .mbox', a.week], ['week .gz', a.weekGz], ['4 weeks .mbox', a.four], ['4 weeks .gz', a.fourGz]] as const) {
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
