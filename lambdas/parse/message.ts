import { createHash } from 'node:crypto';
import { loreUrl, type ParsedMessage } from '../model.js';
import { decodeHeaderValue, firstHeader, messageIdsIn, readHeaders, type HeaderBlock } from '../mail/headers.js';
import { parseMailDate } from '../mail/dates.js';
import { isListAddress, peopleIn } from './people.js';

/** How much of a body the byte-level scans read: trailers and change-ids sit in the first part. */
const SCAN_BODY_BYTES = 256 * 1024;

/** A message read from its header block, plus what byte-level scans of the raw body found. */
export interface MessageHeaders {
  message: ParsedMessage;
  /** b4 change-id from the body trailer or the X-Change-ID header. */
  changeId?: string;
  /** Review trailers written by this message's author (lines not quoted), by kind. */
  reviewTrailers: { kind: 'reviewed-by' | 'acked-by' | 'tested-by' | 'nacked-by'; email: string }[];
  /** True when the message had no Message-ID and was given one derived from its content hash. */
  missingMessageId: boolean;
  /** The lists this copy was delivered through (X-Mailing-List, else List-Id), not the ones it was Cc'd to. */
  deliveryLists: string[];
  /** Auto-Submitted / Precedence / X-Autoreply and similar headers, lower-cased, for noise rules. */
  autoHeaders: string[];
  bodyOffset: number;
}

const LIST_ADDRESS = /[\w.+-]+@[\w.-]+\.\w+/g;
const REVIEW_LINE = /^(Reviewed|Acked|Tested|Nacked|NACKed)-by:[^<\n]*<([^>\n]+)>/i;
const CHANGE_ID_LINE = /^change-id: *(\S+)\s*$/;
/** The header fields this stage reads; the rest (Received, DKIM, ...) are skipped unread. */
const WANTED = new Set(['message-id', 'references', 'in-reply-to', 'date', 'from', 'to', 'cc', 'subject', 'list-id', 'x-mailing-list', 'x-change-id', 'auto-submitted', 'x-autoreply', 'x-autorespond', 'precedence', 'x-patchwork-hint']);

/** The line of `bytes` around index `at`, as latin1 text (no trailing CR). */
function lineAt(bytes: Buffer, at: number): string {
  const start = bytes.lastIndexOf(0x0a, at) + 1;
  let end = bytes.indexOf(0x0a, at);
  if (end < 0) end = bytes.length;
  if (end > start && bytes[end - 1] === 0x0d) end--;
  return bytes.toString('latin1', start, end);
}

export function parseMessageHeaders(bytes: Buffer, sha256 = createHash('sha256').update(bytes).digest('hex')): MessageHeaders {
  const block: HeaderBlock = readHeaders(bytes, WANTED);
  const ids = messageIdsIn(firstHeader(block, 'message-id'));
  const messageId = ids[0] ?? `sha256-${sha256}@kernel-news.invalid`;
  const references = messageIdsIn(block.fields.get('references')?.join(' ')).filter((id) => id !== messageId);
  const inReplyTo = messageIdsIn(firstHeader(block, 'in-reply-to')).find((id) => id !== messageId);
  const date = parseMailDate(firstHeader(block, 'date'));
  const from = peopleIn(firstHeader(block, 'from'))[0] ?? { name: 'unknown sender', email: 'unknown@invalid' };
  const toRaw = block.fields.get('to')?.join(', ');
  const ccRaw = block.fields.get('cc')?.join(', ');
  const deliveryLists = listsOf(block.fields);
  const lists = new Set(deliveryLists);
  // List addresses straight from the raw headers: parsing every Cc'd person is the slow part of a week.
  for (const m of `${toRaw ?? ''},${ccRaw ?? ''}`.matchAll(LIST_ADDRESS)) if (isListAddress(m[0].toLowerCase())) lists.add(m[0].toLowerCase());

  // Byte-level scans of the body: no decode, only the lines that can matter become strings.
  const scanEnd = Math.min(bytes.length, block.bodyOffset + SCAN_BODY_BYTES);
  let changeId = firstHeader(block, 'x-change-id')?.trim();
  if (!changeId) {
    for (let at = bytes.indexOf('change-id:', block.bodyOffset, 'latin1'); at >= 0 && at < scanEnd && !changeId; at = bytes.indexOf('change-id:', at + 1, 'latin1')) {
      changeId = CHANGE_ID_LINE.exec(lineAt(bytes, at))?.[1];
    }
  }
  const reviewTrailers: MessageHeaders['reviewTrailers'] = [];
  for (let at = bytes.indexOf('-by:', block.bodyOffset, 'latin1'); at >= 0 && at < scanEnd; at = bytes.indexOf('-by:', at + 4, 'latin1')) {
    const m = REVIEW_LINE.exec(lineAt(bytes, at));
    if (!m) continue;
    const kind = m[1].toLowerCase() === 'nacked' ? 'nacked-by' : (`${m[1].toLowerCase()}-by` as 'reviewed-by');
    reviewTrailers.push({ kind, email: m[2].trim().toLowerCase() });
  }
  const autoHeaders: string[] = [];
  for (const name of ['auto-submitted', 'x-autoreply', 'x-autorespond', 'precedence', 'x-patchwork-hint']) {
    const v = firstHeader(block, name);
    if (v) autoHeaders.push(`${name}: ${v.toLowerCase()}`);
  }
  const message = {
      messageId,
      sha256,
      inReplyTo,
      references,
      from,
      lists: [...lists].sort(),
      date: date.utc !== undefined && !date.problem ? new Date(date.utc).toISOString() : undefined,
      dateProblem: date.problem,
      subject: decodeHeaderValue(firstHeader(block, 'subject') ?? ''),
      url: loreUrl(messageId),
  } as ParsedMessage;
  // To and Cc people are parsed on first use (most stages never look at them).
  lazyPeople(message, 'to', toRaw);
  lazyPeople(message, 'cc', ccRaw);
  return {
    message,
    missingMessageId: ids.length === 0,
    deliveryLists,
    changeId,
    reviewTrailers,
    autoHeaders,
    bodyOffset: block.bodyOffset,
  };
}

/** The list a copy was delivered through: X-Mailing-List (vger), else List-Id. */
export function listsOf(fields: Map<string, string[]>): string[] {
  const lists = new Set<string>();
  for (const value of fields.get('x-mailing-list') ?? []) {
    for (const addr of value.split(/[\s,]+/)) if (addr.includes('@')) lists.add(addr.replace(/[<>]/g, '').toLowerCase());
  }
  if (lists.size === 0) {
    for (const value of fields.get('list-id') ?? []) {
      const m = /<([^<>]+)>/.exec(value);
      if (m) lists.add(m[1].toLowerCase());
    }
  }
  return [...lists];
}

function lazyPeople(message: ParsedMessage, field: 'to' | 'cc', raw: string | undefined) {
  let value: ParsedMessage['to'] | undefined;
  Object.defineProperty(message, field, {
    enumerable: true,
    configurable: true,
    get: () => (value ??= peopleIn(raw)),
    set: (v: ParsedMessage['to']) => { value = v; },
  });
}

/** The message's readable text, decoded by postal-mime (charsets, QP, base64, multipart; HTML-only mail as text). */
export async function decodeText(bytes: Buffer): Promise<string> {
  // Loaded on first use: threading alone never decodes a body.
  const [{ default: PostalMime }, { convert: htmlToText }] = await Promise.all([import('postal-mime'), import('html-to-text')]);
  try {
    const parsed = await PostalMime.parse(bytes);
    if (parsed.text) return parsed.text;
    if (parsed.html) return htmlToText(parsed.html, { wordwrap: false });
    return '';
  } catch {
    // A body postal-mime cannot read is kept as raw text: nothing is lost, it just reads rougher.
    return bytes.toString('utf8');
  }
}
