import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { publishIssue } from '../lambdas/archive/publish.js';
import { UNSUBSCRIBE_PLACEHOLDER, type IssueDocument } from '../lambdas/model.js';
import { startLocalServer, type LocalServer } from '../lambdas/web/local-server.js';
import { staticSiteRoutes } from '../bin/commands/serve.js';
import { freshAws, repoRoot, tempDir } from './helpers.js';

const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'issue-2026-W02.json'), 'utf8')) as IssueDocument;
let aws: Awaited<ReturnType<typeof freshAws>>;
let server: LocalServer;
const mirror = path.join(tempDir(), 'site');

before(async () => {
  aws = await freshAws();
  server = await startLocalServer(staticSiteRoutes(mirror));
  const deps = { site: aws.storage.site, table: aws.storage.table, siteUrl: server.url, mirrorDir: mirror };
  const w03 = structuredClone({ ...fixture, week: '2026-W03' });
  w03.topics[0].headline = 'A later week';
  await publishIssue(deps, fixture, '2026-01-12T09:00:00.000Z');
  await publishIssue(deps, w03, '2026-01-19T09:00:00.000Z');
  // Publishing again (a retried step) replaces, never duplicates.
  await publishIssue(deps, fixture, '2026-01-12T09:00:00.000Z');
});
after(async () => {
  await server?.close();
  await aws?.close();
});

const text = async (key: string) => (await aws.storage.site.get(key))?.toString('utf8');

test('each issue is in the site bucket under issues/<week>/, mirrored locally byte for byte', async () => {
  for (const week of ['2026-W02', '2026-W03']) {
    for (const file of ['index.html', 'issue.html', 'issue.txt', 'issue.mjml', 'issue.json']) {
      const body = await text(`issues/${week}/${file}`);
      assert.ok(body, `issues/${week}/${file} missing`);
      assert.equal(fs.readFileSync(path.join(mirror, 'issues', week, file), 'utf8'), body);
    }
  }
  assert.ok((await text('issues/2026-W02/issue.html'))!.includes(UNSUBSCRIBE_PLACEHOLDER), 'mail variant keeps the placeholder');
  assert.ok(!(await text('issues/2026-W02/index.html'))!.includes(UNSUBSCRIBE_PLACEHOLDER), 'web page does not');
});

test('the index lists each week once, newest first, linking to pages that exist', async () => {
  const index = (await text('index.html'))!;
  const links = [...index.matchAll(/href="(issues\/[^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(links, ['issues/2026-W03/index.html', 'issues/2026-W02/index.html']);
  assert.match(index, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="feed\.atom"/);
  assert.ok(index.includes('&lt;script&gt;') && !index.includes('<script>'), 'headlines escaped in the index');
  for (const link of links) assert.equal((await fetch(`${server.url}/${link}`)).status, 200);
});

test('the Atom feed has one entry per issue with absolute links that resolve, and links back from the issue page', async () => {
  const feed = (await text('feed.atom'))!;
  assert.match(feed, /^<\?xml/);
  assert.equal(feed.match(/<entry>/g)?.length, 2);
  assert.ok(feed.includes(`<link rel="self" href="${server.url}/feed.atom"`) || feed.includes(`href="${server.url}/feed.atom"`));
  const entryLinks = [...feed.matchAll(/<entry>[\s\S]*?<link href="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(entryLinks, [`${server.url}/issues/2026-W03/index.html`, `${server.url}/issues/2026-W02/index.html`]);
  for (const link of entryLinks) assert.equal((await fetch(link)).status, 200);
  assert.ok(!/<script>/.test(feed), 'feed text escaped');
  const page = (await text('issues/2026-W02/index.html'))!;
  assert.ok(page.includes(`href="${server.url}/index.html"`) && page.includes(`href="${server.url}/feed.atom"`));
  assert.equal((await fetch(`${server.url}/feed.atom`)).headers.get('content-type'), 'application/atom+xml; charset=utf-8');
});
