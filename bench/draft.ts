/**
 * Drafting figures: tokens per issue (top 10 topics) with our packing (own words only, patches
 * reduced to subject + diffstat + trailers) against the naive approach of sending whole threads
 * (every message's full decoded body); how much own-word text packing kept, how much the budget cut;
 * offline drafting time and verification counts.
 */
import fs from 'node:fs';
import PostalMime from 'postal-mime';
import { openArchive, readMbox } from '../lambdas/ingest/mbox-reader.js';
import { readEnvelope } from '../lambdas/ingest/envelope.js';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { topicMaterial, weekSenders } from '../lambdas/verify/material.js';
import { normaliseSpace } from '../lambdas/verify/text.js';
import { countTokens, packTopic } from '../lambdas/draft/pack.js';
import { parseDraftConfig } from '../lambdas/draft/config.js';
import { draftTopic } from '../lambdas/draft/draft-topic.js';
import { addCounts, emptyCounts } from '../lambdas/verify/verify.js';
import { loadAnalysis } from '../test/draft-fixture.js';
import { sampleMbox, sharedCorpus } from '../test/helpers.js';

const TOP = 10;
/** The target: packed input at most this share of the naive input. */
const TARGET_SHARE = 0.25;

export async function run(): Promise<void> {
  const file = fs.existsSync(sharedCorpus) ? sharedCorpus : sampleMbox;
  console.log(`archive: ${file}${file === sampleMbox ? ' (shared corpus not found; the sample week instead)' : ''}`);
  let t0 = performance.now();
  const analysis = await loadAnalysis(file);
  console.log(`analysed ${analysis.messages.length} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { topics, how } = await topTopics(analysis);
  console.log(`topics: top ${topics.length} by ${how}`);

  const wanted = new Set(topics.flatMap((t) => t.messageIds));
  const naiveText = await wholeBodies(file, wanted);
  const config = parseDraftConfig({});
  const price = { inputUsdPerMTok: config.inputUsdPerMTok ?? 0, outputUsdPerMTok: config.outputUsdPerMTok ?? 0 };
  const people = weekSenders(analysis);

  let naive = 0;
  let packed = 0;
  let own = 0;
  let cut = 0;
  let lostMessages = 0;
  let messages = 0;
  const rows: string[] = [];
  for (const topic of topics) {
    const material = topicMaterial(analysis, topic, people);
    const packing = packTopic(material, config.maxTopicTokens);
    const topicNaive = material.messages.reduce((n, m) => n + countTokens(naiveText.get(m.messageId) ?? ''), 0);
    // Every message's own words survive packing whole unless the budget cut them.
    for (const p of packing.messages) {
      messages++;
      const m = material.byId.get(p.messageId)!;
      if (p.cutTokens === 0 && !ownSurvives(p.text, m.own)) lostMessages++;
    }
    naive += topicNaive;
    packed += packing.tokens;
    own += packing.ownTokens;
    cut += packing.cutTokens;
    const mode = packing.tokens > config.singleCallTokens ? 'map-reduce' : 'one call';
    rows.push(`  ${String(material.messages.length).padStart(4)} msgs  naive ${String(topicNaive).padStart(7)}  packed ${String(packing.tokens).padStart(6)}  (${pct(packing.tokens, topicNaive)})  ${mode.padEnd(10)}  ${topic.title.slice(0, 60)}`);
  }
  console.log(rows.join('\n'));
  console.log(`tokens per issue (top ${topics.length}, o200k_base): naive ${naive}, packed ${packed} = ${pct(packed, naive)} of naive (target <= ${TARGET_SHARE * 100}%: ${packed <= naive * TARGET_SHARE ? 'met' : 'NOT met'})`);
  console.log(`own words: ${own} tokens; cut by the topic budget (${config.maxTopicTokens}): ${cut} tokens (${pct(cut, own)}); messages whose own words did not survive whole without a cut: ${lostMessages} of ${messages}`);
  const est = (packed + 1_500 * topics.length) / 1e6 * price.inputUsdPerMTok + 600 * topics.length / 1e6 * price.outputUsdPerMTok;
  console.log(`estimated model cost per issue at ${config.model} prices ($${price.inputUsdPerMTok}/$${price.outputUsdPerMTok} per 1M in/out): $${est.toFixed(4)} (naive input alone: $${(naive / 1e6 * price.inputUsdPerMTok).toFixed(4)})`);

  t0 = performance.now();
  let counts = emptyCounts();
  for (const topic of topics) counts = addCounts(counts, (await draftTopic(topicMaterial(analysis, topic, people))).counts);
  console.log(`offline drafting of ${topics.length} stories: ${(performance.now() - t0).toFixed(0)} ms; quotes ${counts.quotes}, verified ${counts.verified}, repaired ${counts.repaired}, removed ${counts.removed}`);
}

function ownSurvives(packedText: string, own: string): boolean {
  const p = normaliseSpace(packedText);
  // Packing only defangs our delimiter tags; compare with those undone.
  return normaliseSpace(own).split(/(?<=[.!?])\s+/).every((s) => p.includes(s.replace(/<(\/?)(message|mail|notes)\b/gi, '<$1 $2')));
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

async function topTopics(analysis: WeekAnalysis): Promise<{ topics: Topic[]; how: string }> {
  try {
    const { buildTopics } = await import('../lambdas/topics/build.js');
    const week = mostCommonWeek(analysis);
    return { topics: buildTopics(analysis, { week }).slice(0, TOP), how: `buildTopics (${week})` };
  } catch (err) {
    const threads = [...analysis.threads].sort((a, b) => b.messageIds.length - a.messageIds.length).slice(0, TOP);
    const byId = new Map(analysis.messages.map((m) => [m.messageId, m]));
    const topics = threads.map((t) => ({
      id: t.id, title: t.subject, score: t.messageIds.length, reasons: [], features: {}, threadIds: [t.id], messageIds: t.messageIds,
      participants: [...new Map(t.messageIds.map((id) => byId.get(id)!).filter(Boolean).map((m) => [m.from.email, m.from])).values()], followUpOf: null,
    }));
    return { topics, how: `largest threads (buildTopics failed: ${(err as Error).message})` };
  }
}

function mostCommonWeek(analysis: WeekAnalysis): string {
  const counts = new Map<string, number>();
  for (const m of analysis.messages) {
    if (!m.date) continue;
    const d = new Date(m.date);
    const day = (d.getUTCDay() + 6) % 7;
    const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
    const jan4 = new Date(Date.UTC(thursday.getUTCFullYear(), 0, 4));
    const week = 1 + Math.round(((thursday.getTime() - jan4.getTime()) / 86_400_000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
    const key = `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '2026-W02';
}

/** The naive input: each wanted message's headers and whole decoded text body, as a thread dump would send it. */
async function wholeBodies(file: string, wanted: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of readMbox(openArchive(file), { maxMessageBytes: 25 << 20 })) {
    if (entry.kind !== 'message') continue;
    const env = readEnvelope(entry.bytes);
    if (!wanted.has(env.messageId)) continue;
    const parsed = await PostalMime.parse(entry.bytes);
    out.set(env.messageId, `From: ${parsed.from?.name ?? ''} <${parsed.from?.address ?? ''}>\nDate: ${parsed.date ?? ''}\nSubject: ${parsed.subject ?? ''}\n\n${parsed.text ?? ''}`);
  }
  return out;
}
