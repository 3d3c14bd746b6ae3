import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { readMbox, openArchive, type MboxEntry } from '../lambdas/ingest/mbox-reader.js';
import { ArchiveDamagedError } from '../lambdas/errors.js';
import { mboxrd, message, sampleMbox, tempDir } from './helpers.js';

const LIMIT = { maxMessageBytes: 1 << 20 };

async function readAll(bytes: Buffer, chunkSize = 4096, options = LIMIT): Promise<MboxEntry[]> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  const out: MboxEntry[] = [];
  for await (const e of readMbox(Readable.from(chunks), options)) out.push(e);
  return out;
}

test('the bundled sample reads as 524 messages, none quarantined', async () => {
  const entries: MboxEntry[] = [];
  for await (const e of readMbox(openArchive(sampleMbox), LIMIT)) entries.push(e);
  assert.equal(entries.filter((e) => e.kind === 'message').length, 524);
  assert.equal(entries.filter((e) => e.kind === 'quarantine').length, 0);
});

test('mboxrd ">From " lines lose exactly one ">", and body "From " lines do not split messages', async () => {
  const body = 'From the start, this was hard.\n>From quoted\n>>From twice\n';
  const entries = await readAll(mboxrd([message('a@x', body), message('b@x', 'second\n')]), 7);
  assert.deepEqual(entries.map((e) => e.kind), ['message', 'message']);
  const first = (entries[0] as { bytes: Buffer }).bytes.toString('latin1');
  assert.ok(first.endsWith(`\n\n${body}`), first);
});

test('mboxcl2: Content-Length keeps an unescaped "From " separator-like line inside the body', async () => {
  const body = 'line one\n\nFrom someone Thu Jan  1 00:00:00 1970\nnot a new message\n';
  const msg = message('cl@x', body, { 'Content-Length': String(Buffer.byteLength(body)) });
  const archive = Buffer.from(`From a@b Thu Jan  1 00:00:00 1970\n${msg}\nFrom a@b Thu Jan  1 00:00:00 1970\n${message('next@x', 'hi\n')}\n`);
  const entries = await readAll(archive, 5);
  assert.equal(entries.length, 2);
  assert.ok((entries[0] as { bytes: Buffer }).bytes.toString().includes('not a new message'));
});

test('mboxcl2: only a Content-Length header counts, not the words inside another header', async () => {
  // An mboxrd message whose "X-Original-Content-Length" happens to give its body's length: taken for a
  // Content-Length, the message would be cut by it and its ">From " line left escaped.
  const body = 'hello\nFrom here on, it is quoted\n';
  const msg = message('xcl@x', body, { 'X-Original-Content-Length': String(Buffer.byteLength(body) + 1) });
  for (const chunk of [5, 1 << 16]) {
    const entries = await readAll(mboxrd([msg, message('next@x', 'hi\n')]), chunk);
    assert.deepEqual(entries.map((e) => e.kind), ['message', 'message']);
    assert.ok((entries[0] as { bytes: Buffer }).bytes.toString().endsWith(`\n\n${body}`), 'unescaped, whole');
  }
});

test('an oversized message is quarantined with its size, and the next message still reads', async () => {
  const big = message('big@x', 'x'.repeat(300_000) + '\n');
  const entries = await readAll(mboxrd([message('a@x', 'small\n'), big, message('c@x', 'after\n')]), 65536, { maxMessageBytes: 100_000 });
  assert.deepEqual(entries.map((e) => e.kind), ['message', 'quarantine', 'message']);
  const q = entries[1] as Extract<MboxEntry, { kind: 'quarantine' }>;
  assert.match(q.reason, /larger than the 100000-byte limit/);
  assert.ok(q.size > 300_000);
});

test('text before the first separator and empty messages are quarantined, not dropped', async () => {
  const archive = Buffer.concat([Buffer.from('garbage line\n'), mboxrd(['', message('a@x', 'ok\n')])]);
  const entries = await readAll(archive);
  assert.deepEqual(entries.map((e) => e.kind), ['quarantine', 'quarantine', 'message']);
});

test('a truncated gzip archive yields the messages before the damage, quarantines the cut one, then throws ArchiveDamagedError', async () => {
  const gz = zlib.gzipSync(mboxrd(Array.from({ length: 50 }, (_, i) => message(`m${i}@x`, `body ${i}\n`.repeat(200)))));
  const file = path.join(tempDir(), 'cut.mbox.gz');
  fs.writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const entries: MboxEntry[] = [];
  await assert.rejects(async () => {
    for await (const e of readMbox(openArchive(file), LIMIT)) entries.push(e);
  }, (err: unknown) => err instanceof ArchiveDamagedError && /archive damaged at byte \d+ of the compressed file/.test((err as Error).message));
  assert.ok(entries.filter((e) => e.kind === 'message').length > 10);
  assert.equal(entries.at(-1)?.kind, 'quarantine');
});

test('property: damaged archives never lose a message silently', async () => {
  // Each message carries a unique token; whatever damage is done, every token still present in the
  // damaged bytes must come out of the reader, in a stored message or in a quarantine sample.
  const damage = fc.oneof(
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('nul' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('from' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
    fc.record({ op: fc.constant('cut' as const), at: fc.nat(), length: fc.nat({ max: 400 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(fc.string({ maxLength: 200 }), { minLength: 1, maxLength: 12 }), fc.array(damage, { maxLength: 5 }), fc.integer({ min: 1, max: 300 }), async (bodies, damages, chunk) => {
      let bytes = mboxrd(bodies.map((b, i) => message(`m${i}@x`, `TOKEN${i}X\n${b}\n`)));
      for (const d of damages) {
        const at = d.at % (bytes.length + 1);
        if (d.op === 'truncate') bytes = bytes.subarray(0, at);
        else if (d.op === 'nul') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([0]), bytes.subarray(at)]);
        else if (d.op === 'from') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from('\nFrom x Thu Jan  1 00:00:00 1970\n'), bytes.subarray(at)]);
        else if (d.op === 'bytes') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(d.bytes), bytes.subarray(at)]);
        else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + d.length)]);
      }
      const entries = await readAll(bytes, chunk);
      const out = entries.map((e) => (e.kind === 'message' ? e.bytes : e.sample).toString('latin1')).join('\u0001');
      const input = bytes.toString('latin1');
      for (let i = 0; i < bodies.length; i++) {
        const token = `TOKEN${i}X`;
        if (input.includes(token)) assert.ok(out.includes(token), `${token} lost`);
      }
    }),
    { numRuns: 300, seed: Number(process.env.FC_SEED ?? Date.now() % 1e9) },
  );
});
