/**
 * Damaged .gz archives (issue 20 A), made from the bundled sample: every byte zlib can produce is
 * read, the damage is placed at the byte where it is, bytes after the gzip data are reported and not
 * lost, and found = kept + quarantined. Expectations come from zlib driven directly here (a prefix of
 * the file inflated with a sync flush, which gives what a cut stream can give) and from the sample's
 * known size (524 messages), never from the reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { readMbox, openArchive, type MboxEntry } from '../lambdas/ingest/mbox-reader.js';
import { ArchiveDamagedError } from '../lambdas/errors.js';
import { sampleMbox, tempDir } from './helpers.js';

const LIMIT = { maxMessageBytes: 25 << 20 };
const SAMPLE_MESSAGES = 524;
const gz = fs.readFileSync(sampleMbox);
const plain = zlib.gunzipSync(gz);

async function read(bytes: Buffer): Promise<{ entries: MboxEntry[]; error?: ArchiveDamagedError }> {
  const file = path.join(tempDir(), 'archive.mbox.gz');
  fs.writeFileSync(file, bytes);
  const entries: MboxEntry[] = [];
  try {
    for await (const e of readMbox(openArchive(file), LIMIT)) entries.push(e);
  } catch (err) {
    if (!(err instanceof ArchiveDamagedError)) throw err;
    return { entries, error: err };
  }
  return { entries };
}
const kept = (entries: MboxEntry[]) => entries.filter((e) => e.kind === 'message').length;
const quarantined = (entries: MboxEntry[]) => entries.filter((e) => e.kind === 'quarantine') as Extract<MboxEntry, { kind: 'quarantine' }>[];

/** Separator lines in mbox text, counted by hand: "From " at a line start, a sender, a time of day. */
function separators(text: Buffer): number {
  return (text.toString('latin1').match(/(?:^|\n)From \S+ [^\n]*\d\d:\d\d[^\n]*\n/g) ?? []).length;
}

test('a valid gzip member followed by a line of text: every message kept, the text reported, no error', async () => {
  for (const tail of ['some text after the archive\n', '17 bytes of text\n', 'x']) {
    const { entries, error } = await read(Buffer.concat([gz, Buffer.from(tail)]));
    assert.equal(error, undefined);
    assert.equal(kept(entries), SAMPLE_MESSAGES);
    const q = quarantined(entries);
    assert.equal(q.length, 1, 'the trailing bytes are one report');
    assert.equal(q[0].offset, gz.length);
    assert.equal(q[0].size, Buffer.byteLength(tail));
    assert.match(q[0].reason, /not gzip/);
    assert.equal(q[0].sample.toString(), tail);
  }
});

test('a small archive with text appended keeps all its messages (the whole archive is less than a read chunk)', async () => {
  const small = plain.subarray(0, plain.indexOf('\nFrom ', 20_000) + 1);
  const { entries, error } = await read(Buffer.concat([zlib.gzipSync(small), Buffer.from('appended by hand\n')]));
  assert.equal(error, undefined);
  assert.equal(kept(entries), separators(small));
  assert.ok(kept(entries) >= 2);
});

test('junk starting with the gzip magic after a valid member is reported, every message kept', async () => {
  const junk = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x00]), Buffer.from('not deflate at all')]);
  const { entries, error } = await read(Buffer.concat([gz, junk]));
  assert.equal(error, undefined);
  assert.equal(kept(entries), SAMPLE_MESSAGES);
  assert.equal(quarantined(entries).length, 1);
  assert.equal(quarantined(entries)[0].offset, gz.length);
});

test('zero padding after the gzip data is ignored, as gzip does', async () => {
  const { entries, error } = await read(Buffer.concat([gz, Buffer.alloc(512)]));
  assert.equal(error, undefined);
  assert.equal(kept(entries), SAMPLE_MESSAGES);
  assert.equal(quarantined(entries).length, 0);
});

test('a flipped byte in the CRC or the length: every message kept, the damage named at the trailer', async () => {
  for (const at of [gz.length - 8, gz.length - 5, gz.length - 2]) {
    const bad = Buffer.from(gz);
    bad[at] ^= 0x40;
    const { entries, error } = await read(bad);
    assert.ok(error, 'a wrong checksum is reported');
    assert.equal(kept(entries), SAMPLE_MESSAGES, 'the data is all there: nothing cut');
    assert.equal(quarantined(entries).length, 0);
    assert.equal(error.offset, gz.length - 8, 'the trailer starts 8 bytes before the end');
    assert.match(error.message, at < gz.length - 4 ? /incorrect data check/ : /incorrect length check/);
  }
});

test('a flipped byte in the deflate data: the damage is placed where zlib finds it, and every message before it is kept', async () => {
  // zlib driven directly: the longest prefix of the file (in 16 KB steps) that inflates without an
  // error, and its output: the reader must keep every complete message of that output, and place the
  // damage at or after the flip and within the step where a prefix first fails.
  const step = 16 * 1024;
  for (const fraction of [0.3, 0.55, 0.8]) {
    const flip = Math.floor(gz.length * fraction);
    const bad = Buffer.from(gz);
    bad[flip] ^= 0x10;
    let good = 0;
    let output = Buffer.alloc(0);
    for (let k = step; k <= bad.length; k += step) {
      try {
        output = zlib.gunzipSync(bad.subarray(0, k), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
        good = k;
      } catch {
        break;
      }
    }
    const { entries, error } = await read(bad);
    const found = entries.length;
    assert.equal(found, kept(entries) + quarantined(entries).length);
    if (!error) {
      // The flip changed a literal and the stream still decodes: then only the checksum can tell.
      assert.fail(`flip at ${flip} not reported`);
    }
    if (/incorrect data check/.test(error.message)) {
      assert.equal(kept(entries), SAMPLE_MESSAGES);
      continue;
    }
    assert.ok(error.offset >= flip, `damage placed at ${error.offset}, before the flip at ${flip}`);
    assert.ok(error.offset >= good && error.offset < good + step, `damage at ${error.offset}, zlib fails between ${good} and ${good + step}`);
    // Complete messages in zlib's output: every separator but the last one starts a complete message.
    assert.ok(kept(entries) >= separators(output) - 1, `kept ${kept(entries)}, zlib gives ${separators(output) - 1} complete messages`);
    assert.equal(quarantined(entries).length, 1, 'only the cut message is quarantined');
    assert.match(quarantined(entries)[0].reason, /incomplete/);
  }
});

test('a CRLF archive in a truncated .gz: every complete message is its own entry, only the cut one quarantined', async () => {
  const crlf = Buffer.from(plain.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  const whole = zlib.gzipSync(crlf);
  for (const fraction of [0.2, 0.5, 0.9]) {
    const cut = whole.subarray(0, Math.floor(whole.length * fraction));
    const available = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const lines = separators(available);
    const { entries, error } = await read(cut);
    assert.ok(error);
    assert.equal(error.offset, cut.length, 'the damage is the end of the file');
    // The last separator's message may be cut; it is the one quarantined entry. (Should the cut fall
    // inside a separator line, that line is not a separator yet, and its text joins the message before.)
    assert.equal(kept(entries), lines - 1);
    assert.equal(quarantined(entries).length, 1);
    assert.ok(quarantined(entries)[0].size < 200_000, 'the quarantined entry is one message, not many folded together');
  }
});

test('a truncated .gz keeps every message zlib can give back, to the byte', async () => {
  for (const fraction of [0.1, 0.37, 0.61, 0.99]) {
    const cut = gz.subarray(0, Math.floor(gz.length * fraction));
    const available = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const { entries, error } = await read(cut);
    assert.ok(error);
    assert.equal(kept(entries), separators(available) - 1);
    const last = quarantined(entries)[0];
    // The cut message's bytes run to the last byte zlib gave: nothing after the last separator is lost.
    assert.equal(last.offset + last.size, available.length);
  }
});
