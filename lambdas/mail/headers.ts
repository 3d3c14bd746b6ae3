import { decodeWords } from 'postal-mime';
import { isLatin1Space } from './bytes.js';

/** Header blocks longer than this are cut: a crafted message must not make us scan megabytes of "headers". */
export const MAX_HEADER_BYTES = 256 * 1024;

export interface HeaderBlock {
  /** Lower-cased header name -> raw (unfolded, undecoded) values in order of appearance. */
  fields: Map<string, string[]>;
  /** Byte offset where the body starts (after the blank line), or the message length when there is none. */
  bodyOffset: number;
}

/**
 * Finds the blank line that ends the header block (LF or CRLF). `blankLine`: where the first "\n\n"
 * is, when the mbox reader already found it (it searched the same bytes for Content-Length).
 */
export function headerEnd(bytes: Buffer, blankLine?: number): { end: number; bodyOffset: number } {
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  let i = blankLine ?? bytes.indexOf('\n\n', 0, 'latin1');
  if (i > limit) i = -1;
  // A CRLF blank line counts only when it comes first: searching past the LF one (or the limit)
  // would read the whole body for nothing.
  const crlfSearchEnd = Math.min(bytes.length, i >= 0 ? i + 3 : limit + 4);
  const j = bytes.subarray(0, crlfSearchEnd).indexOf('\r\n\r\n', 0, 'latin1');
  if (i >= 0 && (j < 0 || i < j)) return { end: i + 1, bodyOffset: i + 2 };
  if (j >= 0) return { end: j + 2, bodyOffset: j + 4 };
  const end = Math.min(bytes.length, limit);
  return { end, bodyOffset: end };
}

type NameMatcher = (bytes: Buffer, start: number, end: number) => string | undefined;
const matchers = new WeakMap<ReadonlySet<string>, NameMatcher>();

/**
 * Tells from the bytes whether a header name is one of `wanted` (lower-case ASCII names), and which:
 * most header lines (Received, DKIM, ARC, ...) are skipped without ever becoming a string.
 */
function nameMatcher(wanted: ReadonlySet<string>): NameMatcher {
  let match = matchers.get(wanted);
  if (match) return match;
  const byLength: string[][] = [];
  for (const name of wanted) (byLength[name.length] ??= []).push(name);
  match = (bytes, start, end) => {
    const names = byLength[end - start];
    if (!names) return undefined;
    next: for (const name of names) {
      for (let i = 0; i < name.length; i++) {
        const b = bytes[start + i];
        if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== name.charCodeAt(i)) continue next;
      }
      return name;
    }
    return undefined;
  };
  matchers.set(wanted, match);
  return match;
}

/**
 * Splits the header block into fields without decoding the body; with `wanted` (lower-case names),
 * only those fields are kept. Values stay as raw bytes read as
 * latin1 (binary-safe), unfolded; decode them with `decodeHeaderValue` when they are shown to people.
 */
export function readHeaders(bytes: Buffer, wanted?: ReadonlySet<string>, blankLine?: number): HeaderBlock {
  const { end, bodyOffset } = headerEnd(bytes, blankLine);
  const fields = new Map<string, string[]>();
  const match = wanted && nameMatcher(wanted);
  let named = false; // a header line has been read: indented lines continue it
  let key: string | undefined; // lower-cased name of the field being read; undefined when skipped
  let value = '';
  const flush = () => {
    if (key === undefined) return;
    const list = fields.get(key);
    if (list) list.push(value.trim());
    else fields.set(key, [value.trim()]);
  };
  // Each value is its own string read from the bytes, not a slice of one big header string: kept
  // values (Message-ID, Subject) must not pin every message's whole header block in memory.
  let at = 0;
  while (at < end) {
    let nl = bytes.indexOf(0x0a, at);
    if (nl < 0 || nl > end) nl = end;
    const lineEnd = nl > at && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    if (lineEnd > at) {
      const first = bytes[at];
      if ((first === 0x20 || first === 0x09) && named) {
        if (key !== undefined) value += ' ' + bytes.toString('latin1', at, lineEnd).trim();
      } else {
        let colon = at; // the name is short: a loop beats a call to indexOf
        while (colon < lineEnd && bytes[colon] !== 0x3a) colon++;
        if (colon > at && colon < lineEnd) {
          flush();
          let nameStart = at;
          let nameEnd = colon;
          while (nameStart < nameEnd && isLatin1Space(bytes[nameStart])) nameStart++;
          while (nameEnd > nameStart && isLatin1Space(bytes[nameEnd - 1])) nameEnd--;
          named = nameEnd > nameStart;
          // Only the fields asked for are decoded: Received chains are most of a header block.
          if (!named) key = undefined;
          else key = match ? match(bytes, nameStart, nameEnd) : bytes.toString('latin1', nameStart, nameEnd).toLowerCase();
          value = key === undefined ? '' : bytes.toString('latin1', colon + 1, lineEnd);
        }
        // a line without a colon (e.g. a stray mbox "From " line) is skipped, not guessed at
      }
    }
    at = nl + 1;
  }
  flush();
  return { fields, bodyOffset };
}

export function firstHeader(block: HeaderBlock, name: string): string | undefined {
  return block.fields.get(name)?.[0];
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as people should read it: raw 8-bit bytes read as UTF-8 when they are valid UTF-8
 * (else latin1), then RFC 2047 encoded-words decoded.
 */
export function decodeHeaderValue(raw: string): string {
  let text = utf8HeaderValue(raw);
  if (text.includes('=?')) {
    try {
      text = decodeWords(text);
    } catch {
      // leave undecodable words as they are: showing them raw loses nothing
    }
  }
  return text.replace(/\s+/g, ' ').trim();
}

/** Raw 8-bit header bytes (read as latin1) as UTF-8 when they are valid UTF-8; encoded-words untouched. */
export function utf8HeaderValue(raw: string): string {
  if (!/[\x80-\xff]/.test(raw)) return raw;
  try {
    return UTF8.decode(Buffer.from(raw, 'latin1'));
  } catch {
    return raw;
  }
}

/** Message-IDs in a header value, bare (without angle brackets), in order. */
export function messageIdsIn(raw: string | undefined): string[] {
  if (!raw) return [];
  const ids: string[] = [];
  const re = /<([^<>\s]+)>/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) ids.push(m[1]);
  if (ids.length === 0) {
    const bare = raw.trim();
    if (bare && !/\s/.test(bare) && bare.includes('@')) ids.push(bare);
  }
  return ids;
}
