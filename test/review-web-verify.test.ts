import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ingest } from '../lambdas/ingest/ingest.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { createThreadHandler } from '../lambdas/handlers/thread.js';
import { createTopicsHandler } from '../lambdas/handlers/topics.js';
import { createDraftHandler } from '../lambdas/handlers/draft.js';
import { createRenderHandler } from '../lambdas/handlers/render.js';
import { webRoutes } from '../lambdas/handlers/web.js';
import { weekLoader } from '../lambdas/thread/week-loader.js';
import { handleApiGatewayEvent } from '../lambdas/web/apigw.js';
import { makeReviewLink, reviewUrl } from '../lambdas/review/links.js';
import { getIssueRecord, getIssueVersion } from '../lambdas/review/store.js';
import { LocalTaskTokens } from '../lib/local-definition.js';
import type { IssueDocument, Topic } from '../lambdas/model.js';
import type { Storage } from '../lambdas/storage/index.js';
import { loadTopics } from '../lambdas/topics/store.js';
import { loadTopicMaterial } from '../lambdas/thread/topic-loader.js';
import { topicMaterial, type TopicMaterial } from '../lambdas/verify/material.js';
import fs from 'node:fs';
import path from 'node:path';
import { freshAws, mboxrd, message, sampleMbox, tempDir } from './helpers.js';

/**
 * The review page behind API Gateway (the web Lambda's routes, driven with HTTP API v2 events)
 * checks an editor's edit against the week's mail as `kernel-news serve` does, with the week stored
 * the way the state machine stores it (Fetch's ingest, Thread, Topics, DraftStory, Render) in the
 * emulators. What the edits say was read by hand from the sample's raw mail:
 * - "[PATCH 00/36] AES library improvements" (Eric Biggers, Monday): Ard Biesheuvel answered the
 *   cover letter on Thursday with "Nice cleanup" and "Acked-by: Ard Biesheuvel <ardb@kernel.org>",
 *   and sent no NAK in the thread; his other message there says "Fair enough. Thanks for the elaboration."
 * - Holger Dengler wrote in that thread: "I'm not sure, it it makes sense to implement this on s390 at all."
 */
const WEEK = '2026-W02';
const AES = /AES library improvements/i;
const HOLGER = "I'm not sure, it it makes sense to implement this on s390 at all.";

let aws: Awaited<ReturnType<typeof freshAws>>;
const signingKey = Buffer.alloc(32, 9);
let routes: ReturnType<typeof webRoutes>;
/** The review link of the issue's current version: each edit makes a new one. */
let current: string;

before(async () => {
  aws = await freshAws();
  const deps = { config: aws.config, storage: aws.storage };
  await ingest(mboxSource(sampleMbox, 25 << 20), aws.storage);
  const threaded = await createThreadHandler(deps)({ week: WEEK });
  const { topicIds } = await createTopicsHandler({ ...deps, topStories: 5 })({ week: WEEK });
  const draft = createDraftHandler({ storage: aws.storage, loadAnalysis: weekLoader(aws.storage, { bodies: true }) });
  for (const topicId of topicIds) await draft({ week: WEEK, topicId });
  const rendered = await createRenderHandler(deps)({ week: WEEK, stats: { messages: threaded.messages, threads: threaded.threads, topics: topicIds.length } });
  const mailer = { send: async () => { throw new Error('no mail in this test'); } };
  routes = webRoutes({ storage: aws.storage, signingKey, tokens: new LocalTaskTokens(), mailer: mailer as never, from: 'newsletter@example.org' });
  current = reviewUrl('', makeReviewLink(signingKey, WEEK, rendered.draftVersion));
});
after(() => aws?.close());

/** An API Gateway HTTP API (payload 2.0) event, as the Links API sends it to the web function. */
function event(method: 'GET' | 'POST', url: string, body?: string): APIGatewayProxyEventV2 {
  const u = new URL(url, 'https://links.example.org');
  return {
    version: '2.0', routeKey: '$default', rawPath: u.pathname, rawQueryString: u.search.slice(1),
    headers: { host: 'links.example.org', ...(body ? { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://links.example.org' } : {}) },
    requestContext: {
      accountId: '123456789012', apiId: 'links', domainName: 'links.example.org', domainPrefix: 'links', requestId: 'r', routeKey: '$default', stage: '$default',
      time: '', timeEpoch: 0, http: { method, path: u.pathname, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
    },
    isBase64Encoded: true,
    ...(body ? { body: Buffer.from(body).toString('base64') } : {}),
  };
}

const send = async (method: 'GET' | 'POST', url: string, form?: Record<string, string>) => {
  const response = await handleApiGatewayEvent(routes, event(method, url, form ? new URLSearchParams(form).toString() : undefined));
  return { status: response.statusCode ?? 0, body: String(response.body ?? ''), location: String(response.headers?.location ?? '') };
};

async function reviewState() {
  const page = await send('GET', current);
  assert.equal(page.status, 200, page.body);
  const record = (await getIssueRecord(aws.storage, WEEK))!;
  const doc = (await getIssueVersion(aws.storage, WEEK, record.draftVersion)) as IssueDocument & { topics: Array<{ problems?: string[] }> };
  const story = doc.topics.find((t) => t.paragraphs.some((p) => AES.test(p.text)));
  assert.ok(story, 'the AES library story is among the top 5 of the sample');
  const flags = [...page.body.matchAll(/<div class="flag" role="alert">([^<]*)<\/div>/g)].map((m) => m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
  return { html: page.body, csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1], story, flags, blocked: /<button type="submit" class="primary" disabled>/.test(page.body) };
}

/** Posts the editor's edit of the AES story: its headline and paragraphs as given; returns the new version's state. */
async function edit(paragraphs: string[], headline?: string) {
  const { csrf, story } = await reviewState();
  const fields: Record<string, string> = { action: 'edit', csrf, topicId: story.id, headline: headline ?? story.headline };
  paragraphs.forEach((text, j) => { fields[`p${j}`] = text; });
  const saved = await send('POST', current, fields);
  assert.equal(saved.status, 303, saved.body);
  current = saved.location;
  return reviewState();
}

async function approve() {
  const { csrf } = await reviewState();
  return send('POST', current, { action: 'approve', csrf });
}

let original: string[];

/** What a check reads from a topic's material, in a form two loads can be compared by. */
const readable = (m: TopicMaterial) => ({
  messages: m.messages.map((x) => ({ id: x.messageId, from: x.from.email, inReplyTo: x.inReplyTo, own: x.own, trailers: x.trailers, naks: x.naks })),
  participants: m.participants.map((p) => p.email).sort(),
  weekPeople: m.weekPeople.map((p) => p.email).sort(),
  series: (m.series ?? []).map((s) => ({ id: s.id, versions: s.versions.map((v) => ({ version: v.version, messageIds: v.messageIds, ackedBy: v.ackedBy, reviewedBy: v.reviewedBy, nakedBy: v.nakedBy })) })),
});

test('the web function reads only the story\'s own messages, and sees in them what the whole week\'s analysis sees', async () => {
  const week = await weekLoader(aws.storage, { bodies: true })(WEEK);
  const topics = (await loadTopics(aws.storage.table, WEEK)).slice(0, 3) as Topic[];
  for (const topic of topics) {
    const fetched: Buffer[] = [];
    const counting: Storage = { ...aws.storage, raw: { ...aws.storage.raw, get: async (key: string) => { const b = await aws.storage.raw.get(key); if (b) fetched.push(b); return b; }, put: aws.storage.raw.put.bind(aws.storage.raw), has: aws.storage.raw.has.bind(aws.storage.raw), list: aws.storage.raw.list.bind(aws.storage.raw) } };
    const material = await loadTopicMaterial(counting, WEEK, topic);
    // The Message-ID of each object read, from its raw header (not the project's parser).
    const ids = fetched.map((b) => /^Message-I[dD]:\s*<([^>]+)>/im.exec(b.toString('latin1').slice(0, b.indexOf('\n\n')))?.[1]);
    assert.ok(fetched.length > 0 && fetched.length < week.messages.length / 4, `${topic.id}: read ${fetched.length} of the week's ${week.messages.length}`);
    assert.deepEqual(ids.filter((id) => !id || !topic.messageIds.includes(id)), [], `${topic.id}: only its own messages are read`);
    assert.deepEqual(readable(material), readable(topicMaterial(week, topic)), topic.id);
  }
});

test('an edit claiming a NAK from someone who only acked is refused: the problem listed, approval blocked', async () => {
  const { story, flags, blocked } = await reviewState();
  assert.deepEqual(flags, [], 'the drafted issue starts clean');
  assert.equal(blocked, false);
  original = story.paragraphs.map((p) => p.text);
  const last = original.length - 1;
  const state = await edit(original.map((text, j) => (j === last ? `${text} Ard Biesheuvel NAKed the AES library improvements series.` : text)));
  assert.equal(state.flags.length, 1, state.flags.join('\n'));
  assert.match(state.flags[0], /^Check the claim against the source messages: Ard Biesheuvel sent no NAK/);
  assert.ok(state.blocked, 'the approve button is disabled');
  assert.equal((await approve()).status, 409);
  assert.equal((await getIssueRecord(aws.storage, WEEK))!.status, 'draft');
});

test('an edit that changes a quote, or credits it to someone else, is refused', async () => {
  const j = original.findIndex((text) => text.includes(HOLGER));
  assert.ok(j >= 0, "Holger Dengler's objection is quoted in the drafted story");
  // Words in quotation marks that Holger never wrote: the route's own check sees the quote is gone.
  const altered = await edit(original.map((text, k) => (k === j ? text.replace(HOLGER, "It makes no sense to implement this on s390 at all.") : text)));
  assert.ok(altered.flags.some((f) => /no longer verbatim/.test(f)), altered.flags.join('\n'));
  assert.ok(altered.blocked);
  // Holger's words left as they are but told as Eric Biggers' (who wrote no such thing): only the check against the mail sees it.
  const misattributed = await edit(original.map((text, k) => (k === j ? `On Wednesday, Eric Biggers was not convinced, "${HOLGER}"` : text)));
  assert.equal(misattributed.flags.length, 1, misattributed.flags.join('\n'));
  assert.match(misattributed.flags[0], /^Check against the source messages: .* to Eric Biggers, but these are Holger Dengler's words/);
  assert.ok(misattributed.blocked);
  assert.equal((await approve()).status, 409);
  assert.equal((await getIssueRecord(aws.storage, WEEK))!.status, 'draft');
});

test('an honest edit (a new headline, the ack told again) passes, and the issue can then be approved', async () => {
  const last = original.length - 1;
  // The drafter's ack sentence left as it was, the outcome reworded, and the ack told again in new words.
  const ack = /Ard Biesheuvel acked the series\./.exec(original[last])?.[0];
  assert.ok(ack, 'the drafted story says Ard acked the series');
  const honest = original.map((text, j) => (j === last ? `${ack} No new version had been posted by the end of the week.` : text));
  honest[0] = `${honest[0]} On Thursday, Ard Biesheuvel acked the AES library improvements series.`;
  const state = await edit(honest, 'AES Library Rework Questioned for s390');
  assert.deepEqual(state.flags, []);
  assert.equal(state.blocked, false);
  assert.equal(state.story.headline, 'AES Library Rework Questioned for s390');
  const approved = await approve();
  assert.equal(approved.status, 303, approved.body);
  assert.equal((await getIssueRecord(aws.storage, WEEK))!.status, 'approved');
});

test('a story of one version still sees the versions of its series posted that week in other threads, and the week\'s people', async () => {
  // A week of its own, written by hand: v1 of a series NAKed by Bob (Carol, who is in no other thread, also replied),
  // then v2 posted as a new thread and acked by Bob. The story is v2's thread alone.
  const week = '2026-W05';
  const file = path.join(tempDir(), 'week.mbox');
  const ada = 'Ada Lovelace <ada@example.org>';
  fs.writeFileSync(file, mboxrd([
    message('v1-0@x', 'Makes bar faster.\n', { From: ada, Subject: '[PATCH 0/1] foo: make bar faster', Date: 'Tue, 27 Jan 2026 10:00:00 +0000' }),
    message('v1-1@x', 'Makes bar faster.\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n', { From: ada, Subject: '[PATCH 1/1] foo: make bar faster', Date: 'Tue, 27 Jan 2026 10:00:01 +0000', 'In-Reply-To': '<v1-0@x>', References: '<v1-0@x>' }),
    message('nak@x', 'This breaks baz.\n\nNacked-by: Bob Builder <bob@example.org>\n', { From: 'Bob Builder <bob@example.org>', Subject: 'Re: [PATCH 1/1] foo: make bar faster', Date: 'Tue, 27 Jan 2026 12:00:00 +0000', 'In-Reply-To': '<v1-1@x>', References: '<v1-0@x> <v1-1@x>' }),
    message('carol@x', 'I see the same breakage on arm64.\n', { From: 'Carol Shaw <carol@example.org>', Subject: 'Re: [PATCH 1/1] foo: make bar faster', Date: 'Tue, 27 Jan 2026 13:00:00 +0000', 'In-Reply-To': '<nak@x>', References: '<v1-0@x> <v1-1@x> <nak@x>' }),
    message('v2-0@x', 'Makes bar faster, without breaking baz.\n', { From: ada, Subject: '[PATCH v2 0/1] foo: make bar faster', Date: 'Thu, 29 Jan 2026 10:00:00 +0000' }),
    message('v2-1@x', 'Makes bar faster.\n\nSigned-off-by: Ada Lovelace <ada@example.org>\n', { From: ada, Subject: '[PATCH v2 1/1] foo: make bar faster', Date: 'Thu, 29 Jan 2026 10:00:01 +0000', 'In-Reply-To': '<v2-0@x>', References: '<v2-0@x>' }),
    message('ack@x', 'Now I like it, thanks!\n\nAcked-by: Bob Builder <bob@example.org>\n', { From: 'Bob Builder <bob@example.org>', Subject: 'Re: [PATCH v2 1/1] foo: make bar faster', Date: 'Thu, 29 Jan 2026 12:00:00 +0000', 'In-Reply-To': '<v2-1@x>', References: '<v2-0@x> <v2-1@x>' }),
  ]));
  await ingest(mboxSource(file, 1 << 20), aws.storage);
  await createThreadHandler({ config: aws.config, storage: aws.storage })({ week });
  const topic: Topic = { id: 't-v2', title: 'foo: make bar faster', score: 1, reasons: [], features: {}, threadIds: ['v2-0@x'], messageIds: ['v2-0@x', 'v2-1@x', 'ack@x'], participants: [], followUpOf: null };
  const material = await loadTopicMaterial(aws.storage, week, topic);
  assert.deepEqual(material.messages.map((m) => m.messageId), ['v2-0@x', 'v2-1@x', 'ack@x']);
  assert.equal(material.series?.length, 1);
  assert.deepEqual(material.series![0].versions.map((v) => ({ version: v.version, nakedBy: v.nakedBy, ackedBy: v.ackedBy })), [
    { version: 1, nakedBy: ['bob@example.org'], ackedBy: [] },
    { version: 2, nakedBy: [], ackedBy: ['bob@example.org'] },
  ]);
  assert.ok(material.weekPeople.some((p) => p.email === 'carol@example.org'), 'Carol wrote in the week, outside the story');
});
