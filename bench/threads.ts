import path from 'node:path';
import { archives, cli, haveCorpus, measureRuns, root, type Figures } from './corpus.js';

/** Runs of each command per archive: ours take under a second, the baselines several. */
const OUR_RUNS = 7;
const BASELINE_RUNS = 3;

export async function run(): Promise<void> {
  if (!haveCorpus('threads')) return;
  const a = await archives();
  const naive = path.join(root, 'dist', 'bench', 'baselines', 'threads-mailparser.js');
  const python = path.join(root, 'bench', 'baselines', 'threads.py');
  console.log(`parse + thread + series, whole process: median of ${OUR_RUNS} runs (kernel-news) and ${BASELINE_RUNS} (baselines); wall seconds, peak RSS MB, messages/s`);
  console.log(`${'archive'.padEnd(16)}${'kernel-news'.padEnd(26)}${'python stdlib'.padEnd(26)}${'naive mailparser'.padEnd(26)}ratio vs python`);
  const rss: Record<string, number> = {};
  const spread: string[] = [];
  for (const [label, file] of [['week .mbox', a.week], ['week .gz', a.weekGz], ['4 weeks .mbox', a.four], ['4 weeks .gz', a.fourGz]] as const) {
    const ours = measureRuns(process.execPath, [cli, 'threads', '--mbox', file, '--json'], OUR_RUNS);
    const messages = JSON.parse(ours.stdout).messages as number;
    const py = measureRuns('python3', [python, file], BASELINE_RUNS);
    const nv = measureRuns(process.execPath, [naive, file], BASELINE_RUNS);
    rss[label] = ours.rssMb;
    spread.push(`${label} ${ours.fastest.toFixed(2)}-${ours.slowest.toFixed(2)} s`);
    const cell = (f: Figures) => `${f.seconds.toFixed(2)} s ${f.rssMb.toFixed(0)} MB ${Math.round(messages / f.seconds)}/s`.padEnd(26);
    console.log(`${label.padEnd(16)}${cell(ours)}${cell(py)}${cell(nv)}${(py.seconds / ours.seconds).toFixed(1)}x`);
  }
  console.log(`kernel-news, fastest-slowest run: ${spread.join('; ')}`);
  console.log(`peak RSS, 4 weeks vs one week (.mbox): ${(rss['4 weeks .mbox'] / rss['week .mbox']).toFixed(2)}x; (.gz): ${(rss['4 weeks .gz'] / rss['week .gz']).toFixed(2)}x`);
}
