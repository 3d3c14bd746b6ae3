import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { InputError } from '../errors.js';
import { QUARANTINE_SAMPLE_BYTES } from './mbox-reader.js';
import type { SourcedEntry } from './ingest.js';

/**
 * Every message of a public-inbox v2 epoch (a bare git repository, e.g. `0.git`): each commit holds
 * one message at path `m`. Commits are listed oldest first with `git rev-list`, and their `m` blobs
 * read through one long-running `git cat-file --batch`, so nothing is cloned or checked out.
 * `since` (a commit id) skips everything up to and including it: the resume cursor.
 */
export async function* publicInboxSource(gitDir: string, maxMessageBytes: number, since?: string): AsyncGenerator<SourcedEntry & { commit: string }> {
  if (!fs.existsSync(path.join(gitDir, 'HEAD')) && !fs.existsSync(path.join(gitDir, 'objects'))) {
    throw new InputError(`${gitDir}: not a public-inbox epoch (expected a bare git repository such as 0.git)`);
  }
  const source = `public-inbox:${path.resolve(gitDir)}`;
  const revList = spawn('git', ['--git-dir', gitDir, 'rev-list', '--reverse', '--first-parent', since ? `${since}..HEAD` : 'HEAD'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let revErr = '';
  revList.stderr.on('data', (c: Buffer) => (revErr += c.toString()));
  const cat = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const reader = batchReader(cat.stdout);
  try {
    for await (const commit of readline.createInterface({ input: revList.stdout })) {
      if (!commit) continue;
      cat.stdin.write(`${commit}:m\n`);
      const object = await reader.next();
      if (!object) {
        yield { commit, source, position: commit, entry: { kind: 'quarantine', offset: 0, size: 0, reason: `commit ${commit} has no message file "m"`, sample: Buffer.alloc(0) } };
      } else if (object.length > maxMessageBytes) {
        yield { commit, source, position: commit, entry: { kind: 'quarantine', offset: 0, size: object.length, reason: `message larger than the ${maxMessageBytes}-byte limit (${object.length} bytes)`, sample: object.subarray(0, QUARANTINE_SAMPLE_BYTES) } };
      } else {
        yield { commit, source, position: commit, entry: { kind: 'message', offset: 0, bytes: object } };
      }
    }
    const code = await new Promise<number | null>((resolve) => (revList.exitCode !== null ? resolve(revList.exitCode) : revList.once('close', resolve)));
    if (code !== 0) throw new InputError(`${gitDir}: git rev-list failed: ${revErr.trim().split('\n')[0]}`);
  } finally {
    cat.stdin.end();
    cat.kill();
    revList.kill();
  }
}

/** Reads `git cat-file --batch` answers: "<sha> <type> <size>\n<bytes>\n", or "<name> missing\n". */
function batchReader(stream: NodeJS.ReadableStream) {
  let buf: Buffer = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  let ended = false;
  stream.on('data', (c: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, c]) : c;
    waiters.splice(0).forEach((w) => w());
  });
  stream.on('end', () => {
    ended = true;
    waiters.splice(0).forEach((w) => w());
  });
  const more = () => new Promise<void>((resolve) => (ended ? resolve() : waiters.push(resolve)));
  return {
    async next(): Promise<Buffer | undefined> {
      for (;;) {
        const nl = buf.indexOf(0x0a);
        if (nl >= 0) {
          const header = buf.toString('latin1', 0, nl);
          if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
            buf = buf.subarray(nl + 1);
            return undefined;
          }
          const size = Number(header.split(' ')[2]);
          if (buf.length >= nl + 1 + size + 1) {
            const object = Buffer.from(buf.subarray(nl + 1, nl + 1 + size));
            buf = buf.subarray(nl + 1 + size + 1);
            return object;
          }
        }
        if (ended) throw new InputError('git cat-file ended early');
        await more();
      }
    },
  };
}
