import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalAws, type LocalAws } from '../lambdas/local/emulators.js';

/** The repository root, from dist/test/ or test/. */
export const repoRoot = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

export const sampleMbox = path.join(repoRoot, 'sample', '2026-W02-sample.mbox.gz');
export const sharedCorpus = path.join(repoRoot, '..', 'shared', 'corpus', '2026-W02.mbox.gz');

export function tempDir(prefix = 'kn-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Emulators on a fresh data folder; call close() in an after hook. */
export async function freshAws(dataDir = tempDir()): Promise<LocalAws & { dataDir: string }> {
  const aws = await startLocalAws(dataDir);
  return Object.assign(aws, { dataDir });
}

/** Builds a small mboxrd archive from message texts (LF line endings). */
export function mboxrd(messages: string[]): Buffer {
  return Buffer.from(
    messages
      .map((m) => `From mboxrd@z Thu Jan  1 00:00:00 1970\n${m.replace(/^(>*From )/gm, '>$1')}${m.endsWith('\n') ? '' : '\n'}\n`)
      .join(''),
    'latin1',
  );
}

export function message(id: string, body: string, headers: Record<string, string> = {}): string {
  const all = {
    From: 'Ada Lovelace <ada@example.org>',
    To: 'linux-block@vger.kernel.org',
    Subject: `test ${id}`,
    Date: 'Tue, 6 Jan 2026 10:52:22 +0100',
    'Message-ID': `<${id}>`,
    ...headers,
  };
  return `${Object.entries(all).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${body}`;
}
