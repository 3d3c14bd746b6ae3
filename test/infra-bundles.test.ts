import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handlerNames, MAX_BUNDLE_BYTES, measureBundle, type BundleFigure } from '../bench/bundles.js';

const figures: Promise<BundleFigure[]> = Promise.all(handlerNames().map((name) => measureBundle(name)));

test('no Lambda bundle carries a CDK library', async () => {
  const all = await figures;
  assert.ok(all.some((f) => f.handler === 'fetch'));
  for (const f of all) assert.deepEqual(f.forbidden, [], `${f.handler} bundles ${f.forbidden.join(', ')}`);
});

// A target, not yet met by every bundle: reported (as TODO) rather than failing the suite.
// Over it on 2026-11-28: draft (js-tiktoken's o200k ranks, 2.2 MiB) and publish (mjml's
// juice/cheerio/undici, ~3.5 MiB; publishing renders the approved issue). Thread, topics, web and send
// came under it once header decoding left libmime and the light render helpers left mjml behind.
// `npm run bench -- bundles` has the figures.
test('every Lambda bundle is under 1 MiB', { todo: 'draft and publish are over; see the comment above' }, async () => {
  const over = (await figures).filter((f) => f.bytes >= MAX_BUNDLE_BYTES).map((f) => `${f.handler} ${(f.bytes / 1024).toFixed(0)} KiB`);
  assert.deepEqual(over, []);
});
