import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

/**
 * Raw messages of the bundled sample by Message-ID, read without the project's own mbox reader or
 * parser (the code under test): the archive split on its "From MAILER-DAEMON ..." separator lines,
 * each message's id found with one regular expression. For unit tests that feed real bytes to a stage.
 */
let byId: Map<string, Buffer> | undefined;

export function sampleRaw(messageId: string): Buffer {
  if (!byId) {
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    const text = zlib.gunzipSync(fs.readFileSync(path.join(dir, 'sample', '2026-W02-sample.mbox.gz'))).toString('latin1');
    byId = new Map();
    for (const chunk of text.split(/^From MAILER-DAEMON .*\n/m)) {
      const end = chunk.indexOf('\n\n');
      const id = /^Message-I[dD]:\s*<([^>]+)>/im.exec(end < 0 ? chunk : chunk.slice(0, end));
      // mboxrd: a body line ">From " was "From " in the message; the separator's blank line is not the message's.
      if (id && !byId.has(id[1])) byId.set(id[1], Buffer.from(chunk.replace(/\n$/, '').replace(/^>(>*From )/gm, '$1'), 'latin1'));
    }
  }
  const raw = byId.get(messageId);
  if (!raw) throw new Error(`no message ${messageId} in the sample`);
  return raw;
}
