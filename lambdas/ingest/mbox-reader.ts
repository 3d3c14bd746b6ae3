import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { ArchiveDamagedError, InputError } from '../errors.js';
import { GzipArchive, GzipDamage } from './gzip.js';
import { hasAt, isLatin1Space } from '../mail/bytes.js';

/** Bytes of an oversized message kept with its quarantine record, so nothing is lost without a trace. */
export const QUARANTINE_SAMPLE_BYTES = 64 * 1024;
/** How far into a message the reader looks for a Content-Length header (mboxcl/mboxcl2). */
const CONTENT_LENGTH_SCAN_BYTES = 64 * 1024;
/** The reader's buffer: a read's worth plus the message it cuts, mostly. */
const QUEUE_BUFFER_BYTES = 2 << 20;
/** Bytes asked of a plain file at a time. */
const FILE_READ_BYTES = 1 << 20;

export type MboxEntry =
  /**
   * `blankLine`: index in `bytes` of the first "\n\n" (the LF blank line ending the headers), when
   * the reader already found it; a hint that spares the parser a second search of the header block.
   * -1 (or absent) when not known: the reader always sets a number, since a field that is sometimes
   * undefined changes the entry's shape midway through a run and throws away optimised parser code.
   */
  | { kind: 'message'; offset: number; bytes: Buffer; blankLine?: number }
  | { kind: 'quarantine'; offset: number; size: number; reason: string; sample: Buffer };

export interface MboxReadOptions {
  maxMessageBytes: number;
  /**
   * Hand out messages as views into the reader's buffer, not copies: each is valid only until the
   * next entry is asked for. For callers done with a message before taking the next.
   */
  borrow?: boolean;
}

/**
 * A "From " line that separates messages: "From <sender> <asctime date>". Requiring the time of day
 * keeps an unescaped body line like "From the start, ..." (mboxo damage) from splitting a message.
 */
const SEPARATOR = /^From \S* +.*\d{1,2}:\d{2}/;

/** A separator line with nothing after its date: anything else there would be lost with the line. */
const CLEAN_SEPARATOR = /^From \S* +.*\d{1,2}:\d{2}(:\d{2})?( [+-]\d{4})? \d{4}( [+-]\d{4})?\r?$/;

function isSeparatorAt(buf: Buffer, lineStart: number): boolean {
  const nl = buf.indexOf(0x0a, lineStart);
  const end = nl < 0 ? Math.min(buf.length, lineStart + 200) : Math.min(nl, lineStart + 200);
  return SEPARATOR.test(buf.toString('latin1', lineStart, end));
}

/**
 * The bytes read and not yet taken, in one buffer that is reused: messages are copied out of it
 * (unless borrowed), so a message kept by the caller pins nothing else.
 * Grows by doubling, so a huge message costs O(n) copying, not O(n^2).
 */
class ByteQueue {
  private buf = Buffer.allocUnsafe(QUEUE_BUFFER_BYTES);
  start = 0;
  end = 0;
  /** Room for at least `n` more bytes after `end`. */
  reserve(n: number) {
    if (this.end + n <= this.buf.length) return;
    const live = this.end - this.start;
    let size = this.buf.length;
    while (size < live + n) size *= 2;
    const next = size === this.buf.length ? this.buf : Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.start, this.end);
    this.buf = next;
    this.start = 0;
    this.end = live;
  }
  push(chunk: Buffer) {
    this.reserve(chunk.length);
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }
  /**
   * Reads up to `n` bytes of `fd` straight into the queue; 0 at the end of the file. Synchronous:
   * a local file comes from the page cache faster than a trip through the thread pool, which only
   * left this thread idle.
   */
  readFrom(fd: number, n: number): number {
    this.reserve(n);
    const bytesRead = fs.readSync(fd, this.buf, this.end, n, null);
    this.end += bytesRead;
    return bytesRead;
  }
  view(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
  drop(n: number) {
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
  }
  get length() {
    return this.end - this.start;
  }
}

/** mboxrd: lines ">From ", ">>From ", ... lose exactly one ">". */
export function unescapeMboxrd(message: Buffer): Buffer {
  if (message.indexOf('>From ', 0, 'latin1') < 0) return message;
  const text = message.toString('latin1');
  return Buffer.from(text.replace(/^>(>*From )/gm, '$1'), 'latin1');
}

/** True when the bytes are only whitespace (as String.prototype.trim sees latin1 text). */
function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (!isLatin1Space(b)) return false;
  return true;
}

/** A message's bytes between its separator line and the blank line the mbox format adds after it. */
function messageBody(block: Buffer): Buffer {
  const nl = block.indexOf(0x0a);
  let body = nl < 0 ? block.subarray(block.length) : block.subarray(nl + 1);
  if (body.length >= 2 && body[body.length - 1] === 0x0a && body[body.length - 2] === 0x0a) body = body.subarray(0, -1);
  else if (body.length >= 4 && body.subarray(-4).toString('latin1') === '\r\n\r\n') body = body.subarray(0, -2);
  return body;
}

/** `at` when it is where `bytes` has "\n\n", else -1: a hint is passed on only when it is right. */
function blankLineAt(bytes: Buffer, at: number): number {
  return at >= 0 && bytes[at] === 0x0a && bytes[at + 1] === 0x0a ? at : -1;
}

const CONTENT_LENGTH = Buffer.from('Content-Length:', 'latin1');
const CONTENT_LENGTH_LOWER = Buffer.from('content-length:', 'latin1');

/**
 * What the reader learns from a message's header block: where its first "\n\n" is (-1: not in
 * `buf`), and its Content-Length (mboxcl/mboxcl2) when it names one. 'incomplete': read more first.
 */
type HeaderFacts = { blank: number; length?: { bodyStart: number; length: number } };

/** True when the line at `lineStart` is empty: "\n", or "\r\n" in a CRLF archive. */
function isEmptyLine(buf: Buffer, lineStart: number): boolean {
  return buf[lineStart] === 0x0a || (buf[lineStart] === 0x0d && buf[lineStart + 1] === 0x0a);
}

function headerFacts(buf: Buffer, messageStart: number): HeaderFacts | 'incomplete' {
  const firstNl = buf.indexOf(0x0a, messageStart);
  if (firstNl < 0) return 'incomplete';
  const scanEnd = firstNl + CONTENT_LENGTH_SCAN_BYTES;
  // One walk over the header lines finds the blank line and a Content-Length header (a line that
  // starts "Content-Length:", else one that starts "content-length:"): searching the block for each
  // was twice the work, and found the words inside other headers too.
  let upper = -1;
  let lower = -1;
  let nl = firstNl;
  for (;;) {
    const lineStart = nl + 1;
    // The blank line ending the headers: nl is its "\n\n", or the "\n" before "\r\n" (CRLF).
    if (lineStart < buf.length && isEmptyLine(buf, lineStart)) break;
    if (lineStart + 1 === buf.length && buf[lineStart] === 0x0d) return 'incomplete';
    if (lineStart > scanEnd) return { blank: -1 }; // a header this long names no length we trust
    if (upper < 0 && (buf[lineStart] === 0x43 || buf[lineStart] === 0x63)) {
      if (hasAt(buf, lineStart, CONTENT_LENGTH)) upper = lineStart;
      else if (lower < 0 && hasAt(buf, lineStart, CONTENT_LENGTH_LOWER)) lower = lineStart;
    }
    nl = buf.indexOf(0x0a, lineStart);
    if (nl < 0) return buf.length < scanEnd ? 'incomplete' : { blank: -1 };
  }
  const crlf = buf[nl + 1] === 0x0d;
  const blank = crlf ? -1 : nl; // the hint names a "\n\n" only
  const at = upper >= 0 ? upper : lower;
  if (at < 0) return { blank };
  const m = /^[Cc]ontent-[Ll]ength:\s*(\d+)\s*$/.exec(buf.toString('latin1', at, buf.indexOf(0x0a, at)));
  return { blank, length: m ? { bodyStart: nl + (crlf ? 3 : 2), length: Number(m[1]) } : undefined };
}

/**
 * Splits an mbox stream (mboxrd, mboxo, mboxcl, mboxcl2) into messages without holding more than one
 * message in memory. Every byte ends up in a message or a quarantine entry: oversized messages, text
 * before the first separator, and a message cut off by a damaged stream are quarantined with a reason.
 */
export async function* readMbox(source: MboxSource, options: MboxReadOptions): AsyncGenerator<MboxEntry> {
  const queue = new ByteQueue();
  let consumed = 0; // stream offset of queue.view()[0]
  let searchFrom = 0; // index in view() from which to look for the next separator
  let started = false;
  let skipping: { offset: number; size: number; sample: Buffer } | undefined;
  /** A "From " after a ">" was seen in the message being read: it may need mboxrd unescaping. */
  let escapedFromSeen = false;

  /** `blank`: index in `block` of its first "\n\n" after the separator line, -1 when not known. */
  function* emit(block: Buffer, offset: number, blank: number): Generator<MboxEntry> {
    if (!started) {
      started = true;
      if (!isSeparatorAt(block, 0)) {
        if (block.toString('latin1').trim().length > 0) {
          yield { kind: 'quarantine', offset, size: block.length, reason: 'bytes before the first "From " separator line', sample: Buffer.from(block.subarray(0, QUARANTINE_SAMPLE_BYTES)) };
        }
        return;
      }
    }
    const nl = block.indexOf(0x0a);
    const separator = block.toString('latin1', 0, nl < 0 ? block.length : nl);
    if (!CLEAN_SEPARATOR.test(separator)) {
      yield { kind: 'quarantine', offset, size: block.length, reason: 'damaged "From " separator line', sample: Buffer.from(block.subarray(0, QUARANTINE_SAMPLE_BYTES)) };
      return;
    }
    const body = messageBody(block);
    if (isBlank(body)) {
      yield { kind: 'quarantine', offset, size: block.length, reason: 'empty message', sample: Buffer.from(block) };
      return;
    }
    const bytes = escapedFromSeen ? unescapeMboxrd(body) : body;
    const blankLine = bytes === body ? blankLineAt(bytes, blank - (body.byteOffset - block.byteOffset)) : -1;
    yield { kind: 'message', offset, bytes: bytes === body && !options.borrow ? Buffer.from(body) : bytes, blankLine };
  }

  /**
   * Index of the next separator line start in `view` after the newline at or after `from`, or -1.
   * One search for "From " finds separators (after a newline) and notes mboxrd escapes (after a
   * ">"), so a message without any is not searched again for them.
   */
  function nextSeparator(view: Buffer, from: number): number {
    let i = from + 1;
    for (;;) {
      const hit = view.indexOf('From ', i, 'latin1');
      if (hit < 0) return -1;
      const before = view[hit - 1];
      if (before === 0x3e) escapedFromSeen = true;
      else if (before === 0x0a) {
        if (view.indexOf(0x0a, hit) < 0 && view.length - hit < 199) {
          escapedFromSeen = true; // the rest is not searched now: let unescaping look for itself
          return -2; // separator line not complete yet
        }
        if (isSeparatorAt(view, hit)) return hit;
      }
      i = hit + 1;
    }
  }

  /**
   * Splits what is queued into entries. `final`: nothing more will come. `cut`: the stream broke
   * there, so the last block is a message cut short: quarantined with that reason, not kept.
   */
  function* drain(final: boolean, cut?: string): Generator<MboxEntry> {
    for (;;) {
      const view = queue.view();
      if (skipping) {
        const sep = nextSeparator(view, Math.max(0, searchFrom - 1));
        if (sep < 0 && !final) {
          const keep = Math.min(view.length, 200);
          skipping.size += view.length - keep;
          queue.drop(view.length - keep);
          consumed += view.length - keep;
          searchFrom = 0;
          escapedFromSeen = false;
          return;
        }
        const end = sep < 0 ? view.length : sep;
        skipping.size += end;
        yield { kind: 'quarantine', offset: skipping.offset, size: skipping.size, reason: `message larger than the ${options.maxMessageBytes}-byte limit (${skipping.size} bytes)`, sample: skipping.sample };
        skipping = undefined;
        queue.drop(end);
        consumed += end;
        searchFrom = 0;
        escapedFromSeen = false;
        if (sep < 0) return;
        continue;
      }
      if (view.length === 0) return;
      // mboxcl2: trust Content-Length when the byte after the body starts the next separator (or EOF).
      const facts = isSeparatorAt(view, 0) ? headerFacts(view, 0) : undefined;
      if (facts === 'incomplete' && !final) return; // the header block is not all here yet
      const blank = facts && facts !== 'incomplete' ? facts.blank : -1;
      const cl = facts && facts !== 'incomplete' ? facts.length : undefined;
      if (cl) {
        const after = cl.bodyStart + cl.length;
        if (after <= view.length) {
          const restStart = after < view.length && view[after] === 0x0a ? after + 1 : after;
          const lineComplete = view.indexOf(0x0a, restStart) >= 0;
          if (!final && (restStart >= view.length || !lineComplete)) return; // cannot tell yet what follows the body
          if (restStart >= view.length || isSeparatorAt(view, restStart)) {
            started = true;
            const block = options.borrow ? view.subarray(0, after) : Buffer.from(view.subarray(0, after));
            const nl = block.indexOf(0x0a);
            const bytes = block.subarray(nl + 1);
            yield { kind: 'message', offset: consumed, bytes, blankLine: blankLineAt(bytes, blank - nl - 1) };
            queue.drop(restStart);
            consumed += restStart;
            searchFrom = 0;
            escapedFromSeen = false;
            continue;
          }
        } else if (!final && after - view.length < options.maxMessageBytes) {
          return; // wait for the rest of the body
        }
      }
      const sep = nextSeparator(view, Math.max(0, searchFrom - 1));
      if (sep === -2 && !final) return;
      if (sep < 0) {
        if (!final) {
          if (view.length > options.maxMessageBytes) {
            skipping = { offset: consumed, size: 0, sample: Buffer.from(view.subarray(0, QUARANTINE_SAMPLE_BYTES)) };
            started = true;
            continue;
          }
          searchFrom = Math.max(0, view.length - 6);
          return;
        }
        if (cut && started) {
          yield { kind: 'quarantine', offset: consumed, size: view.length, reason: `${cut}; this message is incomplete`, sample: Buffer.from(view.subarray(0, QUARANTINE_SAMPLE_BYTES)) };
        } else {
          yield* emit(view, consumed, blank);
        }
        consumed += view.length;
        queue.drop(view.length);
        return;
      }
      if (sep > options.maxMessageBytes) {
        skipping = { offset: consumed, size: 0, sample: Buffer.from(view.subarray(0, QUARANTINE_SAMPLE_BYTES)) };
        started = true;
        continue;
      }
      yield* emit(view.subarray(0, sep), consumed, blank);
      queue.drop(sep);
      consumed += sep;
      searchFrom = 0;
      escapedFromSeen = false;
    }
  }

  let damage: Error | undefined;
  try {
    if (source instanceof PlainFile) {
      while (queue.readFrom(source.fd, FILE_READ_BYTES) > 0) yield* drain(false);
    } else {
      for await (const chunk of source) {
        queue.push(chunk as Buffer);
        yield* drain(false);
      }
    }
  } catch (err) {
    damage = err as Error;
  } finally {
    if (source instanceof PlainFile) source.close();
  }
  if (damage) {
    // Every complete message before the damage is an entry of its own; only the one the damage cut
    // is quarantined (none when the stream ended where it should and only a checksum failed).
    const mailBytes = consumed + queue.length;
    const gzip = damage instanceof GzipDamage ? damage : undefined;
    const where = gzip ? `archive damaged at byte ${gzip.archiveOffset} of the compressed file, after ${mailBytes} bytes of mail` : `archive damaged after byte ${mailBytes}`;
    yield* drain(true, gzip?.complete ? undefined : `${where} (${damage.message})`);
    yield* notesOf(source);
    throw new ArchiveDamagedError(`${where}: ${damage.message}`, gzip ? gzip.archiveOffset : mailBytes, { cause: damage });
  }
  yield* drain(true);
  yield* notesOf(source);
}

/** What a gzip archive reported that loses no mail (bytes after the gzip data), as quarantine entries. */
function* notesOf(source: MboxSource): Generator<MboxEntry> {
  if (!(source instanceof GzipArchive)) return;
  for (const note of source.notes) yield { kind: 'quarantine', offset: note.offset, size: note.size, reason: note.reason, sample: note.sample };
}

/** An uncompressed archive file, read by readMbox straight into its buffer (no stream, no chunk copies). */
export class PlainFile {
  constructor(readonly fd: number) {}
  close() {
    fs.closeSync(this.fd);
  }
}

/** What readMbox reads: a stream of archive bytes, a plain file, or a gzip file. */
export type MboxSource = Readable | PlainFile | GzipArchive | AsyncIterable<Buffer>;

/** Opens an mbox file, gunzipping when it is gzip (by magic bytes, not by name). */
export function openArchive(file: string): MboxSource {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory (use --maildir or --public-inbox for folders)' : (err as Error).message}`);
  }
  const magic = Buffer.alloc(2);
  fs.readSync(fd, magic, 0, 2, 0);
  if (magic[0] === 0x1f && magic[1] === 0x8b) return GzipArchive.fromFile(file, fd);
  return new PlainFile(fd);
}
