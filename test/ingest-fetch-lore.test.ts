import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFetchHandler } from '../lambdas/handlers/fetch.js';
import { freshAws, sampleMbox } from './helpers.js';

test('the Fetch Lambda, given no archive, pulls each followed list from lore\'s export for the week; a re-run stores nothing', async () => {
  const archive = fs.readFileSync(sampleMbox);
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(`${req.method} ${decodeURIComponent(req.url!)}`);
    if (req.url!.startsWith('/io-uring/')) return res.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
    if (req.url!.startsWith('/linux-api/')) return res.writeHead(200).end(Buffer.alloc(0));
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const aws = await freshAws();
  after(async () => {
    await aws.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const env = { LISTS: 'io-uring,linux-api', LORE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  const fetchWeek = createFetchHandler({ config: aws.config, storage: aws.storage }, Date.now, env);
  const first = await fetchWeek({ week: '2026-W02' });
  assert.equal(first.week, '2026-W02');
  assert.equal(first.found, 524);
  assert.equal(first.stored, 524);
  assert.ok(asked.includes('POST /io-uring/?q=d:20260105..&x=m'), asked.join('\n'));
  const again = await fetchWeek({ week: '2026-W02' });
  assert.equal(again.stored, 0);
  assert.equal(again.alreadyStored, 524);
});
