import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { readMbox } from './mbox-reader.js';
import { GzipArchive } from './gzip.js';
import { publicInboxSource } from './public-inbox.js';
import type { SourcedEntry } from './ingest.js';
import type { Storage } from '../storage/index.js';

const run = promisify(execFile);

export const DEFAULT_LORE_URL = 'https://lore.kernel.org';
/** Polite and identifiable, as lore asks of bulk readers; keep the version in step with package.json. */
export const USER_AGENT = 'kernel-news/0.1.0 (+https://github.com/kernel-news)';
/** Attempts per request before giving up; waits grow 1 s, 2 s, 4 s ... (capped), with jitter. */
export const MAX_ATTEMPTS = 5;
const MAX_WAIT_MS = 60_000;
/** Epochs probed at most: lore lists have a handful. */
const MAX_EPOCHS = 64;

export interface LoreOptions {
  list: string;
  baseUrl?: string;
  /** Local mirror folder (under --data locally, /tmp in Lambda). */
  cacheDir: string;
  maxMessageBytes: number;
  /** For tests: scale every backoff wait. */
  backoffScale?: number;
  log?: (message: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number, scale: number) => Math.min(MAX_WAIT_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2) * scale;

/** Cursor per source: the last commit read from each epoch, or the last export date. */
export async function getCursor(storage: Storage, source: string): Promise<Record<string, string>> {
  const item = await storage.table.get({ pk: `SOURCE#${source}`, sk: 'CURSOR' });
  return (item?.positions as Record<string, string>) ?? {};
}

export async function setCursor(storage: Storage, source: string, positions: Record<string, string>): Promise<void> {
  await storage.table.put({ pk: `SOURCE#${source}`, sk: 'CURSOR', type: 'cursor', positions, updatedAt: new Date().toISOString() });
}

async function git(args: string[], options: LoreOptions, what: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const out = await run('git', ['-c', `http.userAgent=${USER_AGENT}`, ...args], { maxBuffer: 1 << 26, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
      return out.stdout;
    } catch (err) {
      const message = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim().split('\n').pop() ?? '';
      if (/not found|404|does not appear to be a git repository/i.test(message)) throw new InputError(`${what}: ${message}`);
      if (attempt + 1 >= MAX_ATTEMPTS) throw new InputError(`${what}: failed after ${MAX_ATTEMPTS} attempts (${message}); try again later`);
      options.log?.(`${what}: ${message}; retrying`);
      await sleep(backoff(attempt, options.backoffScale ?? 1));
    }
  }
}

/**
 * Mirrors a lore list's public-inbox epochs over git's smart HTTP (the route lore documents for bulk
 * readers) and yields only the messages committed since the stored cursor. Steps: find the epochs
 * (0, 1, 2, ... until one does not exist); clone each new epoch as a bare mirror, or fetch only new
 * objects into the existing one; read commits after the cursor; the caller stores the new cursor
 * (returned through `positions`) once the messages are stored.
 */
export async function* loreGitSource(options: LoreOptions, cursor: Record<string, string>, positions: Record<string, string>): AsyncGenerator<SourcedEntry> {
  const base = (options.baseUrl ?? DEFAULT_LORE_URL).replace(/\/+$/, '');
  const listDir = path.join(options.cacheDir, options.list);
  fs.mkdirSync(listDir, { recursive: true });
  Object.assign(positions, cursor);
  for (let epoch = 0; epoch < MAX_EPOCHS; epoch++) {
    const url = `${base}/${options.list}/${epoch}`;
    const dir = path.join(listDir, `${epoch}.git`);
    if (fs.existsSync(dir)) {
      options.log?.(`lore: fetching ${url}`);
      await git(['--git-dir', dir, 'fetch', '--quiet', 'origin', '+refs/heads/*:refs/heads/*'], options, url);
    } else {
      try {
        await git(['ls-remote', '--heads', url], options, url);
      } catch (err) {
        if (epoch === 0) throw new InputError(`${url}: no public-inbox epoch 0 for list "${options.list}" (${(err as Error).message}); check the list name`);
        break; // no further epochs
      }
      options.log?.(`lore: cloning ${url}`);
      await git(['clone', '--quiet', '--mirror', url, dir], options, url);
    }
    for await (const e of publicInboxSource(dir, options.maxMessageBytes, cursor[String(epoch)])) {
      positions[String(epoch)] = e.commit;
      yield { entry: e.entry, source: `lore:${options.list}`, position: `${epoch}:${e.commit}` };
    }
  }
}

/**
 * The small-list fallback: lore's search export (list + date range -> mbox.gz). Retries 429 and 5xx
 * with backoff, honouring Retry-After; a cut-off gzip yields the messages before the cut and then the
 * reader's ArchiveDamagedError (the caller names the URL).
 */
export async function* loreExportSource(options: LoreOptions, since: string): AsyncGenerator<SourcedEntry> {
  const base = (options.baseUrl ?? DEFAULT_LORE_URL).replace(/\/+$/, '');
  const day = since.replace(/-/g, '');
  const url = `${base}/${options.list}/?q=${encodeURIComponent(`d:${day}..`)}&x=m`;
  let response: Response | undefined;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'user-agent': USER_AGENT }, body: 'z=1' });
      if (response.ok) break;
      if (response.status === 404) throw new InputError(`${url}: 404, no such list "${options.list}"`);
      problem = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) throw new InputError(`${url}: ${problem}`);
    } catch (err) {
      if (err instanceof InputError) throw err;
      problem = (err as Error).message;
    }
    if (attempt + 1 >= MAX_ATTEMPTS) throw new InputError(`${url}: failed after ${MAX_ATTEMPTS} attempts (${problem}); try again later`);
    const retryAfter = Number(response?.headers.get('retry-after'));
    const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(MAX_WAIT_MS, retryAfter * 1000) * (options.backoffScale ?? 1) : backoff(attempt, options.backoffScale ?? 1);
    options.log?.(`${url}: ${problem}; retrying in ${(wait / 1000).toFixed(1)} s`);
    await sleep(wait);
  }
  // An empty answer is an empty week for that list, not a damaged archive.
  const chunks = (Readable.fromWeb(response!.body as never) as Readable)[Symbol.asyncIterator]();
  let first = await chunks.next();
  while (!first.done && (first.value as Buffer).length === 0) first = await chunks.next();
  if (first.done) return;
  // The download is kept as it comes: should the gzip be damaged, it is read again member by member.
  const downloaded: Buffer[] = [];
  const body = Readable.from((async function* () {
    downloaded.push(first.value as Buffer);
    yield first.value as Buffer;
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) {
      downloaded.push(c.value as Buffer);
      yield c.value as Buffer;
    }
  })());
  const readAll = async () => {
    body.destroy(); // the gunzip stream gave up on it: the rest is taken here
    for (let c = await chunks.next(); !c.done; c = await chunks.next()) downloaded.push(c.value as Buffer);
    return Buffer.concat(downloaded);
  };
  const archive = new GzipArchive({ compressed: () => body, readAll });
  for await (const entry of readMbox(archive, { maxMessageBytes: options.maxMessageBytes })) {
    yield { entry, source: `lore-export:${options.list}`, position: String(entry.offset) };
  }
}
