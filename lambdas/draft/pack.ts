import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite';
import type { MaterialMessage, TopicMaterial } from '../verify/material.js';

/** Own words of a message are never cut below this many characters. */
const MIN_KEPT_CHARS = 200;

/**
 * The o200k_base ranks (2.3 MB of data) are read on the first count, not bundled: in a Lambda they
 * travel as this file next to the bundle (DATA_FILES in lib/constructs/stage-function.ts), elsewhere they come
 * from the js-tiktoken package. A require through createRequire keeps esbuild from inlining them.
 */
export const TOKENIZER_RANKS = { file: 'o200k_base.cjs', module: 'js-tiktoken/ranks/o200k_base' } as const;

const requireHere = createRequire(import.meta.url);

/** Where the ranks are read from: beside the bundle when there, else the package. */
export function ranksLocation(): string {
  const beside = fileURLToPath(new URL(`./${TOKENIZER_RANKS.file}`, import.meta.url));
  return fs.existsSync(beside) ? beside : requireHere.resolve(TOKENIZER_RANKS.module);
}

function loadRanks(): TiktokenBPE {
  return requireHere(ranksLocation()) as TiktokenBPE;
}

let encoder: Tiktoken | undefined;
/** o200k_base: the tokenizer of current OpenAI models; close enough for budgeting on other servers. */
export function countTokens(text: string): number {
  encoder ??= new Tiktoken(loadRanks());
  return encoder.encode(text).length;
}

export interface PackedMessage {
  ref: string;
  messageId: string;
  text: string;
  tokens: number;
  /** Tokens of own words cut by the topic's budget. */
  cutTokens: number;
}

export interface Packing {
  messages: PackedMessage[];
  tokens: number;
  /** Own-word tokens before any cut, and how many were cut to fit the budget. */
  ownTokens: number;
  cutTokens: number;
}

/** Mail text cannot close our delimiters or open new ones. */
function defang(text: string): string {
  return text.replace(/<(\/?)(message|mail|notes)\b/gi, '<$1 $2');
}

/** One message as the model sees it: a header line, own words; a patch only as subject, diffstat, trailers. */
export function packMessage(m: MaterialMessage, refOf: (id: string) => string | undefined, own = m.own): string {
  const reply = m.inReplyTo ? refOf(m.inReplyTo) : undefined;
  const head = `<message ref="${m.ref}" from="${defang(m.from.name)} <${m.from.email}>" date="${(m.date ?? '').slice(0, 16)}"${reply ? ` replyTo="${reply}"` : ''}>`;
  const lines = [head];
  // A reply's "Re: <same subject>" says nothing new; a changed subject does.
  if (!(reply && /^re:/i.test(m.subject))) lines.push(`Subject: ${defang(m.subject)}`);
  if (own.trim()) lines.push(defang(own.trim()));
  if (m.hasPatch) {
    const stat = m.diffstat.trim() || (m.files.length ? m.files.join('\n') : '');
    lines.push(`[patch omitted${stat ? `; diffstat:\n${stat}` : ''}]`);
  }
  const trailers = m.trailers.filter((t) => t.kind !== 'cc' && t.kind !== 'link' && t.kind !== 'change-id');
  if (trailers.length) lines.push(trailers.map((t) => `${t.kind}: ${defang(t.value)}`).join('\n'));
  lines.push('</message>');
  return lines.join('\n');
}

/**
 * Packs a topic for the model: per message only the author's own words (text they quoted from
 * others is gone, patches are reduced to subject + diffstat + trailers). When the total exceeds
 * `maxTokens`, the longest messages' own words are cut from the end, one step at a time, and the
 * cut is counted, so nothing is lost silently.
 */
export function packTopic(material: TopicMaterial, maxTokens: number): Packing {
  const refs = new Map(material.messages.map((m) => [m.messageId, m.ref]));
  const refOf = (id: string) => refs.get(id);
  const messages = material.messages.map((m) => {
    const text = packMessage(m, refOf);
    return { ref: m.ref, messageId: m.messageId, text, tokens: countTokens(text), cutTokens: 0, own: m.own, source: m };
  });
  const ownTokens = material.messages.reduce((n, m) => n + countTokens(m.own), 0);
  let total = messages.reduce((n, m) => n + m.tokens, 0);
  while (total > maxTokens) {
    // Cut the longest own words; headers, diffstats and trailers stay (they are what a story hangs on).
    const cuttable = messages.filter((m) => m.own.length >= MIN_KEPT_CHARS * 2);
    if (cuttable.length === 0) break;
    const longest = cuttable.reduce((a, b) => (b.own.length > a.own.length ? b : a));
    const keepChars = Math.floor(longest.own.length * 0.75);
    const before = longest.tokens;
    longest.own = longest.own.slice(0, keepChars);
    longest.text = packMessage(longest.source, refOf, `${longest.own}\n[... cut for length]`);
    longest.tokens = countTokens(longest.text);
    longest.cutTokens += before - longest.tokens;
    total -= before - longest.tokens;
  }
  return {
    messages: messages.map(({ ref, messageId, text, tokens, cutTokens }) => ({ ref, messageId, text, tokens, cutTokens })),
    tokens: total,
    ownTokens,
    cutTokens: messages.reduce((n, m) => n + m.cutTokens, 0),
  };
}

/** Consecutive groups of packed messages of at most `chunkTokens` each (a bigger message is its own chunk). */
export function chunk(messages: PackedMessage[], chunkTokens: number): PackedMessage[][] {
  const chunks: PackedMessage[][] = [];
  let current: PackedMessage[] = [];
  let size = 0;
  for (const m of messages) {
    if (current.length && size + m.tokens > chunkTokens) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += m.tokens;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
