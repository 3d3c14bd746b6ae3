import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { freshAws, tempDir } from './helpers.js';
import { reviewRoutes } from '../lambdas/review/routes.js';
import { csrfToken, makeReviewLink, reviewUrl } from '../lambdas/review/links.js';
import { createDraftIssue, getIssueRecord, getIssueVersion } from '../lambdas/review/store.js';
import { subscriptionRoutes } from '../lambdas/subscribers/routes.js';
import { subscriptionUrl } from '../lambdas/subscribers/links.js';
import { addPending, confirm, getSubscriber, importConfirmed, unsubscribe } from '../lambdas/subscribers/store.js';
import { OutboxMailer } from '../lambdas/deliver/mailer.js';
import { startLocalServer, type LocalServer } from '../lambdas/web/local-server.js';
import type { IssueDocument } from '../lambdas/model.js';

// What `npm run fuzz -- links` found, each kept as a case: the answer is a refusal and nothing changes.

let aws: Awaited<ReturnType<typeof freshAws>>;
let server: LocalServer;
const key = Buffer.alloc(32, 5);
const WEEK = '2026-W43';

function issue(): IssueDocument {
  return {
    week: WEEK, generatedAt: '2026-10-26T00:00:00.000Z', stats: { messages: 1, threads: 1, topics: 1 }, lists: ['linux-mm@kvack.org'],
    topics: [{ id: 't-1', headline: 'Folios All the Way Down', score: 1, reasons: ['test'], messageIds: ['m@x'], participants: [{ name: 'Ada', email: 'ada@example.org' }], paragraphs: [{ text: 'Ada asked for folios.', quotes: [] }] }],
    verification: { quotes: 0, verified: 0, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}

before(async () => {
  aws = await freshAws();
  await createDraftIssue(aws.storage, issue());
  const mailer = new OutboxMailer(tempDir());
  server = await startLocalServer([...reviewRoutes({ storage: aws.storage, signingKey: key }), ...subscriptionRoutes({ storage: aws.storage, signingKey: key, mailer, from: 'News <news@example.org>' })]);
});
after(async () => {
  await server?.close();
  await aws?.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, redirect: 'manual' });

test('a client that goes away mid-body does not take the server down', async () => {
  const link = makeReviewLink(key, WEEK, 1);
  await new Promise<void>((resolve) => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => {
      socket.write(`POST ${reviewUrl('', link)} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\naction=drop`);
      setTimeout(() => socket.destroy(), 50);
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
  });
  // A request target no URL parser takes: answered 400, not a crash.
  const bad = await new Promise<string>((resolve) => {
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write('GET http://[::1/review HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => {});
    socket.on('close', () => resolve(text));
  });
  assert.match(bad, /^HTTP\/1\.1 400/);
  assert.equal((await fetch(reviewUrl(server.url, link))).status, 200, 'still serving');
});

test('a malformed or foreign Origin is refused with 403 (not a 500), before anything changes', async () => {
  const link = makeReviewLink(key, WEEK, 1);
  const body = form({ action: 'drop', topicId: 't-1', csrf: csrfToken(key, link) });
  for (const origin of ['not a url', '::::', 'https://evil.example', 'http://127.0.0.1:1']) {
    const res = await post(reviewUrl(server.url, link), body, { origin });
    assert.equal(res.status, 403, origin);
  }
  assert.equal((await getIssueRecord(aws.storage, WEEK))!.draftVersion, 1);
  assert.ok(!(await getIssueVersion(aws.storage, WEEK, 1))!.topics[0].dropped);
});

test('a review link with a parameter given twice is not one we issued', async () => {
  const link = makeReviewLink(key, WEEK, 1);
  assert.equal((await fetch(`${reviewUrl(server.url, link)}&sig=other`)).status, 403);
  assert.equal((await fetch(`${reviewUrl(server.url, link)}&v=2`)).status, 403);
});

test('subscription POSTs from another site are refused and store nothing', async () => {
  const victim = 'victim@example.net';
  const res = await post(`${server.url}/subscribe`, form({ email: victim }), { origin: 'https://evil.example' });
  assert.equal(res.status, 403);
  assert.equal(await getSubscriber(aws.storage, victim), undefined);
  const reader = 'stays@example.net';
  await importConfirmed(aws.storage, [reader]);
  const unsubscribeLink = subscriptionUrl(server.url, key, 'unsubscribe', reader);
  assert.equal((await post(unsubscribeLink, 'List-Unsubscribe=One-Click', { origin: 'https://evil.example' })).status, 403);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'confirmed');
  // The same link from a mail client (no Origin) works: RFC 8058 one-click.
  assert.equal((await post(unsubscribeLink, 'List-Unsubscribe=One-Click')).status, 200);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'unsubscribed');
});

test('a confirmation link replayed after the reader unsubscribed does not subscribe them again', async () => {
  const reader = 'left@example.net';
  await addPending(aws.storage, reader);
  const confirmLink = subscriptionUrl(server.url, key, 'confirm', reader);
  assert.equal((await post(confirmLink, '')).status, 200);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'confirmed');
  await unsubscribe(aws.storage, reader);
  const left = await getSubscriber(aws.storage, reader);
  const replay = await post(confirmLink, '');
  assert.equal(replay.status, 403);
  assert.deepEqual(await getSubscriber(aws.storage, reader), left, 'not a field changed');
  // A second unsubscribe changes nothing either (not even its date).
  await post(subscriptionUrl(server.url, key, 'unsubscribe', reader), 'List-Unsubscribe=One-Click');
  assert.deepEqual(await getSubscriber(aws.storage, reader), left);
  // A link for an address that never asked subscribes nobody.
  assert.equal((await post(subscriptionUrl(server.url, key, 'confirm', 'never@example.net'), '')).status, 403);
  assert.equal(await getSubscriber(aws.storage, 'never@example.net'), undefined);
  // The editor can still subscribe the reader on purpose.
  await confirm(aws.storage, reader);
  assert.equal((await getSubscriber(aws.storage, reader))?.status, 'confirmed');
});

test('a body declared larger than the limit is answered 413 before it is read, and the client can read that answer', async () => {
  const res = await post(`${server.url}/subscribe`, `email=a%40example.net&pad=${'x'.repeat(3 << 20)}`);
  assert.equal(res.status, 413);
  assert.equal(await getSubscriber(aws.storage, 'a@example.net'), undefined);
});
