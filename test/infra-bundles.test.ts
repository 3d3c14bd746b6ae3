import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundleOptions, handlerNames, MAX_BUNDLE_BYTES, measureBundle, type BundleFigure } from '../bench/bundles.js';
import { DATA_FILES, PROJECT_ROOT } from '../lib/constructs/stage-function.js';
import { countTokens } from '../lambdas/draft/pack.js';
import { renderIssue } from '../lambdas/render/render.js';
import type { IssueDocument } from '../lambdas/model.js';

const figures: Promise<BundleFigure[]> = Promise.all(handlerNames().map((name) => measureBundle(name)));

test('no Lambda bundle carries a CDK library', async () => {
  const all = await figures;
  assert.ok(all.some((f) => f.handler === 'fetch'));
  for (const f of all) assert.deepEqual(f.forbidden, [], `${f.handler} bundles ${f.forbidden.join(', ')}`);
});

test('every Lambda bundle is under 1 MiB', async () => {
  const over = (await figures).filter((f) => f.bytes >= MAX_BUNDLE_BYTES).map((f) => `${f.handler} ${(f.bytes / 1024).toFixed(0)} KiB`);
  assert.deepEqual(over, []);
});

test('the bundled drafting code counts tokens with the ranks file the stack puts beside it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bundle-'));
  await build({ ...bundleOptions(path.join(PROJECT_ROOT, 'lambdas', 'draft', 'pack.ts')), outfile: path.join(dir, 'index.mjs') });
  assert.ok(fs.statSync(path.join(dir, 'index.mjs')).size < 200 * 1024, 'the ranks are not inside the bundle');
  const bundled = await import(pathToFileURL(path.join(dir, 'index.mjs')).href) as typeof import('../lambdas/draft/pack.js');
  for (const file of DATA_FILES.draft) fs.copyFileSync(file, path.join(dir, path.basename(file)));
  assert.equal(bundled.ranksLocation(), path.join(dir, 'o200k_base.cjs'));
  const text = 'Pekka said, "The goal of this tool is to make the slab allocator observable."';
  assert.equal(bundled.countTokens(text), countTokens(text));
});

test('MJML rendering in the bundle (slim cheerio, unused MJML features left out) gives the same issue as the package', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bundle-'));
  await build({ ...bundleOptions(path.join(PROJECT_ROOT, 'lambdas', 'render', 'render.ts')), outfile: path.join(dir, 'index.mjs') });
  const bundled = await import(pathToFileURL(path.join(dir, 'index.mjs')).href) as typeof import('../lambdas/render/render.js');
  const para = (i: number) => ({ text: `Ada said, "the buffer <b>must</b> be zeroed & ${i}."`, quotes: [{ text: `the buffer <b>must</b> be zeroed & ${i}.`, author: { name: 'Ada', email: 'ada@example.org' }, messageId: 'a@x', url: 'https://lore.kernel.org/r/a@x' }] });
  const doc: IssueDocument = {
    week: '2026-W02', generatedAt: '2026-01-12T00:00:00Z', stats: { messages: 5, threads: 2, topics: 3 }, lists: ['linux-mm@kvack.org'],
    topics: [0, 1, 2].map((i) => ({ id: `t${i}`, headline: `Story ${i} <x>`, score: 1, reasons: [], messageIds: ['a@x'], participants: [{ name: 'Ada', email: 'ada@example.org' }], paragraphs: [para(i), para(i + 1)] })),
    verification: { quotes: 6, verified: 6, repaired: 0, removed: 0 }, cost: { inputTokens: 0, outputTokens: 0, usd: 0 },
  };
  for (const variant of ['mail', 'web'] as const) {
    const options = { siteUrl: 'https://news.example.org', variant };
    assert.deepEqual(await bundled.renderIssue(doc, options), await renderIssue(doc, options));
  }
});
