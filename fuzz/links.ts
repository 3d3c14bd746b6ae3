/**
 * `npm run fuzz -- links [--concurrent N]`: the review and subscription routes of `kernel-news serve`
 * under attack. Sets up a data folder (an issue in draft at version 2, so version 1's link is stale;
 * an approved issue; confirmed, pending and unsubscribed readers), starts `kernel-news serve` on it
 * and sends: tampered, expired and replayed links (GET and POST); POSTs without or with a wrong CSRF
 * token; foreign and malformed Origins; path traversal in the week and the archive path; oversized
 * bodies; malformed HTTP on a raw socket (garbage, bad chunking, lying lengths, huge headers, bodies
 * cut off); then N (default 500) of those requests at once. Checks: every answer is a refusal (a 4xx,
 * or for malformed HTTP the connection closed), no answer leaks a file from outside the archive, the
 * server still answers a valid link afterwards, and the store (every DynamoDB item, every object in
 * the site bucket, the outbox of confirmation mail) is the same after as before.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { startLocalAws } from '../lambdas/local/emulators.js';
import { addPending, confirm, importConfirmed, unsubscribe } from '../lambdas/subscribers/store.js';
import { approveVersion, createDraftIssue, saveNextVersion } from '../lambdas/review/store.js';
import { csrfToken, makeReviewLink, reviewUrl, type ReviewLink } from '../lambdas/review/links.js';
import { subscriptionUrl } from '../lambdas/subscribers/links.js';
import { localSigningKey } from '../lambdas/web/signing.js';
import type { IssueDocument } from '../lambdas/model.js';
import { freePort } from './util.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '..', 'bin', 'kernel-news.js');
const DRAFT = '2026-W41';
const APPROVED = '2026-W42';
const DAY_MS = 24 * 3600 * 1000;

type Answer = number | 'closed';
interface Attack { name: string; send: () => Promise<Answer>; raw?: boolean }

function issue(week: string): IssueDocument {
  return {
    week, generatedAt: new Date().toISOString(), stats: { messages: 2, threads: 1, topics: 1 }, lists: ['linux-block@vger.kernel.org'],
    topics: [{
      id: 't-1', headline: 'Zeroing the Integrity Buffer', score: 1, reasons: ['fuzz'], messageIds: ['a@x'], participants: [{ name: 'Ada', email: 'ada@example.org' }],
      paragraphs: [{ text: 'Ada said, "the buffer must be zeroed before it reaches the drive."', quotes: [{ text: 'the buffer must be zeroed before it reaches the drive.', author: { name: 'Ada', email: 'ada@example.org' }, messageId: 'a@x', url: 'https://lore.kernel.org/r/a@x' }] }],
    }],
    verification: { quotes: 1, verified: 1, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
}


/** Everything a request could change: the table's items, the site bucket's objects, the outbox. */
async function snapshot(dataDir: string, outDir: string): Promise<string> {
  const aws = await startLocalAws(dataDir);
  try {
    const dynamo = new DynamoDBClient({ region: aws.config.region, endpoint: aws.config.dynamoEndpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const items: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamo.send(new ScanCommand({ TableName: aws.config.table, ExclusiveStartKey: start as never }));
      for (const item of page.Items ?? []) items.push(JSON.stringify(Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))));
      start = page.LastEvaluatedKey;
    } while (start);
    dynamo.destroy();
    const objects: string[] = [];
    for await (const key of aws.storage.site.list('')) objects.push(`${key} ${(await aws.storage.site.get(key))?.toString('base64').length}`);
    const outbox = path.join(outDir, 'outbox');
    // Files only: `serve` makes the (empty) confirmations folder as it starts.
    const files = fs.existsSync(outbox) ? fs.readdirSync(outbox, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(outbox, f)).isFile()) : [];
    return JSON.stringify({ items: items.sort(), objects: objects.sort(), files: files.sort() });
  } finally {
    await aws.close();
  }
}

/** One request on a raw socket: the status of the first response, or "closed" if none came. */
function rawRequest(port: number, bytes: Buffer | string, options: { thenClose?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let text = '';
    const done = (answer: Answer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(/^HTTP\/1\.[01] (\d{3})/.test(text) ? Number(RegExp.$1) : 'closed'), 5000);
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      if (m) done(Number(m[1]));
    });
    socket.on('close', () => done('closed'));
    socket.on('connect', () => {
      socket.write(bytes);
      if (options.thenClose) setTimeout(() => done('closed'), 50);
    });
  });
}

export async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf('--concurrent');
  const concurrent = at >= 0 ? Number(argv[at + 1]) : 500;
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-fuzz-links-'));
  const dataDir = path.join(dir, 'data');
  const outDir = path.join(dir, 'out');
  const [confirmed, pending, gone, victim] = ['confirmed@example.org', 'pending@example.org', 'gone@example.org', 'victim@example.org'];
  const aws = await startLocalAws(dataDir);
  try {
    await createDraftIssue(aws.storage, issue(DRAFT));
    await saveNextVersion(aws.storage, DRAFT, 1, issue(DRAFT), 'intro', 'fuzz');
    await createDraftIssue(aws.storage, issue(APPROVED));
    await approveVersion(aws.storage, APPROVED, 1, 'fuzz');
    await importConfirmed(aws.storage, [confirmed]);
    await addPending(aws.storage, pending);
    await addPending(aws.storage, gone);
    await confirm(aws.storage, gone);
    await unsubscribe(aws.storage, gone);
  } finally {
    await aws.close();
  }
  const key = localSigningKey(dataDir);
  const before = await snapshot(dataDir, outDir);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const serve = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir, '--out', outDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let serveErr = '';
  await new Promise<void>((resolve, reject) => {
    serve.stderr!.on('data', (c: Buffer) => {
      serveErr += c.toString();
      if (/serving on/.test(serveErr)) resolve();
    });
    serve.once('exit', () => reject(new Error(`kernel-news serve exited: ${serveErr}`)));
  });

  const current = makeReviewLink(key, DRAFT, 2);
  const stale = makeReviewLink(key, DRAFT, 1);
  const expired = makeReviewLink(key, DRAFT, 2, Date.now() - 15 * DAY_MS);
  const approvedLink = makeReviewLink(key, APPROVED, 1);
  const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
  const url = (link: ReviewLink) => reviewUrl('', link);
  const leaks: string[] = [];
  const fetchAnswer = async (name: string, method: string, target: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> => {
    try {
      const response = await fetch(`${base}${target}`, { method, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers }, body: init.body });
      const text = await response.text();
      if (/"name":\s*"kernel-news"|root:x:0:0|link-signing/.test(text)) leaks.push(name);
      return response.status;
    } catch {
      return 'closed';
    }
  };
  const get = (name: string, target: string, headers?: Record<string, string>): Attack => ({ name, send: () => fetchAnswer(name, 'GET', target, { headers }) });
  const post = (name: string, target: string, body: string, headers?: Record<string, string>): Attack => ({ name, send: () => fetchAnswer(name, 'POST', target, { body, headers }) });
  const raw = (name: string, bytes: string | Buffer, thenClose = false): Attack => ({ name, raw: true, send: () => rawRequest(port, bytes, { thenClose }) });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const drop = (link: ReviewLink, extra: Record<string, string> = {}) => form({ action: 'drop', topicId: 't-1', csrf: csrfToken(key, link), ...extra });

  const unsubscribeUrl = subscriptionUrl('', key, 'unsubscribe', confirmed);
  const confirmPending = subscriptionUrl('', key, 'confirm', pending);
  const swapEmail = (u: string, email: string) => u.replace(/e=[^&]+/, `e=${encodeURIComponent(email)}`);
  const attacks: Attack[] = [
    // Tampered review links.
    get('review GET, signature changed', url({ ...current, sig: flip(current.sig) })),
    post('review POST, signature changed', url({ ...current, sig: flip(current.sig) }), drop({ ...current, sig: flip(current.sig) })),
    get('review GET, version changed', url({ ...current, version: 3 })),
    post('review POST, version changed', url({ ...current, version: 1, sig: current.sig }), drop({ ...current, version: 1 })),
    get('review GET, expiry pushed back', url({ ...current, expires: current.expires + 10 * 86400 })),
    get('review GET, another week', url({ ...current, week: APPROVED })),
    post('review POST, another week', url({ ...current, week: APPROVED }), drop({ ...current, week: APPROVED })),
    get('review GET, no signature', `/review/${DRAFT}?v=2&exp=${current.expires}`),
    get('review GET, version not a number', `/review/${DRAFT}?v=abc&exp=${current.expires}&sig=${current.sig}`),
    get('review GET, huge expiry', `/review/${DRAFT}?v=2&exp=1e999&sig=${current.sig}`),
    get('review GET, repeated parameters', `/review/${DRAFT}?v=2&v=1&exp=${current.expires}&sig=${current.sig}&sig=x`),
    // Expired and replayed links.
    get('review GET, expired link', url(expired)),
    post('review POST, expired link', url(expired), drop(expired)),
    get('review GET, stale version (replayed)', url(stale)),
    post('review POST, stale version with its own token (replayed)', url(stale), drop(stale)),
    post('review POST, approve again an approved issue (replayed)', url(approvedLink), form({ action: 'approve', csrf: csrfToken(key, approvedLink) })),
    post('review POST, edit an approved issue (replayed)', url(approvedLink), form({ action: 'intro', intro: 'changed', csrf: csrfToken(key, approvedLink) })),
    // CSRF token missing or wrong.
    post('review POST, no CSRF token', url(current), form({ action: 'drop', topicId: 't-1' })),
    post('review POST, empty CSRF token', url(current), form({ action: 'drop', topicId: 't-1', csrf: '' })),
    post('review POST, another version\'s CSRF token', url(current), form({ action: 'drop', topicId: 't-1', csrf: csrfToken(key, stale) })),
    post('review POST, CSRF token changed', url(current), form({ action: 'drop', topicId: 't-1', csrf: flip(csrfToken(key, current)) })),
    post('review POST, approve without CSRF token', url(current), form({ action: 'approve' })),
    // Foreign and malformed Origins, with everything else valid.
    post('review POST, foreign Origin', url(current), drop(current), { origin: 'https://evil.example' }),
    post('review POST, look-alike Origin', url(current), drop(current), { origin: `http://127.0.0.1.evil.example:${port}` }),
    post('review POST, same host, other port', url(current), drop(current), { origin: 'http://127.0.0.1:1' }),
    post('review POST, malformed Origin', url(current), drop(current), { origin: 'not a url' }),
    post('review POST, approve from a foreign Origin', url(current), form({ action: 'approve', csrf: csrfToken(key, current) }), { origin: 'https://evil.example' }),
    post('subscribe POST, foreign Origin', '/subscribe', form({ email: victim }), { origin: 'https://evil.example' }),
    post('subscribe POST, malformed Origin', '/subscribe', form({ email: victim }), { origin: '::::' }),
    post('unsubscribe POST, foreign Origin', unsubscribeUrl, 'List-Unsubscribe=One-Click', { origin: 'https://evil.example' }),
    post('confirm POST, foreign Origin', confirmPending, '', { origin: 'https://evil.example' }),
    // Tampered, expired and replayed subscription links.
    post('unsubscribe POST, signature changed', unsubscribeUrl.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`), 'List-Unsubscribe=One-Click'),
    post('unsubscribe POST, another reader\'s address', swapEmail(unsubscribeUrl, pending), 'List-Unsubscribe=One-Click'),
    post('unsubscribe POST, expiry changed', unsubscribeUrl.replace(/exp=(\d+)/, (_m, e: string) => `exp=${Number(e) + 1}`), 'List-Unsubscribe=One-Click'),
    post('unsubscribe POST, a confirm link\'s signature', swapEmail(confirmPending.replace('/confirm?', '/unsubscribe?'), pending), 'List-Unsubscribe=One-Click'),
    post('confirm POST, expired link', subscriptionUrl('', key, 'confirm', pending, Date.now() - 4 * DAY_MS), ''),
    post('confirm POST, an unsubscribed reader\'s old link (replayed)', subscriptionUrl('', key, 'confirm', gone, Date.now() - DAY_MS), ''),
    post('confirm POST, signature changed', confirmPending.replace(/sig=(.)/, (_m, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`), ''),
    post('confirm POST, an unsubscribe link\'s signature', unsubscribeUrl.replace('/unsubscribe?', '/confirm?'), ''),
    post('subscribe POST, not an address', '/subscribe', form({ email: 'not an address' })),
    post('subscribe POST, no address', '/subscribe', form({})),
    post('subscribe POST, address with a header injection', '/subscribe', form({ email: `${victim}\r\nBcc: all@example.org` })),
    // Path traversal in the week and in the archive.
    get('review GET, encoded traversal in the week', `/review/..%2F..%2Fpackage.json?v=2&exp=${current.expires}&sig=${current.sig}`),
    get('review GET, week then traversal', `/review/${DRAFT}%2F..%2F..%2Fdata?v=2&exp=${current.expires}&sig=${current.sig}`),
    get('archive GET, encoded traversal', '/issues/..%2F..%2F..%2Fpackage.json'),
    get('archive GET, week with traversal', `/issues/${DRAFT}%2F..%2F..%2F..%2Fdata%2Flink-signing.key`),
    get('archive GET, encoded dots', '/issues/%2e%2e/%2e%2e/%2e%2e/package.json'),
    raw('raw GET, dot segments in the week', `GET /review/${DRAFT}/../../../package.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    raw('raw GET, dot segments in the archive', 'GET /issues/../../data/link-signing.key HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    raw('raw GET, backslashes', `GET /issues\\..\\..\\package.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    get('review GET, NUL in the week', `/review/${DRAFT}%00?v=2&exp=${current.expires}&sig=${current.sig}`),
    // Methods no route takes.
    { name: 'review PUT', send: () => fetchAnswer('review PUT', 'PUT', url(current), { body: drop(current) }) },
    { name: 'unsubscribe DELETE', send: () => fetchAnswer('unsubscribe DELETE', 'DELETE', unsubscribeUrl) },
    // Oversized bodies.
    post('review POST, 300 KB body', url(current), `${drop(current)}&pad=${'x'.repeat(300 * 1024)}`),
    post('subscribe POST, 4 MB body', '/subscribe', `email=${encodeURIComponent(victim)}&pad=${'y'.repeat(4 << 20)}`),
    raw('raw POST, 2 MB chunked body', `POST /subscribe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${`100000\r\n${'z'.repeat(0x100000)}\r\n`.repeat(2)}0\r\n\r\n`),
    // Malformed HTTP.
    raw('raw garbage', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a])),
    raw('raw bad request line', 'HELLO THERE\r\n\r\n'),
    raw('raw unknown HTTP version', 'GET / HTTP/9.9\r\n\r\n'),
    raw('raw header without colon', 'GET /subscribe HTTP/1.1\r\nHost x\r\n\r\n'),
    raw('raw 64 KB header', `GET /subscribe HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(64 * 1024)}\r\n\r\n`),
    raw('raw negative Content-Length', 'POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n'),
    raw('raw Content-Length and chunked', 'POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
    raw('raw bad chunk size', 'POST /subscribe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n'),
    raw('raw absolute URL with a bad port', 'POST http://127.0.0.1:99999/subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    raw('raw absolute URL, unclosed IPv6 host', 'POST http://[::1/subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    raw('raw request target with spaces and NUL', 'GET /review/2026\u0000W41 x HTTP/1.1\r\nHost: x\r\n\r\n'),
    raw('raw body cut off (client gone)', `POST ${url(current)} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n${drop(current)}`, true),
    raw('raw chunked body cut off (client gone)', `POST /subscribe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nemail=vic`, true),
  ];

  const refused = (a: Answer, isRaw: boolean) => (a === 'closed' ? isRaw : a >= 400 && a < 500);
  const failures: string[] = [];
  let answers = 0;
  let notRefused = 0;
  for (const attack of attacks) {
    const answer = await attack.send();
    answers++;
    if (!refused(answer, attack.raw === true)) {
      notRefused++;
      failures.push(`${attack.name}: ${answer}`);
    }
  }
  // All at once: the fetch attacks, round-robin, minus the multi-megabyte ones.
  const light = attacks.filter((a) => !a.raw && !/MB|KB/.test(a.name));
  const burst = await Promise.all(Array.from({ length: concurrent }, (_, i) => light[i % light.length]).map(async (a) => [a, await a.send()] as const));
  const burstFailures = new Map<string, number>();
  for (const [a, answer] of burst) {
    answers++;
    if (!refused(answer, false)) notRefused++;
    if (!refused(answer, false)) burstFailures.set(`${a.name}: ${answer}`, (burstFailures.get(`${a.name}: ${answer}`) ?? 0) + 1);
  }
  for (const [what, n] of burstFailures) failures.push(`${what} (x${n}, concurrent)`);

  const upAfter = serve.exitCode === null && serve.signalCode === null && (await fetchAnswer('valid link', 'GET', url(current))) === 200;
  serve.kill('SIGTERM');
  await new Promise((resolve) => (serve.exitCode !== null || serve.signalCode !== null ? resolve(null) : serve.once('exit', resolve)));
  const after = await snapshot(dataDir, outDir);
  const unchanged = before === after;
  for (const f of failures) process.stderr.write(`links: not refused: ${f}\n`);
  for (const l of leaks) process.stderr.write(`links: leaked a file: ${l}\n`);
  if (!unchanged) {
    const [was, is] = [JSON.parse(before) as Record<string, string[]>, JSON.parse(after) as Record<string, string[]>];
    for (const part of Object.keys(was)) {
      for (const gone of was[part].filter((x) => !is[part].includes(x))) process.stderr.write(`links: the store changed: ${part} lost ${gone.slice(0, 400)}\n`);
      for (const added of is[part].filter((x) => !was[part].includes(x))) process.stderr.write(`links: the store changed: ${part} gained ${added.slice(0, 400)}\n`);
    }
  }
  if (!upAfter) process.stderr.write(`links: the server did not stay up\n${serveErr.slice(-2000)}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
  const ok = failures.length === 0 && leaks.length === 0 && unchanged && upAfter;
  console.log(`links: ${attacks.length} attacks + ${concurrent} concurrent = ${answers} answers: ${answers - notRefused} refused, ${notRefused} not refused (${failures.length} kinds), ${leaks.length} leaks; store ${unchanged ? 'unchanged' : 'CHANGED'}; server ${upAfter ? 'up' : 'DOWN'}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return ok ? 0 : 1;
}
