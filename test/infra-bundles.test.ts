import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handlerNames, MAX_BUNDLE_BYTES, measureBundle } from '../bench/bundles.js';

test('every Lambda bundle is under 1 MiB and carries no CDK library', async () => {
  const names = handlerNames();
  assert.ok(names.includes('fetch'));
  for (const name of names) {
    const figure = await measureBundle(name);
    assert.deepEqual(figure.forbidden, [], `${name} bundles ${figure.forbidden.join(', ')}`);
    assert.ok(figure.bytes < MAX_BUNDLE_BYTES, `${name}: ${figure.bytes} bytes`);
  }
});
