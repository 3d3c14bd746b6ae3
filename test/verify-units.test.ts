import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPiece, onWordBoundaries, shownCuts } from '../lambdas/verify/text.js';

/**
 * Fast unit tests of lambdas/verify/text.ts: the whole-words rule of the CONTRACT's quote check,
 * stated from outside (a quote that starts or ends inside a word changes what was said, unless it
 * shows the cut with "..."), on a sentence of the sample (Stephen Rothwell's linux-next report).
 */
const source = 'Clearly, arch/x86/include/asm/sev.h and arch/x86/coco/sev/internal.h assume some header files are included before them';

test('a quote cut inside a word is not on word boundaries, unless the cut is shown', () => {
  const at = (piece: string) => source.indexOf(piece);
  const span = (piece: string) => [at(piece), at(piece) + piece.length] as const;
  assert.equal(onWordBoundaries(source, ...span('assume some header')), true);
  assert.equal(onWordBoundaries(source, ...span('assume some head')), false, 'ends inside "header"');
  assert.equal(onWordBoundaries(source, ...span('ssume some header')), false, 'starts inside "assume"');
  assert.equal(onWordBoundaries(source, ...span('assume some head'), { end: true }), true, 'the cut at the end is shown');
  assert.equal(onWordBoundaries(source, ...span('ssume some header'), { start: true }), true, 'the cut at the start is shown');
  assert.equal(onWordBoundaries(source, ...span('ssume some head'), { start: true }), false, 'only the start cut is shown');
  assert.equal(onWordBoundaries(source, ...span('ssume some head'), { end: true }), false, 'only the end cut is shown');
  assert.equal(onWordBoundaries(source, 0, source.length), true, 'the whole text');
  assert.equal(onWordBoundaries(source, ...span('Clearly')), true);
});

test('findPiece with whole words skips an occurrence inside a word for a later whole one', () => {
  const text = 'the buffers are full; the buf is empty';
  assert.deepEqual(findPiece(text, 'the buf', 0, {}), { text: 'the buf', start: 22, end: 29, exact: true });
  assert.equal(findPiece('the buffers are full', 'the buf', 0, {}), undefined);
  assert.equal(findPiece('the buffers are full', 'the buf', 0, { end: true })?.start, 0);
  assert.deepEqual(shownCuts('...the buffer'), { start: true, end: false });
  assert.deepEqual(shownCuts('"the buffer\u2026"'), { start: false, end: true });
});
