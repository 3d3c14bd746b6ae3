import { createHash } from 'node:crypto';
import { loreUrl, type ParsedMessage, type Person } from '../model.js';
import { decodeHeaderValue, messageIdsIn, readHeaderSlots } from '../mail/headers.js';
import { isoTimestamp, parseMailDate } from '../mail/dates.js';
import { isListAddress, LIST_HOST_ALTERNATION, peopleIn } from './people.js';
import { hasAt } from '../mail/bytes.js';

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
  /**
   * The lists this copy was delivered through (X-Mailing-List, else List-Id), not the ones it was Cc'd
   * to. Empty when read without recipients.
   */
  deliveryLists: string[];
  /** Auto-Submitted / Precedence / X-Autoreply and similar headers, lower-cased, for noise rules. */
  autoHeaders: string[];
  bodyOffset: number;
}

const LIST_ADDRESS = /[\w.+-]+@[\w.-]+\.\w+/g;
const REVIEW_LINE = /^(Reviewed|Acked|Tested|Nacked|NACKed)-by:[^<\n]*<([^>\n]+)>/i;
const CHANGE_ID_LINE = /^change-id: *(\S+)\s*$/;
/**
 * The header fields this stage reads; the rest (Received, DKIM, ...) are skipped unread. The
 * recipient fields come last, so a reading without them is the same list, cut short.
 */
const HEADER_NAMES = ['message-id', 'references', 'in-reply-to', 'date', 'from', 'subject', 'x-change-id', 'auto-submitted', 'x-autoreply', 'x-autorespond', 'precedence', 'x-patchwork-hint', 'to', 'cc', 'list-id', 'x-mailing-list'] as const;
const RECIPIENT_FIELDS = 4;
const HEADER_NAMES_WITHOUT_RECIPIENTS = HEADER_NAMES.slice(0, -RECIPIENT_FIELDS);
/** Where each field's values are in readHeaderSlots' answer (past its end: not read). */
const H = Object.fromEntries(HEADER_NAMES.map((name, index) => [name, index])) as { [N in (typeof HEADER_NAMES)[number]]: number };
/** The headers noise rules read (Auto-Submitted, ...), as "name: value" lines. */
const AUTO_HEADER_NAMES = ['auto-submitted', 'x-autoreply', 'x-autorespond', 'precedence', 'x-patchwork-hint'] as const;

const CHANGE_ID = Buffer.from('change-id:', 'latin1');

const LIST_HOST_AT = new RegExp(`@(${LIST_HOST_ALTERNATION})`, 'g');

/** Characters an address match can span: no match of LIST_ADDRESS crosses any other character. */
function isAddressChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x40 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d || c === 0x2b || c === 0x5f;
}

/**
 * One copy of the short strings many messages repeat (list addresses, auto-headers): a week keeps
 * every message's. A cache, emptied when full, so it never holds more than SHARED_STRINGS_KEPT.
 */
const sharedStrings = new Map<string, string>();
const SHARED_STRINGS_KEPT = 8192;
function shared(text: string): string {
  const kept = sharedStrings.get(text);
  if (kept !== undefined) return kept;
  if (sharedStrings.size >= SHARED_STRINGS_KEPT) sharedStrings.clear();
  sharedStrings.set(text, text);
  return text;
}

/**
 * shared() for the long To and Cc lines (a thread's replies repeat them): looked up by a cheap
 * fingerprint (the length and nine characters spread along the line) and confirmed with ===, since
 * hashing whole lines of hundreds of characters was most of a Map lookup's cost. Two lines with one
 * fingerprint only cost a second copy; a line is never swapped for a different one.
 */
const sharedLines = new Map<number, string>();
function sharedLine(text: string): string {
  const n = text.length;
  let key = n;
  for (let k = 0; k <= 8; k++) key = (key * 31 + text.charCodeAt(k === 8 ? n - 1 : (n * k) >> 3)) | 0;
  const kept = sharedLines.get(key);
  if (kept === text) return kept;
  if (sharedLines.size >= SHARED_STRINGS_KEPT) sharedLines.clear();
  sharedLines.set(key, text);
  return text;
}

/** shared() for a slice of a longer string: a copy is kept, so the longer string is not pinned. */
function sharedCopy(slice: string): string {
  return sharedStrings.get(slice) ?? shared(Buffer.from(slice, 'latin1').toString('latin1')); // header text is latin1
}

/**
 * Adds the list addresses (lower-cased) of LIST_ADDRESS matches in `raw` to `lists`. Matches never
 * cross a character outside [\w.+-@], so the runs of those characters are independent: only the runs
 * with an "@<list host>" in them are matched, instead of every address on a long Cc line.
 */
function listAddressesIn(raw: string, lists: Set<string>) {
  const text = raw.toLowerCase(); // one to one in latin1, so matches are the same, lower-cased
  let runEnd = -1;
  for (const hit of text.matchAll(LIST_HOST_AT)) {
    const at = hit.index;
    if (at < runEnd) continue; // in a run already matched
    let runStart = at;
    while (runStart > 0 && isAddressChar(text.charCodeAt(runStart - 1))) runStart--;
    runEnd = at + 1;
    while (runEnd < text.length && isAddressChar(text.charCodeAt(runEnd))) runEnd++;
    if (runStart < at && runEnd === at + hit[0].length && text.lastIndexOf('@', at - 1) < runStart) {
      // The usual run, "local@host" and nothing else: it is its one match.
      lists.add(sharedCopy(text.slice(runStart, runEnd)));
      continue;
    }
    for (const m of text.slice(runStart, runEnd).matchAll(LIST_ADDRESS)) if (isListAddress(m[0])) lists.add(sharedCopy(m[0]));
  }
}

/** The line of `bytes` around index `at`, as latin1 text (no trailing CR). */
function lineAt(bytes: Buffer, at: number): string {
  const start = bytes.lastIndexOf(0x0a, at) + 1;
  let end = bytes.indexOf(0x0a, at);
  if (end < 0) end = bytes.length;
  if (end > start && bytes[end - 1] === 0x0d) end--;
  return bytes.toString('latin1', start, end);
}

/** SHA-256 of a raw message, hex: ingest stores messages under it. */
export function contentHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * What a message keeps to work out its lazy fields on first use: the raw To and Cc text, the lists it
 * was delivered through, and the Message-ID its link is made from (kept: a duplicate id is renamed).
 */
type LazyState = { recipients: boolean; toRaw?: string; ccRaw?: string; to?: Person[]; cc?: Person[]; delivery: string[]; lists?: string[]; urlId: string; url?: string };

/** The lists a message reached: those it was delivered through, and list addresses in To and Cc. */
function listsOfMessage(state: LazyState): string[] {
  const lists = new Set(state.delivery);
  // List addresses straight from the raw headers: parsing every Cc'd person is the slow part of a week.
  listAddressesIn(`${state.toRaw ?? ''},${state.ccRaw ?? ''}`, lists);
  return [...lists].sort();
}

/** A field read from a message parsed without recipients: it says so rather than answer empty. */
function notRead(state: LazyState, field: string): never {
  throw new Error(`message ${state.urlId}: "${field}" was not read (parsed without recipients)`);
}

/**
 * A message read from its headers. The fields most stages never read (To and Cc people, lists, link)
 * are worked out on first use by the class's accessors; an assignment replaces them. On the class,
 * not on each message: defining four accessors per message was 4% of reading a month. toJSON writes
 * them as fields, in the order they always had.
 */
class HeaderMessage implements ParsedMessage {
  messageId: string;
  sha256?: string;
  inReplyTo?: string;
  references: string[];
  from: Person;
  date?: string;
  dateProblem?: string;
  subject: string;
  readonly #state: LazyState;

  constructor(fields: Omit<ParsedMessage, 'to' | 'cc' | 'lists' | 'url'>, state: LazyState) {
    this.messageId = fields.messageId;
    this.sha256 = fields.sha256;
    this.inReplyTo = fields.inReplyTo;
    this.references = fields.references;
    this.from = fields.from;
    this.date = fields.date;
    this.dateProblem = fields.dateProblem;
    this.subject = fields.subject;
    this.#state = state;
  }

  get to(): Person[] {
    const state = this.#state;
    return state.to ?? (state.recipients ? (state.to = peopleIn(state.toRaw)) : notRead(state, 'to'));
  }
  set to(value: Person[]) {
    this.#state.to = value;
  }
  get cc(): Person[] {
    const state = this.#state;
    return state.cc ?? (state.recipients ? (state.cc = peopleIn(state.ccRaw)) : notRead(state, 'cc'));
  }
  set cc(value: Person[]) {
    this.#state.cc = value;
  }
  get lists(): string[] {
    const state = this.#state;
    return state.lists ?? (state.recipients ? (state.lists = listsOfMessage(state)) : notRead(state, 'lists'));
  }
  set lists(value: string[]) {
    this.#state.lists = value;
  }
  get url(): string {
    const state = this.#state;
    return (state.url ??= loreUrl(state.urlId));
  }
  set url(value: string) {
    this.#state.url = value;
  }

  toJSON(): ParsedMessage {
    return { ...this, to: this.to, cc: this.cc, lists: this.lists, url: this.url };
  }
}

export interface ParseOptions {
  /** SHA-256 of `bytes`, when the caller has it (else computed only for a message without Message-ID). */
  sha256?: string;
  /** The mbox reader's hint: where the first "\n\n" of `bytes` is (-1: not known). */
  blankLine?: number;
  /**
   * Read To, Cc, List-Id and X-Mailing-List (default). Off, the message's `to`, `cc` and `lists`
   * throw when read and `deliveryLists` is empty: threading and series linking never read them, and
   * on long Cc lines they were a tenth of reading a week.
   */
  recipients?: boolean;
}

/**
 * Reads a message's headers. The content hash is computed only when the message has no Message-ID
 * (its stand-in id derives from it) or when the caller passes one: threading never needs it.
 */
export function parseMessageHeaders(bytes: Buffer, options: ParseOptions = {}): MessageHeaders {
  const recipients = options.recipients ?? true;
  let sha256 = options.sha256;
  const { values, bodyOffset } = readHeaderSlots(bytes, recipients ? HEADER_NAMES : HEADER_NAMES_WITHOUT_RECIPIENTS, options.blankLine);
  const first = (index: number) => values[index]?.[0];
  const ids = messageIdsIn(first(H['message-id']));
  if (ids.length === 0) sha256 ??= contentHash(bytes);
  const messageId = ids[0] ?? `sha256-${sha256}@kernel-news.invalid`;
  const references = messageIdsIn(values[H.references]?.join(' ')).filter((id) => id !== messageId);
  const inReplyTo = messageIdsIn(first(H['in-reply-to'])).find((id) => id !== messageId);
  const date = parseMailDate(first(H.date));
  const from = peopleIn(first(H.from))[0] ?? { name: 'unknown sender', email: 'unknown@invalid' };
  const toRaw = values[H.to]?.join(', ');
  const ccRaw = values[H.cc]?.join(', ');
  const deliveryLists = recipients ? listsOf(values[H['x-mailing-list']], values[H['list-id']]) : [];

  // One byte-level scan of the body for the colons of "-by:" trailers and "change-id:" lines: no
  // decode, only the lines that can matter become strings (a single-byte search is the fastest).
  const scanEnd = Math.min(bytes.length, bodyOffset + SCAN_BODY_BYTES);
  let changeId = first(H['x-change-id'])?.trim();
  const reviewTrailers: MessageHeaders['reviewTrailers'] = [];
  const lastColon = scanEnd + 3; // a colon ending a word that starts before scanEnd
  for (let colon = bytes.indexOf(0x3a, bodyOffset + 3); colon >= 0 && colon < lastColon; colon = bytes.indexOf(0x3a, colon + 1)) {
    if (bytes[colon - 3] !== 0x2d) continue; // "-"
    const b1 = bytes[colon - 2];
    const b2 = bytes[colon - 1];
    if (b1 === 0x62 && b2 === 0x79) { // "by"
      const m = REVIEW_LINE.exec(lineAt(bytes, colon - 3));
      if (!m) continue;
      const kind = m[1].toLowerCase() === 'nacked' ? 'nacked-by' : (`${m[1].toLowerCase()}-by` as 'reviewed-by');
      reviewTrailers.push({ kind, email: m[2].trim().toLowerCase() });
    } else if (b1 === 0x69 && b2 === 0x64 && !changeId) { // "id"
      const at = colon - CHANGE_ID.length + 1;
      if (at >= bodyOffset && at < scanEnd && hasAt(bytes, at, CHANGE_ID)) changeId = CHANGE_ID_LINE.exec(lineAt(bytes, at))?.[1];
    }
  }
  const autoHeaders: string[] = [];
  for (const name of AUTO_HEADER_NAMES) {
    const v = first(H[name]);
    if (v) autoHeaders.push(sharedCopy(`${name}: ${v.toLowerCase()}`));
  }
  const isoDate = date.utc !== undefined && !date.problem ? isoTimestamp(date.utc) : undefined;
  const subject = decodeHeaderValue(first(H.subject) ?? '');
  // To and Cc people, lists and link are worked out on first use (threading reads none of them).
  const message = new HeaderMessage({ messageId, sha256, inReplyTo, references, from, date: isoDate, dateProblem: date.problem, subject }, {
    recipients,
    toRaw: toRaw === undefined ? undefined : sharedLine(toRaw),
    ccRaw: ccRaw === undefined ? undefined : sharedLine(ccRaw),
    delivery: deliveryLists,
    urlId: messageId,
  });
  return {
    message,
    missingMessageId: ids.length === 0,
    deliveryLists,
    changeId,
    // Exact-size copies: these are kept all week, and a push-grown array has room for 17.
    reviewTrailers: reviewTrailers.slice(),
    autoHeaders: autoHeaders.slice(),
    bodyOffset,
  };
}

/**
 * A message with the header shapes most messages lack: a value ending in a space, a folded line, an
 * encoded-word name, Auto-Submitted and Precedence, a review trailer and a change-id.
 */
const WARM_UP = Buffer.from(
  'Message-ID: <warm-up@kernel-news.invalid> \nFrom: =?UTF-8?q?A=C3=A9?= <a@example.org>\nSubject: Re: [PATCH] x \n  folded \n' +
    'X-Change-ID: x \nDate: Tue, 6 Jan 2026 10:52:22 +0100\nAuto-Submitted: auto-replied\nPrecedence: bulk\nReferences: <r@x>\n <s@x>\n' +
    'In-Reply-To: <r@x>\n\nReviewed-by: A <a@example.org>\nchange-id: 20260101-x\n',
  'latin1',
);
const WARM_UP_BLANK_LINE = WARM_UP.indexOf('\n\n', 0, 'latin1');
let warmedUp = false;

/**
 * Reads WARM_UP a dozen times, once per process, before a week is read. V8 optimises the parser for
 * what it has seen by then (the first hundred messages or so); the first later message with one of
 * those shapes threw the optimised parser away to compile it again, on a compile thread that has
 * other work queued (4 ms of a month's threads, paired A/B). A dozen: V8 records no type feedback
 * for a function's first few calls.
 */
export function warmUpParser(recipients: boolean): void {
  if (warmedUp) return;
  warmedUp = true;
  for (let i = 0; i < 12; i++) parseMessageHeaders(WARM_UP, { blankLine: WARM_UP_BLANK_LINE, recipients });
}

/** The list a copy was delivered through: X-Mailing-List (vger), else List-Id (the raw header values). */
export function listsOf(mailingList: string[] | undefined, listId: string[] | undefined): string[] {
  const lists = new Set<string>();
  for (const value of mailingList ?? []) {
    for (const addr of value.split(/[\s,]+/)) if (addr.includes('@')) lists.add(sharedCopy(addr.replace(/[<>]/g, '').toLowerCase()));
  }
  if (lists.size === 0) {
    for (const value of listId ?? []) {
      const m = /<([^<>]+)>/.exec(value);
      if (m) lists.add(sharedCopy(m[1].toLowerCase()));
    }
  }
  return [...lists];
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
