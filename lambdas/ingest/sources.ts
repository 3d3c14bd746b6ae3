import path from 'node:path';
import { openArchive, readMbox } from './mbox-reader.js';
import type { SourcedEntry } from './ingest.js';

/** Every entry of an mbox file (plain or gzip), labelled with the file and byte offset. */
export async function* mboxSource(file: string, maxMessageBytes: number): AsyncGenerator<SourcedEntry> {
  const source = `mbox:${path.resolve(file)}`;
  for await (const entry of readMbox(openArchive(file), { maxMessageBytes })) {
    yield { entry, source, position: String(entry.offset) };
  }
}
