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
import { readPicks, scoreRanking } from './score-picks.js';

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

// Leave one signal out: the ranking with each part of the score removed in turn. A signal whose
// removal changes nothing is dead weight here; one whose removal costs many stories carries this week
// and deserves a look for overfitting. `node dist/bench/topics-why.js --ablate`.
if (process.argv.includes('--ablate')) {
  const full = scoreRanking(topics, picks);
  console.log(`\nleave one signal out (consensus in top 15 / avoid in top 10; all signals: ${full.consensusInTop}/${full.avoidInTop})`);
  const parts = new Set(topics.flatMap((t) => Object.keys(scoreParts(t.features))));
  for (const part of parts) {
    const without = topics
      .map((t) => ({ t, s: t.score - (scoreParts(t.features)[part] ?? 0) }))
      .sort((a, b) => b.s - a.s)
      .map((x) => x.t);
    const r = scoreRanking(without, picks);
    console.log(`  without ${part.padEnd(18)} ${r.consensusInTop}/${r.avoidInTop}`);
  }
}
