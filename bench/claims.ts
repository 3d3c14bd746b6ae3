/**
 * Claim check figures (`npm run bench -- claims`): the demo issue (the sample week, top 10, offline
 * drafter) drafted with the claim check, its claims compared with a gold list written by hand from
 * the raw mail (test/fixtures/claims-gold.json), then the gold list's probes (claims a drafter could
 * make about the same stories, true and false) checked one by one. Prints claims made, verified,
 * softened, removed, false claims that got through (target 0) and true claims lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Claim, ClaimKind, Topic, WeekAnalysis } from '../lambdas/model.js';
import { topicMaterial, weekSenders, type TopicMaterial } from '../lambdas/verify/material.js';
import { draftTopic } from '../lambdas/draft/draft-topic.js';
import { offlineStory } from '../lambdas/draft/offline.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { checkClaim } from '../lambdas/claims/check.js';
import { consensusTopics, loadAnalysis } from '../test/draft-fixture.js';
import { repoRoot, sampleMbox, sharedCorpus } from '../test/helpers.js';

const TOP = 10;
const WEEK = '2026-W02';

/** A claim the prose pass finds in the demo issue, judged by hand: who, what, and a piece of its sentence. */
interface ProseGold { who: string; what: ClaimKind; sentence: string; true: boolean; evidence: string[]; why: string }

interface Gold { who: string; what: ClaimKind; seriesId?: string; version?: number; true: boolean; evidence: string[]; why: string }

export async function run(): Promise<void> {
  const gold = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'claims-gold.json'), 'utf8')) as { demo: Gold[]; probes: Gold[]; prose?: ProseGold[] };
  const analysis = await loadAnalysis(sampleMbox);
  const topics = buildTopics(analysis, { week: WEEK }).slice(0, TOP);
  const people = weekSenders(analysis);
  const materials = topics.map((t) => topicMaterial(analysis, t, people));

  const made: Claim[] = [];
  let shown = false;
  let first: string[] | undefined;
  for (const material of materials) {
    const draft = await draftTopic(material);
    const claims = draft.story.paragraphs.flatMap((p) => p.claims ?? []);
    made.push(...claims);
    first ??= draft.story.paragraphs.map((p) => p.text);
    // The story to show: the first one the prose pass changed.
    if (!shown && claims.some((c) => c.status !== 'verified' && c.found === 'prose')) {
      shown = true;
      beforeAfter(material, draft.story.paragraphs.map((p) => p.text));
    }
  }
  if (!shown) beforeAfter(materials[0], first);
  proseFigures(made.filter((c) => c.found === 'prose'), gold.prose ?? []);

  const key = (c: { who: string; what: string; seriesId?: string }) => `${c.who.toLowerCase()} ${c.what} ${c.seriesId ?? ''}`;
  const judged = new Map(gold.demo.map((g) => [key(g), g]));
  const tally = { verified: 0, softened: 0, removed: 0 };
  let falseThrough = 0;
  let trueLost = 0;
  const unjudged: string[] = [];
  for (const c of made.filter((x) => x.found !== 'prose')) {
    tally[c.status ?? 'removed']++;
    const g = judged.get(key({ who: c.who.email, what: c.what, seriesId: c.seriesId }));
    if (!g) { unjudged.push(`${c.who.name} ${c.what} (${c.status})`); continue; }
    if (!g.true && c.status === 'verified') falseThrough++;
    if (g.true && c.status === 'removed') trueLost++;
  }
  console.log(`demo issue (${WEEK} sample, top ${TOP}, offline drafter):`);
  console.log(`  claims declared by the drafter ${made.length - made.filter((c) => c.found === 'prose').length}: verified ${tally.verified}, softened ${tally.softened}, removed ${tally.removed}`);
  console.log(`  gold list: ${gold.demo.length} claims judged by hand (${gold.demo.filter((g) => g.true).length} true); claims not in it: ${unjudged.length}${unjudged.length ? ` (${unjudged.join('; ')})` : ''}`);
  console.log(`  false claims that got through: ${falseThrough} (target 0); true claims removed: ${trueLost}`);
  for (const c of made.filter((x) => x.status !== 'verified' && x.found !== 'prose')) console.log(`    ${c.status}: ${c.who.name} ${c.what}: ${c.note}`);

  // Probes: hand-judged claims about the same stories, checked one by one.
  const consensus = consensusTopics(analysis).map((t) => topicMaterial(analysis, t, people));
  const outcome = { verified: 0, softened: 0, removed: 0 };
  let probeFalseThrough = 0;
  let probeTrueLost = 0;
  for (const g of gold.probes) {
    // The story the probe is about: a demo story or an editors' consensus story holding the series and the evidence read.
    const pool = [...materials, ...consensus].filter((m) => m.series?.some((s) => s.id === g.seriesId));
    const material = pool.find((m) => g.evidence.every((id) => m.byId.has(id))) ?? pool[0] ?? materialFor(analysis, g, people);
    const who = material.participants.find((p) => p.email === g.who) ?? { name: g.who, email: g.who };
    const verdict = checkClaim({ who, what: g.what, seriesId: g.seriesId, version: g.version, evidence: g.evidence, sentence: 'S.' }, material);
    outcome[verdict.status]++;
    const wrong = (!g.true && verdict.status === 'verified') || (g.true && verdict.status !== 'verified');
    if (!g.true && verdict.status === 'verified') probeFalseThrough++;
    if (g.true && verdict.status === 'removed') probeTrueLost++;
    console.log(`  probe ${g.true ? 'true ' : 'false'} ${who.name} ${g.what}${g.version ? ` v${g.version}` : ''} ${g.seriesId}: ${verdict.status}${verdict.status !== 'verified' ? ` (${verdict.note})` : ''}${wrong ? '  <-- disagrees with gold' : ''}`);
  }
  await wholeWeek();
  console.log(`probes: ${gold.probes.length} (${gold.probes.filter((g) => !g.true).length} false): verified ${outcome.verified}, softened ${outcome.softened}, removed ${outcome.removed}; false claims that got through: ${probeFalseThrough} (target 0); true claims removed: ${probeTrueLost}`);
}

/**
 * The prose pass's figures on the demo issue: claim-like sentences the drafter did not declare,
 * found, verified, softened, removed, and against the hand-judged list: false ones that got through.
 */
function proseFigures(found: Claim[], gold: ProseGold[]): void {
  const tally = { verified: 0, softened: 0, removed: 0 };
  const sentences = new Set<string>();
  let falseThrough = 0;
  let trueLost = 0;
  let trueSoftened = 0;
  const unjudged: string[] = [];
  for (const c of found) {
    tally[c.status ?? 'removed']++;
    sentences.add(c.status === 'softened' ? (c.note ?? '') : c.sentence);
    const g = gold.find((x) => x.who === c.who.email && x.what === c.what && (c.sentence.includes(x.sentence) || (c.note ?? '').includes(x.sentence)));
    if (!g) { unjudged.push(`${c.who.name} ${c.what} "${c.sentence}" (${c.status})`); continue; }
    if (!g.true && c.status === 'verified') falseThrough++;
    if (g.true && c.status === 'removed') trueLost++;
    if (g.true && c.status === 'softened') trueSoftened++;
  }
  console.log(`  prose pass (claims the drafter did not declare): claim-like sentences ${sentences.size}, claims ${found.length}: verified ${tally.verified}, softened ${tally.softened}, removed ${tally.removed}`);
  console.log(`  prose gold list: ${gold.length} judged by hand (${gold.filter((g) => g.true).length} true); found and not in it: ${unjudged.length}; false that got through: ${falseThrough} (target 0); true removed: ${trueLost}, true softened: ${trueSoftened}`);
  for (const line of unjudged) console.log(`    not judged: ${line}`);
  for (const c of found.filter((x) => x.status !== 'verified')) console.log(`    ${c.status}: ${c.who.name} ${c.what}: "${c.sentence}": ${c.note}`);
}

/** The shared corpus's whole week, top 10, when present: claim outcomes only (no gold list for it). */
async function wholeWeek(): Promise<void> {
  console.log('whole week:');
  if (!fs.existsSync(sharedCorpus)) { console.log('  whole week: ../shared/corpus not found, skipped'); return; }
  const analysis = await loadAnalysis(sharedCorpus);
  const people = weekSenders(analysis);
  const tally = { verified: 0, softened: 0, removed: 0 };
  const changed: string[] = [];
  let shown = false;
  for (const topic of buildTopics(analysis, { week: WEEK }).slice(0, TOP)) {
    const material = topicMaterial(analysis, topic, people);
    const draft = await draftTopic(material);
    const claims = draft.story.paragraphs.flatMap((p) => p.claims ?? []);
    if (!shown && claims.some((c) => c.status !== 'verified')) {
      shown = true;
      beforeAfter(material, draft.story.paragraphs.map((p) => p.text));
    }
    for (const c of claims) {
      tally[c.status ?? 'removed']++;
      if (c.status !== 'verified') changed.push(`${c.status}: ${c.who.name} ${c.what}: ${c.note}`);
    }
  }
  console.log(`  whole week (shared corpus, top ${TOP}, not judged by hand): claims made ${tally.verified + tally.softened + tally.removed}: verified ${tally.verified}, softened ${tally.softened}, removed ${tally.removed}`);
  for (const line of changed) console.log(`    ${line}`);
}

/** A probe about a series outside the top 10: its messages as a topic of their own. */
function materialFor(analysis: WeekAnalysis, g: Gold, people: ReturnType<typeof weekSenders>): TopicMaterial {
  const series = analysis.series.find((s) => s.id === g.seriesId);
  const ids = new Set(series?.versions.flatMap((v) => v.messageIds) ?? []);
  const threads = analysis.threads.filter((t) => t.messageIds.some((id) => ids.has(id)));
  const messageIds = threads.flatMap((t) => t.messageIds);
  const byId = new Map(analysis.messages.map((m) => [m.messageId, m]));
  const participants = [...new Map(messageIds.map((id) => byId.get(id)!).map((m) => [m.from.email, m.from])).values()];
  const topic: Topic = { id: 'probe', title: series?.title ?? '', score: 0, reasons: [], features: {}, threadIds: threads.map((t) => t.id), messageIds, participants, followUpOf: null };
  return topicMaterial(analysis, topic, people);
}

function beforeAfter(material: TopicMaterial, after: string[] | undefined): void {
  const before = offlineStory(material).paragraphs.map((p) => p.text);
  const changed = before.filter((p) => !after?.includes(p));
  console.log(`one story, the paragraphs the claim check changed ("${material.topic.title}"):`);
  for (const p of changed.length ? changed : before.slice(-1)) console.log(`  before: ${p}`);
  for (const p of (after ?? []).filter((x) => !before.includes(x))) console.log(`  after:  ${p}`);
}
