import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { archives, cli, haveCorpus, measure } from './corpus.js';

/**
 * Ingest through the embedded emulators, whole process: a fresh data folder per archive (first
 * import), then the same archive again (everything already stored), for one week and four.
 */
export async function run(): Promise<void> {
  if (!haveCorpus('ingest')) return;
  const a = await archives();
  console.log('ingest into local S3 + DynamoDB (wall seconds, peak RSS MB, messages/s, MB/s of archive)');
  const rss: Record<string, number> = {};
  for (const [label, file] of [['week .gz', a.weekGz], ['4 weeks .gz', a.fourGz]] as const) {
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bench-ingest-'));
    const first = measure(process.execPath, [cli, 'ingest', '--mbox', file, '--data', data, '--json']);
    const summary = JSON.parse(first.stdout) as { found: number; bytes: number };
    const again = measure(process.execPath, [cli, 'ingest', '--mbox', file, '--data', data, '--json']);
    rss[label] = first.rssMb;
    const rate = (s: number) => `${Math.round(summary.found / s)} msg/s ${(summary.bytes / 1e6 / s).toFixed(1)} MB/s`;
    console.log(`${label.padEnd(14)} first import ${first.seconds.toFixed(1)} s ${first.rssMb.toFixed(0)} MB ${rate(first.seconds)}; again (nothing new) ${again.seconds.toFixed(1)} s ${again.rssMb.toFixed(0)} MB`);
    fs.rmSync(data, { recursive: true, force: true });
  }
  console.log(`peak RSS, 4 weeks vs one week: ${(rss['4 weeks .gz'] / rss['week .gz']).toFixed(2)}x (memory must not grow with the archive)`);
}
