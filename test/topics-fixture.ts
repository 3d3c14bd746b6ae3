// Shared by the topics tests (topics-group, topics-theme, topics-reply-theme, topics-stakes): the sample's topics, a thread's topic, and
// small invented weeks ranked by the real stages. Expectations stay in the test files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { Topic, WeekAnalysis } from '../lambdas/model.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { message, mboxrd, sampleMbox, tempDir } from './helpers.js';

/** The bundled sample week, analysed and ranked. */
export async function sampleTopics(): Promise<{ sample: WeekAnalysis; topics: Topic[] }> {
  const sample = await analyseMboxFile(sampleMbox);
  return { sample, topics: buildTopics(sample, { week: '2026-W02' }) };
}

/** The bundled sample week with these messages added, analysed and ranked. */
export async function sampleTopicsWith(extra: string[]): Promise<Topic[]> {
  const file = path.join(tempDir(), 'week.mbox');
  fs.writeFileSync(file, Buffer.concat([zlib.gunzipSync(fs.readFileSync(sampleMbox)), mboxrd(extra)]));
  return buildTopics(await analyseMboxFile(file), { week: '2026-W02' });
}

/** The topic that holds the first thread whose subject matches. */
export function topicOfThread(list: Topic[], analysis: WeekAnalysis, subject: RegExp): Topic {
  const thread = analysis.threads.find((t) => subject.test(t.subject));
  assert.ok(thread, `no thread matching ${subject}`);
  const topic = list.find((t) => t.threadIds.includes(thread.id));
  assert.ok(topic, `no topic holds ${thread.subject}`);
  return topic;
}

/** Unrelated threads, so that words have a week to be rare in. */
function filler(): string[] {
  const subjects = [
    ['ext4: speed up orphan list replay', 'The orphan list is replayed one inode at a time; batching the journal handles cuts mount time on large filesystems with many orphans.'],
    ['cpufreq: amd-pstate: fix boost on resume', 'After suspend the boost state read from the MSR is stale, so the driver reports boost enabled while the hardware has it off.'],
    ['crypto: qat: drop unused firmware names', 'These firmware images were never shipped; the table entries only confuse the loader and the people reading it.'],
    ['selftests/bpf: cover verifier bounds on shifts', 'Add cases for signed right shifts by a register, which the verifier tracked too loosely before the recent fix.'],
    ['thermal: of: parse trip hysteresis', 'Device trees can give hysteresis per trip point; honour it instead of the fixed default of zero.'],
    ['btrfs: scrub: report repaired sectors', 'Scrub fixes sectors silently; count them per device so that the status ioctl can tell the user.'],
  ];
  return subjects.map(([subject, body], i) => message(`filler${i}@example.org`, `${body}\n\nSigned-off-by: Filler ${i} <f${i}@example.org>\n`, { From: `Filler ${i} <f${i}@example.org>`, Subject: `[PATCH] ${subject}` }));
}

/** A week of these messages (plus unrelated filler) ranked into topics: which topic holds a message. */
export async function topicsOf(messages: string[]): Promise<{ holding: (id: string) => Topic }> {
  const file = path.join(tempDir(), 'week.mbox');
  fs.writeFileSync(file, mboxrd([...messages, ...filler()]));
  const ranked = buildTopics(await analyseMboxFile(file), { week: '2026-W02' });
  return { holding: (id: string) => ranked.find((t) => t.messageIds.includes(id))! };
}
