/**
 * The damage the archives harness does, and what it expects to come out, worked out here without the
 * reader: a case is a few consecutive messages of the bundled sample, harmed at the message level
 * (issue 17.1's classes) and then, for half the cases, gzipped and harmed at the gzip level (issue
 * 20 A's classes). The expectation is a count of entries in the text a decompressor can give back,
 * by this file's own counter.
 */
import zlib from 'node:zlib';
import { seededRng, type Rng } from './util.js';

export { seededRng, type Rng };

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/**
 * The mbox separator rule, as the format states it: a line that starts "From ", names a sender, and
 * carries an asctime date (so a time of day), ended by a newline. Looked for in a line's first 200
 * characters. A line cut off by the end of the text is not a separator yet.
 */
const SEPARATOR_LINE = /^From \S* +.*\d{1,2}:\d{2}/;

/** Entries an mbox holds: one per separator line, plus one for non-blank text before the first. */
export function countEntries(text: string): number {
  let entries = 0;
  let first = -1;
  for (let pos = 0; pos < text.length; ) {
    const end = text.indexOf('\n', pos);
    if (end < 0) break;
    if (text.startsWith('From ', pos) && SEPARATOR_LINE.test(text.slice(pos, Math.min(end, pos + 200)))) {
      entries++;
      if (first < 0) first = pos;
    }
    pos = end + 1;
  }
  if ((first < 0 ? text : text.slice(0, first)).trim().length > 0) entries++;
  return entries;
}

/** The sample's messages, each with its separator line and the blank line after it (latin1 text). */
export function splitMessages(mbox: string): string[] {
  const starts: number[] = [];
  for (let pos = 0; pos < mbox.length; ) {
    const end = mbox.indexOf('\n', pos);
    const lineEnd = end < 0 ? mbox.length : end;
    if (mbox.startsWith('From ', pos) && SEPARATOR_LINE.test(mbox.slice(pos, Math.min(lineEnd, pos + 200)))) starts.push(pos);
    pos = lineEnd + 1;
  }
  return starts.map((s, i) => mbox.slice(s, starts[i + 1] ?? mbox.length));
}

/** Message-level damage (issue 17.1). Each takes the messages and returns them changed. */
type MessageDamage = (messages: string[], rng: Rng) => string[];

function headerEnd(message: string): number {
  const end = message.indexOf('\n\n');
  return end < 0 ? message.length : end;
}
/** Adds a header line at the end of a message's header block. */
function addHeader(message: string, line: string): string {
  const end = headerEnd(message);
  return `${message.slice(0, end)}\n${line}${message.slice(end)}`;
}
/** Replaces a header (first occurrence, case-insensitive, folded lines included), or adds it. */
function setHeader(message: string, name: string, value: string | null): string {
  const end = headerEnd(message);
  const head = message.slice(0, end);
  const re = new RegExp(`\\n${name}:[^\\n]*(\\n[ \\t][^\\n]*)*`, 'i');
  const replaced = re.test(head) ? head.replace(re, value === null ? '' : `\n${name}: ${value}`) : value === null ? head : `${head}\n${name}: ${value}`;
  return replaced + message.slice(end);
}
function headerValue(message: string, name: string): string | undefined {
  const m = new RegExp(`\\n${name}:\\s*([^\\n]*)`, 'i').exec(message.slice(0, headerEnd(message)));
  return m?.[1].trim();
}
const someIndex = (messages: string[], rng: Rng) => int(rng, 0, messages.length - 1);
function changeOne(messages: string[], rng: Rng, change: (m: string) => string): string[] {
  const out = [...messages];
  const i = someIndex(out, rng);
  out[i] = change(out[i]);
  return out;
}

export const MESSAGE_DAMAGE: Record<string, MessageDamage> = {
  'duplicated From line': (ms, rng) => changeOne(ms, rng, (m) => m.slice(0, m.indexOf('\n') + 1) + m),
  'deleted From line': (ms, rng) => changeOne(ms, rng, (m) => m.slice(m.indexOf('\n') + 1)),
  'unescaped From line': (ms, rng) =>
    changeOne(ms, rng, (m) => {
      const line = pick(rng, ['From the start, this was wrong.', 'From someone@example.org Mon Jan  5 10:00:00 2026', 'From: not a separator']);
      const end = headerEnd(m);
      return `${m.slice(0, end + 2)}${line}\n${m.slice(end + 2)}`;
    }),
  '1 MB header line': (ms, rng) => changeOne(ms, rng, (m) => addHeader(m, `X-Long: ${'a'.repeat(1 << 20)}`)),
  'thousands of headers': (ms, rng) => changeOne(ms, rng, (m) => addHeader(m, Array.from({ length: int(rng, 2000, 5000) }, (_, i) => `X-Many-${i}: value ${i}`).join('\n'))),
  'bad charset': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Content-Type', `text/plain; charset="${pick(rng, ['x-no-such-charset', 'utf-99', '', '\u00ff\u00fe'])}"`)),
  'bad transfer encoding': (ms, rng) =>
    changeOne(ms, rng, (m) => {
      const cte = pick(rng, ['base64', 'quoted-printable', 'x-uuencode-nonsense', '8bit; junk']);
      const end = headerEnd(m);
      const body = cte === 'base64' ? '!!!! not base64 ====\n@@@@\n' : cte === 'quoted-printable' ? '=ZZ broken =\n=4 =XY\n' : m.slice(end + 2);
      return setHeader(m.slice(0, end + 2) + body, 'Content-Transfer-Encoding', cte);
    }),
  'multipart without boundary': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Content-Type', pick(rng, ['multipart/mixed', 'multipart/alternative; boundary="never-used"', 'multipart/mixed; boundary=']))),
  'nested message/rfc822': (ms, rng) =>
    changeOne(ms, rng, (m) => {
      const sep = m.slice(0, m.indexOf('\n') + 1);
      let inner = m.slice(sep.length).replace(/\n+$/, '\n');
      for (let depth = int(rng, 1, 40); depth > 0; depth--) {
        inner = `From: Nest ${depth} <nest${depth}@example.org>\nSubject: level ${depth}\nMessage-ID: <nest-${depth}-${int(rng, 0, 1e9)}@example.org>\nContent-Type: multipart/mixed; boundary="b${depth}"\n\n--b${depth}\nContent-Type: message/rfc822\n\n${inner}\n--b${depth}--\n`;
      }
      return `${sep}${inner}\n`;
    }),
  'missing Message-ID': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Message-ID', null)),
  'duplicate Message-ID': (ms, rng) => {
    const out = [...ms];
    const id = headerValue(out[someIndex(out, rng)], 'Message-ID') ?? '<dup@example.org>';
    const i = someIndex(out, rng);
    out[i] = setHeader(out[i], 'Message-ID', id);
    return out;
  },
  'huge Message-ID': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Message-ID', `<${'x'.repeat(int(rng, 1000, 200_000))}@example.org>`)),
  'reference loop': (ms, rng) => {
    const out = [...ms];
    const a = someIndex(out, rng);
    const b = someIndex(out, rng);
    const idA = headerValue(out[a], 'Message-ID') ?? '<a@example.org>';
    const idB = headerValue(out[b], 'Message-ID') ?? '<b@example.org>';
    out[a] = setHeader(setHeader(out[a], 'In-Reply-To', idB), 'References', `${idA} ${idB}`);
    out[b] = setHeader(setHeader(out[b], 'In-Reply-To', idA), 'References', `${idB} ${idA}`);
    return out;
  },
  'date in year 0': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Date', 'Mon, 1 Jan 0000 00:00:00 +0000')),
  'date in year 9999': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Date', 'Fri, 31 Dec 9999 23:59:59 +1400')),
  'garbage date': (ms, rng) => changeOne(ms, rng, (m) => setHeader(m, 'Date', pick(rng, ['yesterday-ish', '99 Foo 2026 25:61:61 +9999', '', '\u0000\u00ff']))),
};

/** Byte-level damage of the mbox text, done after the message-level kind. */
type TextDamage = (text: string, rng: Rng) => string;

const at = (text: string, rng: Rng) => int(rng, 0, text.length);
export const TEXT_DAMAGE: Record<string, TextDamage> = {
  'byte flips': (t, rng) => {
    const chars = t.split('');
    for (let n = int(rng, 1, 20); n > 0 && chars.length; n--) chars[int(rng, 0, chars.length - 1)] = String.fromCharCode(int(rng, 0, 255));
    return chars.join('');
  },
  NULs: (t, rng) => {
    for (let n = int(rng, 1, 10); n > 0; n--) {
      const i = at(t, rng);
      t = `${t.slice(0, i)}\u0000${t.slice(i)}`;
    }
    return t;
  },
  CRLF: (t) => t.replace(/\n/g, '\r\n'),
  'CRLF/LF mix': (t, rng) => t.replace(/\n/g, () => (rng() < 0.5 ? '\r\n' : '\n')),
  truncation: (t, rng) => t.slice(0, at(t, rng)),
};

/** One gzip member as the harness built it: where its deflate data and trailer are. */
interface Member {
  start: number;
  dataStart: number;
  trailerStart: number;
  end: number;
  plain: string;
}

/** Gzip-level damage (issue 20 A, plus truncation and multi-member files). */
export const GZIP_DAMAGE = ['none', 'several members', 'truncation', 'trailing text', 'trailing junk with gzip magic', 'trailing zeros', 'flips in deflate data', 'flips in CRC or length', 'CRLF and truncation'] as const;
export type GzipDamage = (typeof GZIP_DAMAGE)[number];

export interface ArchiveCase {
  /** What was done, for the report and the reproducer. */
  classes: string[];
  gzip: boolean;
  bytes: Buffer;
  /** Entries in what a decompressor can give back (all of it for plain files), by countEntries. */
  expectedEntries: number;
  /** Entries in the undamaged gzip content (before gzip-level damage), for "messages lost" figures. */
  contentEntries: number;
  /** Bytes after the gzip data that are not gzip: expected as one entry more, the report of them. */
  trailingEntry?: boolean;
}

/** Output of the longest prefix of raw deflate data that zlib decodes without an error. */
export function longestDecodablePrefix(data: Buffer): Buffer {
  const decode = (n: number) => zlib.inflateRawSync(data.subarray(0, n), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  try {
    return decode(data.length);
  } catch {
    // The first byte at which zlib sees an error is where every longer prefix fails too.
    let good = 0;
    let bad = data.length;
    while (bad - good > 1) {
      const mid = (good + bad) >> 1;
      try {
        decode(mid);
        good = mid;
      } catch {
        bad = mid;
      }
    }
    return decode(good);
  }
}

function gzipMembers(text: string, count: number, rng: Rng): { bytes: Buffer; members: Member[] } {
  const cuts = [0, ...Array.from({ length: count - 1 }, () => at(text, rng)).sort((a, b) => a - b), text.length];
  const members: Member[] = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const plain = text.slice(cuts[i], cuts[i + 1]);
    const gz = zlib.gzipSync(Buffer.from(plain, 'latin1'));
    // zlib writes a 10-byte header (no name, no extra fields) and an 8-byte trailer.
    members.push({ start: offset, dataStart: offset + 10, trailerStart: offset + gz.length - 8, end: offset + gz.length, plain });
    parts.push(gz);
    offset += gz.length;
  }
  return { bytes: Buffer.concat(parts), members };
}

/** Builds case `index` of a run seeded `seed` from the sample's messages. */
export function makeCase(sample: string[], seed: number, index: number): ArchiveCase {
  const rng = seededRng((seed * 1_000_003 + index * 7919) >>> 0);
  const count = int(rng, 2, 30);
  const first = int(rng, 0, sample.length - count);
  let messages = sample.slice(first, first + count);
  const classes: string[] = [];
  const messageKinds = Object.keys(MESSAGE_DAMAGE);
  for (let n = int(rng, 0, 2); n > 0; n--) {
    const kind = pick(rng, messageKinds);
    classes.push(kind);
    messages = MESSAGE_DAMAGE[kind](messages, rng);
  }
  let text = messages.join('');
  const gzip = rng() < 0.5;
  const textKinds = Object.keys(TEXT_DAMAGE).filter((k) => !(gzip && k === 'truncation') || rng() < 0.3);
  for (let n = int(rng, gzip ? 0 : 1, 2); n > 0; n--) {
    const kind = pick(rng, textKinds);
    classes.push(kind);
    text = TEXT_DAMAGE[kind](text, rng);
  }
  if (!gzip) {
    return { classes, gzip, bytes: Buffer.from(text, 'latin1'), expectedEntries: countEntries(text), contentEntries: countEntries(text) };
  }
  const damage = pick(rng, GZIP_DAMAGE);
  classes.push(`gzip: ${damage}`);
  if (damage === 'CRLF and truncation') text = text.replace(/\r?\n/g, '\r\n');
  const contentEntries = countEntries(text);
  const { bytes, members } = gzipMembers(text, damage === 'several members' ? int(rng, 2, 4) : rng() < 0.1 ? 2 : 1, rng);
  const all = members.map((m) => m.plain).join('');
  const done = (out: Buffer, recoverable: string): ArchiveCase => ({ classes, gzip, bytes: out, expectedEntries: countEntries(recoverable), contentEntries });
  switch (damage) {
    case 'none':
    case 'several members':
    case 'trailing zeros':
      return done(damage === 'trailing zeros' ? Buffer.concat([bytes, Buffer.alloc(int(rng, 1, 600))]) : bytes, all);
    // Bytes after the gzip data that are not gzip: all the mail is readable, and the bytes themselves
    // are one more entry, reported (quarantined) rather than dropped or read as mail.
    case 'trailing text':
      return { ...done(Buffer.concat([bytes, Buffer.from(pick(rng, ['some text after the archive\n', 'x', '\n', `${'junk '.repeat(int(rng, 1, 5000))}\n`]), 'latin1')]), all), trailingEntry: true };
    case 'trailing junk with gzip magic':
      return { ...done(Buffer.concat([bytes, Buffer.from([0x1f, 0x8b]), Buffer.from(Array.from({ length: int(rng, 0, 3000) }, () => int(rng, 0, 255)))]), all), trailingEntry: true };
    case 'flips in CRC or length': {
      const out = Buffer.from(bytes);
      const m = pick(rng, members);
      const i = int(rng, m.trailerStart, m.end - 1);
      out[i] ^= int(rng, 1, 255);
      return done(out, all);
    }
    case 'flips in deflate data': {
      // In the last member, so what follows the damage is only that member's own trailer.
      const out = Buffer.from(bytes);
      const m = members[members.length - 1];
      if (m.trailerStart <= m.dataStart) return done(out, all);
      for (let n = int(rng, 1, 3); n > 0; n--) out[int(rng, m.dataStart, m.trailerStart - 1)] ^= 1 << int(rng, 0, 7);
      const before = members.slice(0, -1).map((x) => x.plain).join('');
      return done(out, before + longestDecodablePrefix(out.subarray(m.dataStart, m.trailerStart + 8)).toString('latin1'));
    }
    case 'truncation':
    case 'CRLF and truncation': {
      const cut = int(rng, 0, bytes.length - 1);
      let recoverable = '';
      for (const m of members) {
        if (cut >= m.trailerStart) {
          recoverable += m.plain;
          continue;
        }
        if (cut > m.dataStart) recoverable += zlib.inflateRawSync(bytes.subarray(m.dataStart, cut), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).toString('latin1');
        break;
      }
      return done(bytes.subarray(0, cut), recoverable);
    }
  }
}
