/**
 * Real material for the drafting tests: the bundled sample week analysed by the threads stage, and
 * topics for the editors' consensus threads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { Person, Topic, WeekAnalysis } from '../lambdas/model.js';
import { topicMaterial, type TopicMaterial } from '../lambdas/verify/material.js';
import { parseDraftConfig } from '../lambdas/draft/config.js';
import { repoRoot, sampleMbox } from './helpers.js';

let cached: Promise<WeekAnalysis> | undefined;

/** The sample week, analysed once per test process. */
export function sampleAnalysis(): Promise<WeekAnalysis> {
  cached ??= loadAnalysis(sampleMbox);
  return cached;
}

export function loadAnalysis(file: string): Promise<WeekAnalysis> {
  return analyseMboxFile(file);
}

/** One topic per editors' consensus story: its message ids (those present in the analysis). */
export function consensusTopics(analysis: WeekAnalysis): Topic[] {
  const picks = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'draft-consensus.json'), 'utf8')) as Array<{ headline: string; messageIds: string[] }>;
  const known = new Map(analysis.messages.map((m) => [m.messageId, m]));
  return picks.map((pick, i) => topicOf(analysis, `consensus-${i + 1}`, pick.headline, pick.messageIds.filter((id) => known.has(id))));
}

export function topicOf(analysis: WeekAnalysis, id: string, title: string, messageIds: string[]): Topic {
  const known = new Map(analysis.messages.map((m) => [m.messageId, m]));
  const messages = messageIds.map((m) => known.get(m)!).filter(Boolean).sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  const people = new Map<string, Person>();
  for (const m of messages) if (!people.has(m.from.email)) people.set(m.from.email, m.from);
  return {
    id, title, score: 1, reasons: ['test topic'], features: {}, threadIds: [],
    messageIds: messages.map((m) => m.messageId), participants: [...people.values()], followUpOf: null,
  };
}

/** Andrew Morton in the first consensus story (the Petkov/Morton thread): the model tests' speaker. */
export const MORTON: Person = { name: 'Andrew Morton', email: 'akpm@linux-foundation.org' };
export const AKPM_MSG = '20260109111744.07e51bf5c0bde0e419d09b34@linux-foundation.org';
/** Andrew Morton's own words in AKPM_MSG, copied by hand from the sample week. */
export const SAID = 'This is utterly impractical without support from the x86 maintainers.';

/** The sample week, the first consensus story's material, and AKPM_MSG's ref in it (as the model cites it). */
export async function mortonStory(): Promise<{ analysis: WeekAnalysis; material: TopicMaterial; ref: string }> {
  const analysis = await sampleAnalysis();
  const material = topicMaterial(analysis, consensusTopics(analysis)[0]);
  return { analysis, material, ref: material.byId.get(AKPM_MSG)!.ref };
}

/** A model configuration for the local fake endpoint, with known prices. */
export const testModelConfig = (extra: Record<string, unknown> = {}) => parseDraftConfig({ apiKey: 'test-key', model: 'test-model', inputUsdPerMTok: 2, outputUsdPerMTok: 8, ...extra });
