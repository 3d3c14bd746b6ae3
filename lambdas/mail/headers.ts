import { decodeWords } from 'postal-mime';
import { LATIN1_SPACE, latin1 } from './bytes.js';
import { collapseWhitespace } from './text.js';

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
 * is, when the mbox reader already found it (it searched the same bytes for Content-Length); -1 or
 * undefined: not known.
 */
export function headerEnd(bytes: Buffer, blankLine?: number): { end: number; bodyOffset: number } {
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  let i = blankLine !== undefined && blankLine >= 0 ? blankLine : bytes.indexOf('\n\n', 0, 'latin1');
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

/** Index in `names` of the header name at bytes[start, end), or -1. */
type NameMatcher = (bytes: Buffer, start: number, end: number) => number;
const matchers = new WeakMap<readonly string[], NameMatcher>();

/**
 * Tells from the bytes whether a header name is one of `names` (lower-case ASCII), and which:
 * most header lines (Received, DKIM, ARC, ...) are skipped without ever becoming a string.
 */
function nameMatcher(names: readonly string[]): NameMatcher {
  let match = matchers.get(names);
  if (match) return match;
  const byLength: number[][] = [];
  names.forEach((name, index) => (byLength[name.length] ??= []).push(index));
  match = (bytes, start, end) => {
    const candidates = byLength[end - start];
    if (!candidates) return -1;
    next: for (const index of candidates) {
      const name = names[index];
      for (let i = 0; i < name.length; i++) {
        const b = bytes[start + i];
        if ((b >= 0x41 && b <= 0x5a ? b | 0x20 : b) !== name.charCodeAt(i)) continue next;
      }
      return index;
    }
    return -1;
  };
  matchers.set(names, match);
  return match;
}

/** The value of a field as String.prototype.trim leaves it, read from bytes[start, end) with one slice. */
function trimmedValue(bytes: Buffer, start: number, end: number): string {
  while (start < end && LATIN1_SPACE[bytes[start]] === 1) start++;
  while (end > start && LATIN1_SPACE[bytes[end - 1]] === 1) end--;
  return latin1(bytes, start, end);
}

/**
 * Walks the header block's lines: for each field whose name `keyOf` knows (not undefined), calls
 * `store` with its value unfolded and trimmed. Values are read from the bytes as latin1
 * (binary-safe), each its own string: kept values (Message-ID, Subject) must not pin a whole block.
 * `watchCrlfBlank`: `end` is the LF blank line's, and a CRLF blank line ("\r\n\r\n") before it ends
 * the block there instead, as headerEnd would have found: the walk stops at it and returns where
 * its line starts (else -1). This spares a search of the whole block for "\r\n\r\n".
 */
function readFields<K>(bytes: Buffer, end: number, keyOf: (bytes: Buffer, start: number, end: number) => K | undefined, store: (key: K, value: string) => void, watchCrlfBlank = false): number {
  let named = false; // a header line has been read: indented lines continue it
  let key: K | undefined; // the field being read; undefined when skipped
  let value = '';
  const flush = () => {
    if (key === undefined) return;
    // Leading space after the colon was skipped; what is left to trim comes from folded lines.
    if (value.length > 0 && (LATIN1_SPACE[value.charCodeAt(0)] === 1 || LATIN1_SPACE[value.charCodeAt(value.length - 1)] === 1)) value = value.trim();
    store(key, value);
  };
  let at = 0;
  let crlfBlank = -1;
  while (at < end) {
    let nl = bytes.indexOf(0x0a, at);
    if (nl < 0 || nl > end) nl = end;
    const lineEnd = nl > at && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    if (watchCrlfBlank && lineEnd === at && nl === at + 1 && at >= 2 && bytes[at - 2] === 0x0d) {
      crlfBlank = at; // "\r\n" after a line ending "\r\n"
      break;
    }
    if (lineEnd > at) {
      const first = bytes[at];
      if ((first === 0x20 || first === 0x09) && named) {
        if (key !== undefined) value += ' ' + trimmedValue(bytes, at, lineEnd);
      } else {
        let colon = at; // the name is short: a loop beats a call to indexOf
        while (colon < lineEnd && bytes[colon] !== 0x3a) colon++;
        if (colon > at && colon < lineEnd) {
          flush();
          let nameStart = at;
          let nameEnd = colon;
          while (nameStart < nameEnd && LATIN1_SPACE[bytes[nameStart]] === 1) nameStart++;
          while (nameEnd > nameStart && LATIN1_SPACE[bytes[nameEnd - 1]] === 1) nameEnd--;
          named = nameEnd > nameStart;
          // Only the fields asked for are read: Received chains are most of a header block.
          key = named ? keyOf(bytes, nameStart, nameEnd) : undefined;
          if (key !== undefined) {
            let valueStart = colon + 1;
            while (valueStart < lineEnd && LATIN1_SPACE[bytes[valueStart]] === 1) valueStart++;
            value = latin1(bytes, valueStart, lineEnd);
          }
        }
        // a line without a colon (e.g. a stray mbox "From " line) is skipped, not guessed at
      }
    }
    at = nl + 1;
  }
  flush();
  return crlfBlank;
}

/**
 * Splits the header block into every field, by lower-cased name, without decoding the body. Values
 * stay as raw bytes read as latin1 (binary-safe), unfolded; decode them with `decodeHeaderValue`
 * when they are shown to people. (The threads stage reads only the fields it needs: readHeaderSlots.)
 */
export function readHeaders(bytes: Buffer): HeaderBlock {
  const { end, bodyOffset } = headerEnd(bytes);
  const fields = new Map<string, string[]>();
  readFields(bytes, end, (b, start, stop) => latin1(b, start, stop).toLowerCase(), (name, value) => {
    const list = fields.get(name);
    if (list) list.push(value);
    else fields.set(name, [value]);
  });
  return { fields, bodyOffset };
}

/** A header block read for the fields of a fixed list of names: `values[i]` holds those of `names[i]`. */
export interface HeaderSlots {
  values: (string[] | undefined)[];
  bodyOffset: number;
}

/**
 * readHeaders for a fixed list of lower-case names, without a Map: the threads stage reads a dozen
 * fields of every message of a week.
 */
export function readHeaderSlots(bytes: Buffer, names: readonly string[], blankLine?: number): HeaderSlots {
  // With the reader's hint the block ends at its LF blank line, or at a CRLF one the walk meets first.
  const hinted = blankLine !== undefined && blankLine >= 0 && blankLine <= MAX_HEADER_BYTES && bytes[blankLine] === 0x0a && bytes[blankLine + 1] === 0x0a;
  const { end, bodyOffset } = hinted ? { end: blankLine + 1, bodyOffset: blankLine + 2 } : headerEnd(bytes);
  const values: (string[] | undefined)[] = new Array<string[] | undefined>(names.length).fill(undefined);
  const match = nameMatcher(names);
  const crlfBlank = readFields(bytes, end, (b, start, stop) => {
    const index = match(b, start, stop);
    return index < 0 ? undefined : index;
  }, (index, value) => {
    const list = values[index];
    if (list) list.push(value);
    else values[index] = [value];
  }, hinted);
  return { values, bodyOffset: crlfBlank >= 0 ? crlfBlank + 2 : bodyOffset };
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
  return collapseWhitespace(text).trim();
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
