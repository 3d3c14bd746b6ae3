import type { MessageBody, NoiseVerdict, ParsedMessage, Quarantined, WeekAnalysis } from '../model.js';
import { openArchive, readMbox, type MboxEntry } from '../ingest/mbox-reader.js';
import { ArchiveDamagedError } from '../errors.js';
import { contentHash, decodeText, parseMessageHeaders, warmUpParser, type MessageHeaders } from '../parse/message.js';
import { splitBody } from '../parse/body.js';
import { linkSeries } from '../series/link.js';
import { classifyNoise } from '../noise/classify.js';
import { threadMessages } from './jwz.js';

/** Default limit for one message when reading an archive here (ingest has its own, from config). */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** Bodies decoded at once: postal-mime is CPU-bound, this only overlaps its awaits. */
const DECODE_BATCH = 64;

export interface AnalyseOptions {
  /**
   * Decode every body (MIME, charsets) so `body(id)` can answer: needed by topics and drafting,
   * not by threading. Off, `body()` throws. Default on.
   */
  bodies?: boolean;
  /**
   * Read To, Cc and the lists of every message (see ParseOptions.recipients). Off, messages' `to`,
   * `cc` and `lists` throw when read, and cross-posted copies are merged without joining their lists.
   * Default on.
   */
  recipients?: boolean;
  onProgress?: (messagesRead: number) => void;
}

/**
 * Takes a week apart. Steps: read each entry's headers (fast, no body decode); merge cross-posted
 * copies (same Message-ID) into one message with every list; thread with JWZ; link patch series;
 * classify noise; optionally decode bodies, split on first use by `body()`.
 * Invariant: every entry is a message of exactly one thread or a quarantined record.
 */
export async function analyseWeek(entries: AsyncIterable<MboxEntry> | Iterable<MboxEntry>, options: AnalyseOptions = {}): Promise<WeekAnalysis & { headers: MessageHeaders[]; copiesMerged: number; archiveDamage?: Quarantined }> {
  const wantBodies = options.bodies ?? true;
  const recipients = options.recipients ?? true;
  const headers: MessageHeaders[] = [];
  const byId = new Map<string, MessageHeaders>();
  const quarantined: Quarantined[] = [];
  const noise: NoiseVerdict[] = [];
  const texts = new Map<string, Promise<string> | string>();
  let decoding: Promise<unknown>[] = [];
  let copiesMerged = 0;
  let read = 0;
  /** Where the archive broke, if it did: not an entry (the cut message is one, quarantined). */
  let archiveDamage: Quarantined | undefined;
  warmUpParser(recipients);

  try {
    for await (const entry of entries) {
      read++;
      if (options.onProgress && read % 1000 === 0) options.onProgress(read);
      if (entry.kind === 'quarantine') {
        quarantined.push({ reason: entry.reason, offset: entry.offset });
        continue;
      }
      let h: MessageHeaders;
      try {
        h = parseMessageHeaders(entry.bytes, { blankLine: entry.blankLine ?? -1, recipients });
      } catch (err) {
        quarantined.push({ reason: `unreadable message: ${(err as Error).message}`, offset: entry.offset });
        continue;
      }
      const existing = byId.get(h.message.messageId);
      if (existing) {
        if (existing.message.from.email === h.message.from.email && existing.message.subject === h.message.subject) {
          // A cross-posted copy: one message, reached more lists.
          if (recipients) existing.message.lists = [...new Set([...existing.message.lists, ...h.message.lists])].sort();
          copiesMerged++;
          continue;
        }
        // A different message reusing the id: keep it, under an id that says so.
        h.message.messageId = `${h.message.messageId}#dup-${(h.message.sha256 ?? contentHash(entry.bytes)).slice(0, 12)}`;
      }
      byId.set(h.message.messageId, h);
      headers.push(h);
      const verdict = classifyNoise(h, entry.bytes);
      if (verdict) noise.push(verdict);
      if (wantBodies) {
        const text = decodeText(entry.bytes);
        texts.set(h.message.messageId, text);
        decoding.push(text);
        if (decoding.length >= DECODE_BATCH) {
          // Bounded: the raw bytes of at most one batch wait on the decoder at a time.
          await Promise.all(decoding);
          decoding = [];
        }
      }
    }
  } catch (err) {
    if (!(err instanceof ArchiveDamagedError)) throw err;
    // The reader already yielded the cut message as quarantined; record where the archive broke.
    archiveDamage = { reason: err.message, offset: err.offset };
  }

  const messages: ParsedMessage[] = headers.map((h) => h.message);
  const threads = threadMessages(messages);
  const series = linkSeries(headers, threads);
  for (const [id, text] of texts) texts.set(id, await text);
  const bodies = new Map<string, MessageBody>();
  return {
    messages,
    headers,
    copiesMerged,
    threads,
    series,
    noise,
    quarantined,
    archiveDamage,
    body(messageId: string): MessageBody {
      let body = bodies.get(messageId);
      if (body) return body;
      const text = texts.get(messageId);
      if (text === undefined) {
        if (!wantBodies) throw new Error('bodies were not decoded: analyse with { bodies: true }');
        throw new Error(`no message ${messageId} in this week`);
      }
      body = splitBody(text as string);
      bodies.set(messageId, body);
      return body;
    },
  };
}

/** analyseWeek over an mbox file (plain or gzip). */
export function analyseMboxFile(file: string, options: AnalyseOptions = {}) {
  // Without bodies, each message is done with before the next is read: no copy of it is needed.
  return analyseWeek(readMbox(openArchive(file), { maxMessageBytes: MAX_MESSAGE_BYTES, borrow: options.bodies === false }), options);
}
