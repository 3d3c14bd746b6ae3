/**
 * Every archive the fuzz harness saved (test/fixtures/fuzz/: the archive, and beside it a .json with
 * the entries the harness counted in what a decompressor can give back, by its own counter, and the
 * problems the case showed when it was saved) is read again by threads and ingest: found must be
 * that count, and kept + quarantined.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import { ingest, type IngestSummary } from '../lambdas/ingest/ingest.js';
import { mboxSource } from '../lambdas/ingest/sources.js';
import { ArchiveDamagedError } from '../lambdas/errors.js';
import { freshAws, repoRoot } from './helpers.js';

const dir = path.join(repoRoot, 'test', 'fixtures', 'fuzz');
const cases = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

test('the fuzz reproducers are there (damaged gzip: trailing bytes, flipped CRC and deflate data, CRLF cut short)', () => {
  assert.ok(cases.length >= 5, `${cases.length} reproducers in ${dir}`);
});

const aws = await freshAws();
after(() => aws.close());

for (const name of cases) {
  const expected = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { expectedEntries: number; classes: string[] };
  const archive = path.join(dir, name.replace(/\.json$/, ''));
  test(`fuzz reproducer ${path.basename(archive)} [${expected.classes.join(', ')}]: ${expected.expectedEntries} entries`, async () => {
    const analysis = await analyseMboxFile(archive, { bodies: false, recipients: false });
    const kept = analysis.messages.length + analysis.copiesMerged;
    assert.equal(kept + analysis.quarantined.length, expected.expectedEntries, 'threads: kept + quarantined');
    let summary: IngestSummary;
    try {
      summary = await ingest(mboxSource(archive, 25 << 20), aws.storage);
    } catch (err) {
      assert.ok(err instanceof ArchiveDamagedError, String(err));
      summary = (err as ArchiveDamagedError & { summary: IngestSummary }).summary;
      assert.ok(summary, 'a damaged archive still gives what was stored');
    }
    assert.equal(summary.found, expected.expectedEntries, 'ingest: found');
    assert.equal(summary.stored + summary.alreadyStored + summary.quarantined, summary.found, 'ingest: found = kept + quarantined');
  });
}
