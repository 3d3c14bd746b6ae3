/**
 * Real material for the drafting tests: the bundled sample week as a `WeekAnalysis`, and topics for
 * the editors' consensus threads. Uses the threads stage (`lambdas/thread/analyse.ts`) when it is
 * there; until then a small stand-in parser with the same output types, so drafting can be tested
 * on real mail either way.
 */
import fs from 'node:fs';
import path from 'node:path';
import PostalMime from 'postal-mime';
import { openArchive, readMbox } from '../lambdas/ingest/mbox-reader.js';
import { readEnvelope } from '../lambdas/ingest/envelope.js';
import { decodeHeaderValue, firstHeader, messageIdsIn, readHeaders } from '../lambdas/mail/headers.js';
import { loreUrl, type MessageBody, type ParsedMessage, type Person, type Thread, type Topic, type Trailer, type TrailerKind, type WeekAnalysis } from '../lambdas/model.js';
import { repoRoot, sampleMbox } from './helpers.js';

let cached: Promise<WeekAnalysis> | undefined;

/** The sample week, analysed once per test process. */
export function sampleAnalysis(): Promise<WeekAnalysis> {
  cached ??= loadAnalysis(sampleMbox);
  return cached;
}

export async function loadAnalysis(file: string): Promise<WeekAnalysis> {
  const stage = path.join(repoRoot, 'lambdas', 'thread', 'analyse.ts');
  if (fs.existsSync(stage) || fs.existsSync(stage.replace(/\.ts$/, '.js'))) {
    const modulePath = '../lambdas/thread/analyse.js';
    const mod = (await import(modulePath)) as { analyseMboxFile?: (f: string, o?: unknown) => Promise<WeekAnalysis> };
    if (mod.analyseMboxFile) return mod.analyseMboxFile(file);
  }
  return standInAnalysis(file);
}

/** One topic per editors' consensus story: its message ids (those present in the analysis). */
export function consensusTopics(analysis: WeekAnalysis): Topic[] {
  const picks = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test', 'draft-consensus.json'), 'utf8')) as Array<{ headline: string; messageIds: string[] }>;
  const known = new Map(analysis.messages.map((m) => [m.messageId, m]));
  return picks.map((pick, i) => topicOf(analysis, `consensus-${i + 1}`, pick.headline, pick.messageIds.filter((id) => known.has(id))));
}

export function topicOf(analysis: WeekAnalysis, id: string, title: string, messageIds: string[]): Topic {
  const known = new Map(analysis.messages.map((m) => [m.messageId, m]));
  const messages = messageIds.map((m) => known.get(m)!).filter(Boolean).sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  const people = new Map<string, Person>();
  for (const m of messages) if (!people.has(m.from.email)) people.set(m.from.email, m.from);
  return {
    id, title, score: 1, reasons: ['test topic'], features: {}, threadIds: [],
    messageIds: messages.map((m) => m.messageId), participants: [...people.values()], followUpOf: null,
  };
}

// ---- stand-in parser (only until the threads stage lands) ----

const TRAILER = /^(Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Co-developed-by|Fixes|Link|Closes|Cc|Nacked-by|change-id):\s*(.*)$/i;

async function standInAnalysis(file: string): Promise<WeekAnalysis> {
  const messages: ParsedMessage[] = [];
  const raw = new Map<string, Buffer>();
  for await (const entry of readMbox(openArchive(file), { maxMessageBytes: 25 << 20 })) {
    if (entry.kind !== 'message') continue;
    const env = readEnvelope(entry.bytes);
    const block = readHeaders(entry.bytes);
    const from = person(decodeHeaderValue(firstHeader(block, 'from') ?? ''));
    messages.push({
      messageId: env.messageId, sha256: env.sha256,
      inReplyTo: messageIdsIn(firstHeader(block, 'in-reply-to'))[0],
      references: messageIdsIn(firstHeader(block, 'references')),
      from, to: [], cc: [], lists: env.lists, date: env.dateUtc, subject: env.subject, url: loreUrl(env.messageId),
    });
    raw.set(env.messageId, entry.bytes);
  }
  const bodies = new Map<string, MessageBody>();
  const texts = new Map<string, string>();
  await Promise.all([...raw].map(async ([id, bytes]) => {
    const parsed = await PostalMime.parse(bytes);
    texts.set(id, parsed.text ?? '');
  }));
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const rootOf = (m: ParsedMessage): string => {
    const refs = [...m.references, ...(m.inReplyTo ? [m.inReplyTo] : [])];
    for (const r of refs) if (byId.has(r)) return rootOf(byId.get(r)!);
    return m.messageId;
  };
  const threads = new Map<string, Thread>();
  for (const m of messages) {
    const root = rootOf(m);
    const t = threads.get(root) ?? { id: root, rootMessageId: root, subject: byId.get(root)!.subject, messageIds: [] };
    t.messageIds.push(m.messageId);
    threads.set(root, t);
  }
  return {
    messages, threads: [...threads.values()], series: [], noise: [], quarantined: [],
    body(id: string): MessageBody {
      let body = bodies.get(id);
      if (!body) {
        body = splitBody(texts.get(id) ?? '');
        bodies.set(id, body);
      }
      return body;
    },
  };
}

function person(value: string): Person {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>/.exec(value);
  if (m) return { name: m[1].trim() || m[2].split('@')[0], email: m[2].trim().toLowerCase() };
  const email = value.trim().toLowerCase();
  return { name: email.split('@')[0], email };
}

export function splitBody(text: string): MessageBody {
  const own: string[] = [];
  const quoted: string[] = [];
  const patch: string[] = [];
  const diffstat: string[] = [];
  const trailers: Trailer[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let mode: 'text' | 'patch' | 'sig' = 'text';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (mode === 'sig') continue;
    if (line === '-- ') { mode = 'sig'; continue; }
    if (mode === 'patch' || /^diff --git /.test(line)) { mode = 'patch'; patch.push(line); continue; }
    if (/^>/.test(line)) { quoted.push(line); continue; }
    if (/^On .*wrote:\s*$/.test(line) || (/^On /.test(line) && /wrote:\s*$/.test(lines[i + 1] ?? ''))) { quoted.push(line); continue; }
    if (/^.{0,80}wrote:\s*$/.test(line) && /^>/.test(lines[i + 1] ?? '')) { quoted.push(line); continue; }
    if (/^\s\S.*\|\s+\d+ [+-]*$/.test(line) || /^\s\d+ files? changed/.test(line)) { diffstat.push(line); continue; }
    if (line === '---') continue;
    const t = TRAILER.exec(line);
    if (t) {
      const kind = t[1].toLowerCase() as TrailerKind;
      const p = /<[^>]+>/.test(t[2]) ? person(t[2]) : undefined;
      trailers.push({ kind, value: t[2], ...(p ? { person: p } : {}) });
      continue;
    }
    own.push(line);
  }
  return {
    own: own.join('\n').trim(), quoted: quoted.join('\n'), signature: '', patch: patch.join('\n'),
    diffstat: diffstat.join('\n'), files: [], trailers,
    naks: trailers.filter((t) => t.kind === 'nacked-by').length + (/^\s*NAK\b/m.test(own.join('\n')) ? 1 : 0),
  };
}
