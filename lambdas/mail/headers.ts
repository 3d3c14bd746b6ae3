import { decodeWords } from 'postal-mime';

/** Header blocks longer than this are cut: a crafted message must not make us scan megabytes of "headers". */
export const MAX_HEADER_BYTES = 256 * 1024;

export interface HeaderBlock {
  /** Lower-cased header name -> raw (unfolded, undecoded) values in order of appearance. */
  fields: Map<string, string[]>;
  /** Byte offset where the body starts (after the blank line), or the message length when there is none. */
  bodyOffset: number;
}

/** Finds the blank line that ends the header block (LF or CRLF). */
export function headerEnd(bytes: Buffer): { end: number; bodyOffset: number } {
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  let i = bytes.indexOf('\n\n', 0, 'latin1');
  let j = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  if (i < 0 || i > limit) i = -1;
  if (j < 0 || j > limit) j = -1;
  if (i >= 0 && (j < 0 || i < j)) return { end: i + 1, bodyOffset: i + 2 };
  if (j >= 0) return { end: j + 2, bodyOffset: j + 4 };
  const end = Math.min(bytes.length, limit);
  return { end, bodyOffset: end };
}

/**
 * Splits the header block into fields without decoding the body; with `wanted` (lower-case names),
 * only those fields are kept. Values stay as raw bytes read as
 * latin1 (binary-safe), unfolded; decode them with `decodeHeaderValue` when they are shown to people.
 */
export function readHeaders(bytes: Buffer, wanted?: ReadonlySet<string>): HeaderBlock {
  const { end, bodyOffset } = headerEnd(bytes);
  const fields = new Map<string, string[]>();
  let name = '';
  let value = '';
  let skip = false;
  const flush = () => {
    if (!name || skip) return;
    const key = name.toLowerCase();
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
      if ((first === 0x20 || first === 0x09) && name) {
        if (!skip) value += ' ' + bytes.toString('latin1', at, lineEnd).trim();
      } else {
        const colon = bytes.indexOf(0x3a, at);
        if (colon > at && colon < lineEnd) {
          flush();
          name = bytes.toString('latin1', at, colon).trim();
          // Only the fields asked for are decoded: Received chains are most of a header block.
          skip = wanted !== undefined && !wanted.has(name.toLowerCase());
          value = skip ? '' : bytes.toString('latin1', colon + 1, lineEnd);
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
