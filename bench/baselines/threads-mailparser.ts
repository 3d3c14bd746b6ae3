/**
 * Baseline for `npm run bench`: the naive Node approach, mailparser's simpleParser on every message
 * (full MIME decode of every body), then References threading. Prints "messages threads seconds".
 */
import { simpleParser } from 'mailparser';
import { openArchive, readMbox } from '../../lambdas/ingest/mbox-reader.js';

const start = Date.now();
const parent = new Map<string, string>();
const find = (x: string): string => {
  let r = x;
  while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
  parent.set(x, r);
  return r;
};
const ids: string[] = [];
for await (const e of readMbox(openArchive(process.argv[2]), { maxMessageBytes: 64 << 20 })) {
  if (e.kind !== 'message') continue;
  const m = await simpleParser(e.bytes);
  const id = m.messageId ?? `missing-${ids.length}`;
  ids.push(id);
  const refs = [...(Array.isArray(m.references) ? m.references : m.references ? [m.references] : []), ...(m.inReplyTo ? [m.inReplyTo] : [])];
  for (const r of refs) parent.set(find(r), find(id));
}
console.log(ids.length, new Set(ids.map(find)).size, ((Date.now() - start) / 1000).toFixed(3));
