import fs from 'node:fs';
import zlib from 'node:zlib';
import type { TransformOptions } from 'node:stream';

/**
 * Reading a .gz archive so that nothing the decompressor can produce is lost.
 *
 * The fast path is zlib's gunzip stream, as fast as gunzip gets. But when it meets damage it throws
 * away the output it has not handed over yet (up to a chunk), and bytes after the last member that are
 * not gzip make it fail outright. So when it fails, the file is walked again member by member
 * (RFC 1952): each member's deflate data is inflated to the last byte zlib can decode, the damage is
 * placed at the byte where zlib finds it, a member whose checksum or length is wrong keeps its data
 * (as `gzip -d` does, and says so), and bytes after the last member are reported, not read as mail.
 * The walk hands on only what the fast path had not, so the mail reader sees one stream of bytes.
 */

/** Something about the archive that loses no mail but should be told: bytes after the gzip data. */
export interface ArchiveNote {
  /** Byte offset in the .gz file. */
  offset: number;
  size: number;
  reason: string;
  sample: Buffer;
}

/** The archive's gzip data is damaged at `archiveOffset`; the mail before it has been handed on. */
export class GzipDamage extends Error {
  constructor(
    message: string,
    readonly archiveOffset: number,
    /** True when the mail stream ended where its member said it ends (only a check failed): nothing is cut. */
    readonly complete: boolean,
  ) {
    super(message);
    this.name = 'GzipDamage';
  }
}

const NOTE_SAMPLE_BYTES = 64 * 1024;
/** Pieces the walk hands on, so the reader's buffer grows no more than with the stream. */
const PIECE_BYTES = 1 << 20;

/** Walks a gzip file member by member; see the module comment. Yields mail bytes, returns what it found. */
export function* walkGzipMembers(gz: Buffer): Generator<Buffer, { notes: ArchiveNote[]; damage?: GzipDamage }> {
  const notes: ArchiveNote[] = [];
  const checkFailures: string[] = [];
  let firstCheckFailure = -1;
  const damaged = (reason: string, offset: number, complete: boolean) => {
    const all = [...checkFailures, reason].filter(Boolean);
    return { notes, damage: new GzipDamage(all.join('; '), firstCheckFailure >= 0 ? firstCheckFailure : offset, complete) };
  };
  let pos = 0;
  while (pos < gz.length) {
    const header = readGzipHeader(gz, pos);
    if ('problem' in header) {
      if (pos === 0) return damaged(`not gzip data: ${header.problem}`, header.at, false);
      // After a complete member: padding of zeros is common and harmless; anything else is not
      // gzip data, which `gzip -d` ignores with a warning. It is reported, not read as mail.
      if (!gz.subarray(pos).every((b) => b === 0)) {
        notes.push({ offset: pos, size: gz.length - pos, reason: `${gz.length - pos} bytes after the end of the gzip data at byte ${pos} are not gzip (${header.problem}): ignored, as gzip does`, sample: Buffer.from(gz.subarray(pos, pos + NOTE_SAMPLE_BYTES)) });
      }
      break;
    }
    const data = gz.subarray(header.dataStart);
    let inflated: { buffer: Buffer; consumed: number };
    try {
      inflated = inflateRaw(data, data.length);
    } catch (err) {
      const good = longestDecodable(data);
      yield* pieces(inflateRaw(data, good).buffer);
      return damaged((err as Error).message, header.dataStart + good, false);
    }
    yield* pieces(inflated.buffer);
    const trailer = header.dataStart + inflated.consumed;
    if (inflated.consumed === data.length || trailer + 8 > gz.length) {
      // The data ran out: either inside the deflate stream (cut) or inside the trailer after it.
      const ended = streamEnds(data);
      return damaged(ended ? 'the gzip trailer (checksum and length) is cut off' : 'unexpected end of file', gz.length, ended);
    }
    const problems: string[] = [];
    if (crc32(inflated.buffer) !== gz.readUInt32LE(trailer)) problems.push(`incorrect data check in the gzip trailer at byte ${trailer}: the member's mail may have damaged bytes`);
    if ((inflated.buffer.length >>> 0) !== gz.readUInt32LE(trailer + 4)) problems.push(`incorrect length check in the gzip trailer at byte ${trailer + 4}`);
    if (problems.length) {
      if (firstCheckFailure < 0) firstCheckFailure = trailer;
      checkFailures.push(...problems);
    }
    pos = trailer + 8;
  }
  return checkFailures.length ? damaged('', firstCheckFailure, true) : { notes };
}

function* pieces(buffer: Buffer): Generator<Buffer> {
  for (let i = 0; i < buffer.length; i += PIECE_BYTES) yield buffer.subarray(i, i + PIECE_BYTES);
}

/** Inflates the first `end` bytes of raw deflate data, as far as they go; throws on damage. */
function inflateRaw(data: Buffer, end: number): { buffer: Buffer; consumed: number } {
  const r = zlib.inflateRawSync(data.subarray(0, end), { finishFlush: zlib.constants.Z_SYNC_FLUSH, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
  // bytesWritten counts the input zlib consumed: where the deflate stream ended, when it ended.
  return { buffer: r.buffer, consumed: r.engine.bytesWritten };
}

/** True when the deflate data reaches its end-of-stream mark (zlib asks for no more input). */
function streamEnds(data: Buffer): boolean {
  try {
    zlib.inflateRawSync(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * The length of the longest prefix of `data` that zlib decodes without an error. zlib finds damage
 * at one byte, and every prefix that reaches that byte fails: a binary search finds it.
 */
function longestDecodable(data: Buffer): number {
  let good = 0;
  let bad = data.length;
  while (bad - good > 1) {
    const mid = good + Math.floor((bad - good) / 2);
    try {
      zlib.inflateRawSync(data.subarray(0, mid), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      good = mid;
    } catch {
      bad = mid;
    }
  }
  return good;
}

const FTEXT_MASK = 0xe0; // reserved flag bits: must be zero
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

/** A gzip member header at `pos` (RFC 1952, 2.3): where its deflate data starts, or what is wrong. */
export function readGzipHeader(gz: Buffer, pos: number): { dataStart: number } | { problem: string; at: number } {
  if (gz.length - pos < 10) return { problem: 'too short for a gzip header', at: pos };
  if (gz[pos] !== 0x1f || gz[pos + 1] !== 0x8b) return { problem: 'no gzip magic number', at: pos };
  if (gz[pos + 2] !== 8) return { problem: `unknown compression method ${gz[pos + 2]}`, at: pos + 2 };
  const flags = gz[pos + 3];
  if (flags & FTEXT_MASK) return { problem: 'reserved header flags set', at: pos + 3 };
  let at = pos + 10;
  if (flags & FEXTRA) {
    if (at + 2 > gz.length) return { problem: 'header cut off', at: gz.length };
    at += 2 + gz.readUInt16LE(at);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flags & flag)) continue;
    const end = gz.indexOf(0, at);
    if (end < 0) return { problem: 'header cut off', at: gz.length };
    at = end + 1;
  }
  if (flags & FHCRC) at += 2;
  if (at > gz.length) return { problem: 'header cut off', at: gz.length };
  return { dataStart: at };
}

/** CRC-32 of the gzip trailer: zlib's own where Node has it (20.15+), a table otherwise. */
const crc32: (data: Buffer) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => (zlib as unknown as { crc32(d: Buffer): number }).crc32(data) >>> 0
    : (() => {
        const table = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          table[n] = c >>> 0;
        }
        return (data: Buffer) => {
          let c = 0xffffffff;
          for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
          return (c ^ 0xffffffff) >>> 0;
        };
      })();

/**
 * A .gz archive as a stream of mail bytes: the gunzip stream while it goes well, the member walk
 * from where it stopped when it does not. `notes` holds what the walk reported, once iteration ends;
 * damage ends the iteration with a GzipDamage after every byte that could be read.
 */
export class GzipArchive implements AsyncIterable<Buffer> {
  readonly notes: ArchiveNote[] = [];
  /**
   * `compressed`: the .gz bytes as a stream; `readAll`: all of them again, for the walk (a file is
   * read anew, a download kept); `close`: called once iteration ends, however it ends.
   */
  constructor(private readonly source: { compressed(): NodeJS.ReadableStream; readAll(): Buffer | Promise<Buffer>; close?(): void }) {}

  static fromFile(file: string, fd: number): GzipArchive {
    return new GzipArchive({
      compressed: () => fs.createReadStream(file, { fd, start: 0, highWaterMark: 1 << 20, autoClose: false }),
      readAll: () => fs.readFileSync(file),
      close: () => fs.closeSync(fd),
    });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      yield* this.read();
    } finally {
      this.source.close?.();
    }
  }

  private async *read(): AsyncGenerator<Buffer> {
    // Room for several inflated chunks, so zlib (on the thread pool) runs ahead of the reader. Chunks
    // of 256 KB: with 1 MB ones a month's peak memory was 25 MB higher (dead chunks outlive their use
    // longer), for no gain in time (npm run bench -- threads).
    // zlib hands stream options on to its Transform; its own options type does not list them.
    const options: zlib.ZlibOptions & TransformOptions = { chunkSize: 1 << 18, readableHighWaterMark: 4 << 20 };
    const gunzip = zlib.createGunzip(options);
    const raw = this.source.compressed();
    let readError: Error | undefined;
    raw.on('error', (err: Error) => {
      readError = err;
      gunzip.destroy(err);
    });
    let handedOn = 0;
    try {
      for await (const chunk of raw.pipe(gunzip)) {
        handedOn += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
      return;
    } catch (err) {
      if (readError) throw readError;
    }
    // The stream failed: walk the members and hand on what it had not.
    const walk = walkGzipMembers(await this.source.readAll());
    let skip = handedOn;
    for (;;) {
      const step = walk.next();
      if (step.done) {
        this.notes.push(...step.value.notes);
        if (step.value.damage) throw step.value.damage;
        return;
      }
      let piece = step.value;
      if (skip >= piece.length) {
        skip -= piece.length;
        continue;
      }
      piece = piece.subarray(skip);
      skip = 0;
      yield piece;
    }
  }
}
