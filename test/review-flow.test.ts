import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ingest } from '../lambdas/ingest/ingest.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { draftWeek, localReviewDeps } from '../lambdas/pipeline/local.js';
import { reviewRoutes } from '../lambdas/review/routes.js';
import { makeReviewLink, reviewUrl } from '../lambdas/review/links.js';
import { createDraftIssue, getIssueRecord, listActions } from '../lambdas/review/store.js';
import { renderIssue } from '../lambdas/render/render.js';
import { startLocalServer, type LocalServer } from '../lambdas/web/local-server.js';
import { staticSiteRoutes } from '../bin/commands/serve.js';
import type { IssueDocument } from '../lambdas/model.js';
import { freshAws, repoRoot, sampleMbox, tempDir } from './helpers.js';
import { launchChromium } from './browser.js';

const XSS = `<script>window.__xss=1</script>"><img src=x onerror="window.__xss=1">`;

let aws: Awaited<ReturnType<typeof freshAws>>;
let server: LocalServer;
let browser: Browser;
let doc: IssueDocument;
const key = Buffer.alloc(32, 7);
const siteDir = path.join(tempDir(), 'site');

before(async () => {
  aws = await freshAws();
  await ingest(mboxSource(sampleMbox, 25 << 20), aws.storage);
  doc = (await draftWeek(aws.storage, { week: '2026-W02', top: 5 })).doc;
  const local = localReviewDeps(aws.storage, key, 'http://127.0.0.1:1', siteDir);
  // Each test reviews the sample's stories under a week of its own; their sources are week 2026-W02's.
  const deps = { ...local, verify: (_week: string, topic: Parameters<NonNullable<typeof local.verify>>[1]) => local.verify!('2026-W02', topic) };
  server = await startLocalServer([...reviewRoutes(deps), ...staticSiteRoutes(siteDir)]);
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  await aws?.close();
});

/** A week of its own with a hostile story, so tests do not share review state. */
async function issueFor(week: string, mutate: (d: IssueDocument) => void = () => {}) {
  const copy: IssueDocument = structuredClone({ ...doc, week });
  mutate(copy);
  const record = await createDraftIssue(aws.storage, copy);
  return { copy, link: makeReviewLink(key, week, record.draftVersion) };
}

test('browser: drop one story, move another up, edit a headline, approve; the archive shows exactly that', async () => {
  const { copy, link } = await issueFor('2026-W10');
  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  await page.goto(reviewUrl(server.url, link));
  const [first, second, third, fourth] = copy.topics;
  await page.getByRole('button', { name: `Drop: ${second.headline}` }).click();
  await page.waitForURL(/done=drop/);
  await page.getByRole('button', { name: `Move up: ${fourth.headline}` }).click();
  await page.waitForURL(/done=move/);
  const story = page.locator(`section[data-topic="${fourth.id}"]`);
  await story.locator('summary').click();
  await story.locator('input[name="headline"]').fill('Who Reviews the Reviewers?');
  await story.getByRole('button', { name: 'Save story' }).click();
  await page.waitForURL(/done=edit/);
  await page.getByRole('button', { name: /Approve version/ }).click();
  await page.waitForURL(/done=approved/);
  assert.match(await page.content(), /Approved \(version 4/);
  await page.close();

  const published = JSON.parse(fs.readFileSync(path.join(siteDir, 'issues', '2026-W10', 'issue.json'), 'utf8')) as IssueDocument;
  const expected = [first.id, fourth.id, third.id, ...copy.topics.slice(4).map((t) => t.id)];
  assert.deepEqual(published.topics.map((t) => t.id), expected);
  assert.equal(published.topics[1].headline, 'Who Reviews the Reviewers?');
  assert.ok(!published.topics.some((t) => t.id === second.id));
  const archived = fs.readFileSync(path.join(siteDir, 'issues', '2026-W10', 'index.html'), 'utf8');
  assert.ok(archived.includes('Who Reviews the Reviewers?'));
  assert.ok(!archived.includes(second.headline));
  assert.match(fs.readFileSync(path.join(siteDir, 'feed.atom'), 'utf8'), /issues\/2026-W10\/index\.html/);
  assert.match(fs.readFileSync(path.join(siteDir, 'index.html'), 'utf8'), /href="issues\/2026-W10\/index\.html"/);
  const actions = (await listActions(aws.storage, '2026-W10')).map((a) => a.action);
  assert.deepEqual(actions.sort(), ['approved', 'drafted', 'drop', 'edit', 'move'].sort());
});

test('the rendered issue has no horizontal scrolling at 375 px and 1024 px', async () => {
  const rendered = await renderIssue(doc, { siteUrl: 'http://127.0.0.1:1', variant: 'web' });
  for (const width of [375, 1024]) {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.setContent(rendered.html);
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `${width}px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);
    await page.screenshot({ path: path.join(repoRoot, 'docs', 'screenshots', `issue-${width}.png`), fullPage: false });
    await page.close();
  }
});

test('a forged or expired link gets a 403 page; a GET changes nothing', async () => {
  const { link } = await issueFor('2026-W11');
  const forged = await fetch(reviewUrl(server.url, { ...link, sig: link.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }));
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /not valid/);
  const otherWeek = await fetch(reviewUrl(server.url, { ...link, week: '2026-W12' }));
  assert.equal(otherWeek.status, 403);
  const expired = makeReviewLink(key, '2026-W11', link.version, Date.now() - 30 * 24 * 3600 * 1000);
  const old = await fetch(reviewUrl(server.url, expired));
  assert.equal(old.status, 403);
  assert.match(await old.text(), /expired/);
  for (let i = 0; i < 3; i++) assert.equal((await fetch(reviewUrl(server.url, link))).status, 200);
  assert.equal((await getIssueRecord(aws.storage, '2026-W11'))!.status, 'draft');
  assert.equal((await getIssueRecord(aws.storage, '2026-W11'))!.draftVersion, 1);
});

test('CSRF: a POST without the page token, or from another origin, changes nothing', async () => {
  const { link } = await issueFor('2026-W13');
  const url = reviewUrl(server.url, link);
  const noToken = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'approve', csrf: 'x' }), redirect: 'manual' });
  assert.equal(noToken.status, 403);
  const missing = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'drop', topicId: 'x' }), redirect: 'manual' });
  assert.equal(missing.status, 403);
  assert.match(await missing.text(), /did not come from the review page/);
  const page = await (await fetch(url)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1];
  const crossSite = await fetch(url, { method: 'POST', headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ action: 'approve', csrf }), redirect: 'manual' });
  assert.equal(crossSite.status, 403);
  assert.equal((await getIssueRecord(aws.storage, '2026-W13'))!.status, 'draft');
  const ok = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'approve', csrf }), redirect: 'manual' });
  assert.equal(ok.status, 303);
  assert.equal((await getIssueRecord(aws.storage, '2026-W13'))!.status, 'approved');
  const replay = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'approve', csrf }), redirect: 'manual' });
  assert.equal(replay.status, 403);
  assert.match(await replay.text(), /already approved/);
});

test('an edit that breaks a quote is flagged and blocks approval until fixed', async () => {
  const { copy, link } = await issueFor('2026-W14');
  const url = reviewUrl(server.url, link);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(url)).text())![1];
  const story = copy.topics.find((t) => t.paragraphs.some((p) => p.quotes.length))!;
  const j = story.paragraphs.findIndex((p) => p.quotes.length);
  const q = story.paragraphs[j].quotes[0];
  const broken = story.paragraphs[j].text.replace(q.text, `${q.text.slice(0, -3)}XYZ`);
  const edit = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'edit', csrf, topicId: story.id, headline: story.headline, [`p${j}`]: broken }), redirect: 'manual' });
  assert.equal(edit.status, 303);
  const next = new URL(edit.headers.get('location')!, server.url).toString();
  const html = await (await fetch(next)).text();
  assert.match(html, /no longer verbatim/);
  assert.match(html, /<button type="submit" class="primary" disabled>/);
  const csrf2 = /name="csrf" value="([^"]+)"/.exec(html)![1];
  const approve = await fetch(next, { method: 'POST', body: new URLSearchParams({ action: 'approve', csrf: csrf2 }), redirect: 'manual' });
  assert.equal(approve.status, 409);
  assert.equal((await getIssueRecord(aws.storage, '2026-W14'))!.status, 'draft');
});

test('XSS: hostile subjects, names and bodies render as text on the review page and in the issue', async () => {
  const { link } = await issueFor('2026-W15', (d) => {
    d.topics[0].headline = XSS;
    d.topics[0].reasons = [XSS];
    d.topics[0].paragraphs[0] = { text: `Mallory said, "${XSS}"`, quotes: [{ text: XSS, author: { name: XSS, email: 'm@x' }, messageId: 'm@x', url: 'javascript:alert(1)' }] };
  });
  const page = await browser.newPage();
  await page.goto(reviewUrl(server.url, link));
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  assert.ok((await page.textContent('body'))!.includes('<script>window.__xss=1</script>'));
  await page.close();
  const hostile = structuredClone(doc);
  hostile.topics[0].headline = XSS;
  hostile.topics[0].paragraphs[0] = { text: `Mallory said, "${XSS}"`, quotes: [{ text: XSS, author: { name: XSS, email: 'm@x' }, messageId: 'm@x', url: 'javascript:alert(1)' }] };
  const rendered = await renderIssue(hostile, { siteUrl: 'http://127.0.0.1:1', variant: 'mail' });
  assert.ok(!rendered.html.includes('<script>window'));
  assert.ok(!rendered.html.includes('javascript:'));
  assert.ok(rendered.html.includes('&lt;script&gt;'));
  const issuePage = await browser.newPage();
  await issuePage.setContent(rendered.html);
  assert.equal(await issuePage.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  await issuePage.close();
});

test('the review page itself has no horizontal scrolling at 375 px, even with a long unbroken headline', async () => {
  const { link } = await issueFor('2026-W16', (d) => { d.topics[0].headline = `x86/${'really_long_identifier_'.repeat(8)}`; });
  const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
  await page.goto(reviewUrl(server.url, link));
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
  assert.ok(scrollWidth <= clientWidth, `review page scrolls sideways: ${scrollWidth} > ${clientWidth}`);
  await page.close();
});

test('an edit that puts invented words in quotation marks is checked against the sources and blocks approval', async () => {
  const { copy, link } = await issueFor('2026-W16');
  const url = reviewUrl(server.url, link);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(url)).text())![1];
  const story = copy.topics[0];
  const invented = `${story.paragraphs[0].text} Linus Torvalds said, "this whole approach is wrong and will never be merged."`;
  const edit = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'edit', csrf, topicId: story.id, headline: story.headline, p0: invented }), redirect: 'manual' });
  assert.equal(edit.status, 303);
  const next = new URL(edit.headers.get('location')!, server.url).toString();
  const html = await (await fetch(next)).text();
  assert.match(html, /Check against the source messages/);
  assert.match(html, /<button type="submit" class="primary" disabled>/);
  const csrf2 = /name="csrf" value="([^"]+)"/.exec(html)![1];
  assert.equal((await fetch(next, { method: 'POST', body: new URLSearchParams({ action: 'approve', csrf: csrf2 }), redirect: 'manual' })).status, 409);
});

test('an edit that states a claim the mail does not show (Andrew Morton sent no NAK that week) is flagged and blocks approval', async () => {
  const { copy, link } = await issueFor('2026-W17');
  const url = reviewUrl(server.url, link);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(url)).text())![1];
  const story = copy.topics.find((t) => t.participants.some((p) => p.email === 'akpm@linux-foundation.org'));
  assert.ok(story, 'the x86/mm story is in the top 5');
  const claimed = `${story.paragraphs[0].text} Andrew Morton NAKed the patch.`;
  const edit = await fetch(url, { method: 'POST', body: new URLSearchParams({ action: 'edit', csrf, topicId: story.id, headline: story.headline, p0: claimed }), redirect: 'manual' });
  assert.equal(edit.status, 303);
  const html = await (await fetch(new URL(edit.headers.get('location')!, server.url).toString())).text();
  assert.match(html, /Check the claim against the source messages: Andrew Morton sent no NAK/);
  assert.match(html, /<button type="submit" class="primary" disabled>/);
});
