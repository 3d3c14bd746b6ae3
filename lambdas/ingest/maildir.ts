import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { QUARANTINE_SAMPLE_BYTES } from './mbox-reader.js';
import type { SourcedEntry } from './ingest.js';

/**
 * Every message of a Maildir (cur/ and new/; tmp/ holds deliveries in progress and is skipped), one
 * file each, in name order. Empty and oversized files are quarantined with their reason.
 */
export async function* maildirSource(dir: string, maxMessageBytes: number): AsyncGenerator<SourcedEntry> {
  const sub = ['cur', 'new'].map((d) => path.join(dir, d)).filter((d) => fs.existsSync(d));
  if (sub.length === 0) throw new InputError(`${dir}: not a Maildir (no cur/ or new/ folder inside)`);
  const source = `maildir:${path.resolve(dir)}`;
  for (const folder of sub) {
    for (const name of fs.readdirSync(folder).sort()) {
      const file = path.join(folder, name);
      const stat = fs.statSync(file);
      if (!stat.isFile()) continue;
      const position = path.relative(dir, file);
      if (stat.size > maxMessageBytes) {
        const fd = fs.openSync(file, 'r');
        const sample = Buffer.alloc(Math.min(QUARANTINE_SAMPLE_BYTES, stat.size));
        fs.readSync(fd, sample, 0, sample.length, 0);
        fs.closeSync(fd);
        yield { source, position, entry: { kind: 'quarantine', offset: 0, size: stat.size, reason: `message larger than the ${maxMessageBytes}-byte limit (${stat.size} bytes)`, sample } };
        continue;
      }
      const bytes = fs.readFileSync(file);
      if (bytes.toString('latin1').trim().length === 0) yield { source, position, entry: { kind: 'quarantine', offset: 0, size: bytes.length, reason: 'empty message', sample: bytes } };
      else yield { source, position, entry: { kind: 'message', offset: 0, bytes } };
    }
  }
}
