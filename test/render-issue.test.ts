import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import mjml2html from 'mjml';
import { UNSUBSCRIBE_PLACEHOLDER, type IssueDocument } from '../lambdas/model.js';
import { issueText, listsLine, renderIssue } from '../lambdas/render/render.js';
import { writeRenderedIssue } from '../lambdas/render/write.js';
import { repoRoot, tempDir } from './helpers.js';
import { launchChromium } from './browser.js';

const fixture = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'issue-2026-W02.json'), 'utf8')) as IssueDocument;
const SITE = 'https://news.example';

test('the MJML validates at the strict level with zero errors', async () => {
  const { mjml } = await renderIssue(fixture, { siteUrl: SITE, variant: 'mail' });
  const out = await mjml2html(mjml, { validationLevel: 'strict' });
  assert.deepEqual(out.errors, []);
});

test('mail variant: masthead, intro, contents, stories, quotes linked to lore, follow-up, footer with the placeholder', async () => {
  const { html } = await renderIssue(fixture, { siteUrl: SITE, variant: 'mail' });
  assert.match(html, /Week 2026-W02 · from linux-kernel, linux-mm@kvack\.org, linux-crypto/);
  assert.match(html, /A week of turf questions and cryptography plumbing\.<br \/>Thanks to everyone/);
  assert.match(html, /In this issue/);
  assert.ok(html.indexOf('href="#story-1"') < html.indexOf('href="#story-2"'));
  assert.match(html, /id="story-2"[^>]*>Eric Biggers rebuilds the AES library</);
  assert.match(html, /<a href="https:\/\/lore\.kernel\.org\/r\/20260106101500\.GA1234@fat_crate\.local"[^>]*font-style:italic[^>]*>Please do not take x86 patches/);
  assert.match(html, /Follow-up of <a href="https:\/\/news\.example\/issues\/2025-W50\/index\.html#story-2"[^>]*>AES moves into lib\/crypto \(2025-W50\)<\/a>/);
  assert.match(html, /href="https:\/\/news\.example\/index\.html"[^>]*>Archive</);
  assert.match(html, /href="https:\/\/news\.example\/feed\.atom"[^>]*>Feed</);
  assert.ok(html.includes(`href="${UNSUBSCRIBE_PLACEHOLDER}"`));
});

test('web variant links to the subscribe page instead of the placeholder', async () => {
  const { html, text } = await renderIssue(fixture, { siteUrl: `${SITE}/`, variant: 'web' });
  assert.ok(!html.includes(UNSUBSCRIBE_PLACEHOLDER) && !text.includes(UNSUBSCRIBE_PLACEHOLDER));
  assert.match(html, /href="https:\/\/news\.example\/subscribe"[^>]*>Subscribe</);
});

test('plain text: readable, quotes numbered with their lore links, lines wrapped, footer', () => {
  const text = issueText(fixture, { siteUrl: SITE, variant: 'mail' });
  assert.match(text, /^Kernel News, week 2026-W02\n=+\n/);
  assert.match(text, /In this issue:\n  1\. Whose tree carries x86 patches\?\n  2\. Eric Biggers/);
  assert.match(text, /x86 maintainer\."\s+\[1\]/);
  assert.match(text, /\[2\] https:\/\/lore\.kernel\.org\/r\/20260106163000\.abcd@linux-foundation\.org/);
  assert.match(text, /Follow-up of "AES moves into lib\/crypto" \(2025-W50\)\./);
  assert.ok(text.includes(`Unsubscribe: ${UNSUBSCRIBE_PLACEHOLDER}`));
  assert.ok(!/<a |<td|&lt;|&amp;/.test(text), 'text is not HTML');
  for (const line of text.split('\n')) if (!line.includes('://') && !/[<>]/.test(line)) assert.ok(line.length <= 72, `line too long: ${line}`);
});

test('masthead names at most six lists', () => {
  assert.equal(listsLine(['a@vger.kernel.org', 'b', 'c', 'd', 'e', 'f', 'g', 'h']), 'a, b, c, d, e, f and 2 more lists');
});

test('XSS: hostile headline, names, reasons and body are text in the HTML and never run in Chromium', async () => {
  const { html, text } = await renderIssue(fixture, { siteUrl: SITE, variant: 'mail' });
  assert.ok(!html.includes('<script>window'));
  assert.ok(!html.includes('<img src=x'));
  assert.ok(!html.includes('javascript:'), 'non-http quote links are dropped');
  assert.ok(html.includes('&lt;script&gt;window.__xss=1&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;'));
  assert.ok(text.includes('<script>window.__xss=1</script>'), 'the text alternative keeps the words as written');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.ok((await page.textContent('body'))!.includes('<script>window.__xss=1</script>'));
  } finally {
    await browser.close();
  }
});

test('writeRenderedIssue writes OUT/<week>/issue.{json,html,txt,mjml}', async () => {
  const out = tempDir();
  const files = await writeRenderedIssue(out, fixture);
  assert.deepEqual(Object.values(files).map((f) => path.relative(out, f)).sort(), ['2026-W02/issue.html', '2026-W02/issue.json', '2026-W02/issue.mjml', '2026-W02/issue.txt']);
  assert.deepEqual(JSON.parse(fs.readFileSync(files.json, 'utf8')), fixture);
  assert.match(fs.readFileSync(files.html, 'utf8'), /^<!doctype html>/i);
  assert.match(fs.readFileSync(files.mjml, 'utf8'), /^<mjml/);
  assert.ok(fs.readFileSync(files.text, 'utf8').includes(UNSUBSCRIBE_PLACEHOLDER));
});

test('a long unbroken headline or quote link does not make the issue scroll sideways at 375 px', async () => {
  const doc = structuredClone(fixture);
  doc.topics[0].headline = `x86/${'really_long_identifier_'.repeat(8)}`;
  doc.topics[1].paragraphs[1].text = `See ${'https://lore.kernel.org/all/'.padEnd(160, 'a')} for the thread.`;
  const { html } = await renderIssue(doc, { siteUrl: SITE, variant: 'web' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.setContent(html, { waitUntil: 'load' });
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `issue scrolls sideways: ${scrollWidth} > ${clientWidth}`);
  } finally {
    await browser.close();
  }
});
