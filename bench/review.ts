/**
 * The review page's check of an edited story, timed (`npm run bench -- review`): whether it fits
 * the web function's 29 s behind API Gateway. For the sample week and the shared week (when it is
 * next to the repository), stored in the emulators the way the state machine stores it (ingest,
 * Thread, Topics), the largest topic of the issue's candidates (the stored ones) and the largest of
 * the week: its story drafted offline (not timed), then the web function's check of it timed three
 * times (lambdas/review/verify-edit.ts: the stored topic, the by-topic load of its raw messages,
 * quote and claim verification). The whole week's load, what the check would cost without the
 * by-topic loader, is timed once for comparison, and so is the one part of the check that grows with the
 * week, the manifest read, for a 10,000-message week. Figures are against s3rver/dynalite on this machine:
 * S3 in AWS answers each GET in tens of milliseconds (16 at a time), so add ~0.03 s per 16 messages.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Topic } from '../lambdas/model.js';
import type { Storage } from '../lambdas/storage/index.js';
import { ingest, weekManifest } from '../lambdas/ingest/ingest.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { createThreadHandler } from '../lambdas/handlers/thread.js';
import { weekLoader } from '../lambdas/thread/week-loader.js';
import { topicsStage } from '../lambdas/topics/stage.js';
import { loadTopics } from '../lambdas/topics/store.js';
import { draftTopic } from '../lambdas/draft/draft-topic.js';
import { topicMaterial } from '../lambdas/verify/material.js';
import { editVerifier } from '../lambdas/review/verify-edit.js';
import { freshAws, sampleMbox, sharedCorpus } from '../test/helpers.js';

const WEEK = '2026-W02';
const RUNS = 3;
/** A week of every list the stack follows, LKML included, for the manifest figure. */
const LARGE_WEEK = 10_000;
const LARGE_WEEK_NAME = '2026-W40';

export async function run(): Promise<void> {
  console.log('the web function\'s check of an edited story (by-topic load + quote and claim verification), limit 29 s');
  await measureWeek('sample', sampleMbox);
  if (fs.existsSync(sharedCorpus)) await measureWeek('shared week', sharedCorpus);
  else console.log(`shared week: not at ${sharedCorpus}; not measured`);
}

async function measureWeek(label: string, mbox: string): Promise<void> {
  const aws = await freshAws();
  try {
    await ingest(mboxSource(mbox, 25 << 20), aws.storage);
    await createThreadHandler({ config: aws.config, storage: aws.storage })({ week: WEEK });
    let started = performance.now();
    const analysis = await weekLoader(aws.storage, { bodies: true })(WEEK);
    const weekSeconds = (performance.now() - started) / 1000;
    const all = await topicsStage(analysis, aws.storage, { week: WEEK });
    const stored = (await loadTopics(aws.storage.table, WEEK)) as Topic[];
    const biggest = (topics: Topic[]) => topics.reduce((a, b) => (b.messageIds.length > a.messageIds.length ? b : a));
    started = performance.now();
    const manifest = await weekManifest(aws.storage, WEEK);
    const manifestSeconds = (performance.now() - started) / 1000;
    console.log(`${label}: ${analysis.messages.length} messages, ${all.length} topics (${stored.length} stored); whole-week load ${weekSeconds.toFixed(1)} s; the week's manifest read alone ${manifestSeconds.toFixed(2)} s (${manifest.length} items)`);
    if (manifest.length < LARGE_WEEK) {
      // The one part that grows with the week: a manifest of LARGE_WEEK items, the week's own repeated under new keys.
      const large = Array.from({ length: LARGE_WEEK }, (_, i) => ({ ...manifest[i % manifest.length], pk: `WEEK#${LARGE_WEEK_NAME}`, sk: `MSG#${createHash('sha256').update(String(i)).digest('hex')}` }));
      await aws.storage.table.batchPut(large);
      started = performance.now();
      const read = await weekManifest(aws.storage, LARGE_WEEK_NAME);
      console.log(`  a ${read.length}-message week's manifest (this week's items repeated) read in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
    const picks: Array<[string, Topic]> = [['largest stored topic', biggest(stored)], ['largest topic of the week', biggest(all)]];
    for (const [which, topic] of picks) {
      const story = (await draftTopic(topicMaterial(analysis, topic))).story;
      const entry = { id: topic.id, headline: story.headline, paragraphs: story.paragraphs, score: topic.score, reasons: topic.reasons, messageIds: topic.messageIds, participants: topic.participants };
      const reads = { count: 0 };
      const verify = editVerifier(countingRaw(aws.storage, reads));
      const seconds: number[] = [];
      let problems: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        reads.count = 0;
        started = performance.now();
        problems = await verify(WEEK, entry);
        seconds.push((performance.now() - started) / 1000);
      }
      const rank = stored.findIndex((t) => t.id === topic.id) + 1;
      console.log(`  ${which}${rank ? ` (#${rank})` : ''}: ${topic.messageIds.length} messages, ${reads.count} raw objects read; check ${seconds.map((s) => s.toFixed(2)).join(' / ')} s (${RUNS} runs); the drafted story ${problems.length ? `flagged: ${problems.join(' | ')}` : 'passes'}`);
    }
  } finally {
    await aws.close();
  }
}

/** The storage with its raw-bucket reads counted. */
function countingRaw(storage: Storage, reads: { count: number }): Storage {
  const raw = storage.raw;
  return { ...storage, raw: { put: raw.put.bind(raw), has: raw.has.bind(raw), list: raw.list.bind(raw), get: (key) => { reads.count++; return raw.get(key); } } };
}
