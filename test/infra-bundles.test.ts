import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { handlerNames, MAX_BUNDLE_BYTES, measureBundle, type BundleFigure } from '../bench/bundles.js';
import { ALIASES, BUNDLING, DATA_FILES, PROJECT_ROOT } from '../lib/constructs/stage-function.js';
import { countTokens } from '../lambdas/draft/pack.js';

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
  await build({
    entryPoints: [path.join(PROJECT_ROOT, 'lambdas', 'draft', 'pack.ts')], bundle: true, outfile: path.join(dir, 'index.mjs'), platform: 'node', format: 'esm',
    target: BUNDLING.target, mainFields: [...BUNDLING.mainFields], banner: { js: BUNDLING.banner }, external: [...BUNDLING.externalModules], alias: ALIASES, logLevel: 'silent',
  });
  assert.ok(fs.statSync(path.join(dir, 'index.mjs')).size < 200 * 1024, 'the ranks are not inside the bundle');
  const bundled = await import(pathToFileURL(path.join(dir, 'index.mjs')).href) as typeof import('../lambdas/draft/pack.js');
  for (const file of DATA_FILES.draft) fs.copyFileSync(file, path.join(dir, path.basename(file)));
  assert.equal(bundled.ranksLocation(), path.join(dir, 'o200k_base.cjs'));
  const text = 'Pekka said, "The goal of this tool is to make the slab allocator observable."';
  assert.equal(bundled.countTokens(text), countTokens(text));
});
