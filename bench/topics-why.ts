/**
 * Why each consensus story and each "avoid" thread ranks where it does: the topic that holds most
 * of its messages, its rank, score and the parts of the score. `node dist/bench/topics-why.js`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { scoreParts } from '../lambdas/topics/rank.js';
import type { Topic } from '../lambdas/model.js';
import { readPicks } from './score-picks.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []));
const corpus = path.join(root, '..', 'shared', 'corpus');

function show(label: string, ids: string[], topics: Topic[]): void {
  const set = new Set(ids);
  const hits = topics.map((t, i) => ({ t, i, n: t.messageIds.filter((id) => set.has(id)).length })).filter((h) => h.n > 0).sort((a, b) => b.n - a.n);
  console.log(`\n== ${label} (${ids.length} msgs)`);
  for (const h of hits.slice(0, 3)) {
    const parts = Object.entries(scoreParts(h.t.features)).filter(([, v]) => Math.abs(v) > 0.01).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    console.log(`  #${h.i + 1} score ${h.t.score} (${h.n}/${h.t.messageIds.length} msgs) ${h.t.title}\n     ${parts}\n     reasons: ${h.t.reasons.join('; ')}`);
  }
}

const analysis = await analyseMboxFile(path.join(corpus, '2026-W02.mbox.gz'));
const topics = buildTopics(analysis, { week: '2026-W02' });
const picks = readPicks(path.join(corpus, '2026-W02.editor-picks.json'));
if (process.argv.includes('--top')) {
  topics.slice(0, 25).forEach((t, i) => console.log(`#${i + 1} ${t.score} ${t.title} | ${Object.entries(scoreParts(t.features)).filter(([, v]) => Math.abs(v) > 0.01).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`));
}
picks.consensus.forEach((c, j) => show(`consensus ${j + 1}: ${c.headline}`, c.messageIds, topics));
for (const a of picks.avoid) show(`avoid: ${a.subject}`, a.messageIds, topics);
