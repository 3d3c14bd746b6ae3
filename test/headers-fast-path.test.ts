import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { headerEnd, MAX_HEADER_BYTES, readHeaders, readHeaderSlots } from '../lambdas/mail/headers.js';
import { parseMessageHeaders } from '../lambdas/parse/message.js';
import { addressParser } from 'postal-mime';
import { isListAddress, peopleIn, person } from '../lambdas/parse/people.js';
import { BOT_NAMES, BOT_SENDERS, botReason, classifyNoise } from '../lambdas/noise/classify.js';
import { baseSubject, compareDates, isReplySubject, MAX_REFERENCES, threadMessages, wasSplit } from '../lambdas/thread/jwz.js';
import type { ParsedMessage, Thread } from '../lambdas/model.js';
import { parseSubjectTags } from '../lambdas/series/subject.js';
import { collapseWhitespace } from '../lambdas/mail/text.js';
import { isoTimestamp, looseMailDate, strictMailDate } from '../lambdas/mail/dates.js';
import { readMbox, type MboxEntry } from '../lambdas/ingest/mbox-reader.js';
import { sampleMbox } from './helpers.js';

// The threads stage reads headers and scans bodies at the byte level; these tests hold each fast
// path to the plain definition it replaces, on every message of the sample.

const WANTED = new Set(['message-id', 'references', 'in-reply-to', 'date', 'from', 'to', 'cc', 'subject', 'list-id', 'x-mailing-list', 'x-change-id']);

async function sampleMessages(): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const e of readMbox(Readable.from([zlib.gunzipSync(fs.readFileSync(sampleMbox))]), { maxMessageBytes: 25 << 20 })) {
    if (e.kind === 'message') out.push(e.bytes);
  }
  return out;
}

/** Each sample message as archived, with CRLF line ends, and some hand-made header oddities. */
async function cases(): Promise<Buffer[]> {
  const messages = await sampleMessages();
  const crlf = messages.map((m) => Buffer.from(m.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'));
  const odd = [
    'Subject : spaced name\n\tfolded\n\n', ' \x0b: empty name\n cont: y\nFrom: a@b\n\n', '\xa0Cc\xa0: x@vger.kernel.org\n\nbody',
    'SUBJECT: upper\nsubject: lower\n\n', 'no colon line\n\tcont\nTo: x\n\n', 'To: a\r\n\r\n\n\nx', 'To: a\n\nx\r\n\r\n', 'A: b', '', '\n\n',
    'X-Patchwork-Hint: ignore\nAuto-Submitted: auto-generated\nX-Autoreply: yes\nPrecedence: bulk\nX-Change-ID: 20260105-x-1\nTo: a@vger.kernel.org\nCc: b@x\nList-Id: <l.x>\nX-Mailing-List: l@x\n\nbody',
  ].map((t) => Buffer.from(t, 'latin1'));
  return [...messages, ...crlf, ...odd];
}

/** The header block's end, found the plain way: the first blank line, LF or CRLF, within the limit. */
function plainHeaderEnd(bytes: Buffer) {
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  let i = bytes.indexOf('\n\n', 0, 'latin1');
  let j = bytes.indexOf('\r\n\r\n', 0, 'latin1');
  if (i < 0 || i > limit) i = -1;
  if (j < 0 || j > limit) j = -1;
  if (i >= 0 && (j < 0 || i < j)) return { end: i + 1, bodyOffset: i + 2 };
  if (j >= 0) return { end: j + 2, bodyOffset: j + 4 };
  return { end: limit, bodyOffset: limit };
}

test('headerEnd and the reading of wanted names agree with the plain reading, on every sample message (LF and CRLF)', async () => {
  for (const bytes of await cases()) {
    assert.deepEqual(headerEnd(bytes), plainHeaderEnd(bytes));
    const all = readHeaders(bytes);
    const slots = readHeaderSlots(bytes, [...WANTED]);
    const wanted = { bodyOffset: slots.bodyOffset, fields: new Map([...WANTED].flatMap((name, i) => (slots.values[i] ? [[name, slots.values[i]!] as const] : []))) };
    assert.equal(wanted.bodyOffset, all.bodyOffset);
    assert.deepEqual(wanted.fields, new Map([...all.fields].filter(([name]) => WANTED.has(name))));
  }
});

/** Lists named in To and Cc, found the plain way: every address on the lines, kept when it is a list's. */
function plainCcLists(bytes: Buffer): string[] {
  const { fields } = readHeaders(bytes);
  const text = `${fields.get('to')?.join(', ') ?? ''},${fields.get('cc')?.join(', ') ?? ''}`;
  return [...text.matchAll(/[\w.+-]+@[\w.-]+\.\w+/g)].map((m) => m[0].toLowerCase()).filter(isListAddress);
}

test('list addresses in To and Cc are the ones a full scan of the lines finds', async () => {
  for (const bytes of await cases()) {
    const h = parseMessageHeaders(bytes);
    assert.deepEqual(h.message.lists, [...new Set([...h.deliveryLists, ...plainCcLists(bytes)])].sort());
  }
  const piece = fc.constantFrom('@', '.', '-', '+', '_', ',', ' ', '<', '>', '"', 'A', 'x', '9', '\xc0', 'VGER.kernel.org', '@vger.kernel.org', '@kvack.org', 'kvack.org.', '@lists.linux-foundation.org', 'linux-mm', '@@');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }), fc.array(piece, { maxLength: 30 }), (to, cc) => {
      const bytes = Buffer.from(`Message-ID: <x@y>\nTo: ${to.join('')}\nCc: ${cc.join('')}\n\nbody\n`, 'latin1');
      assert.deepEqual(parseMessageHeaders(bytes).message.lists, [...new Set(plainCcLists(bytes))].sort());
    }),
    { numRuns: 2000 },
  );
});

test('a b4 change-id in the body is the first "change-id:" line, and review trailers are the trailer lines, as a line-by-line reading finds them', async () => {
  const withChangeId = Buffer.from('Message-ID: <a@b>\n\nx-change-id: no\nchange-id:\nchange-id: 20260105-foo-1a2b3c\nchange-id: later\n', 'latin1');
  assert.equal(parseMessageHeaders(withChangeId).changeId, '20260105-foo-1a2b3c');
  let seen = 0;
  for (const bytes of await cases()) {
    const { fields, bodyOffset } = readHeaders(bytes);
    const lines = bytes.toString('latin1', bodyOffset, bodyOffset + 256 * 1024).split('\n').map((l) => l.replace(/\r$/, ''));
    const expected = fields.get('x-change-id')?.[0]?.trim() || lines.map((l) => /^change-id: *(\S+)\s*$/.exec(l)?.[1]).find(Boolean);
    const h = parseMessageHeaders(bytes);
    assert.equal(h.changeId, expected);
    if (expected) seen++;
    // Review trailers: each "-by:" on a line that starts as a trailer counts, as the scan finds it.
    const trailers = lines.flatMap((line) => {
      const m = /^(Reviewed|Acked|Tested|Nacked|NACKed)-by:[^<\n]*<([^>\n]+)>/i.exec(line);
      const kind = m?.[1].toLowerCase() === 'nacked' ? 'nacked-by' : `${m?.[1].toLowerCase()}-by`;
      return m ? Array.from({ length: line.split('-by:').length - 1 }, () => ({ kind, email: m[2].trim().toLowerCase() })) : [];
    });
    assert.deepEqual(h.reviewTrailers, trailers);
  }
  assert.ok(seen > 0, 'the sample has b4 change-ids');
});

test('plain addresses read without the full address parser give the same people as it does', async () => {
  type Parsed = { name?: string; address?: string; group?: Parsed[] };
  const parsed = (raw: string) => {
    const out: ReturnType<typeof person>[] = [];
    const visit = (list: Parsed[]) => {
      for (const a of list) {
        if (a.group) visit(a.group);
        else if (a.address && a.address.includes('@')) out.push(person(a.name ?? '', a.address));
      }
    };
    visit(addressParser(raw) as Parsed[]);
    return out;
  };
  let values = 0;
  for (const bytes of await cases()) {
    const { fields } = readHeaders(bytes);
    for (const name of ['from', 'to', 'cc']) {
      for (const raw of fields.get(name) ?? []) {
        if (!/^[\x00-\x7f]*$/.test(raw)) continue; // 8-bit names take the full parser either way
        assert.deepEqual(peopleIn(raw), parsed(raw), raw);
        values++;
      }
    }
  }
  assert.ok(values > 1000);
  const chars = (set: string, max: number) => fc.array(fc.constantFrom(...set), { maxLength: max }).map((a) => a.join(''));
  fc.assert(
    fc.property(chars("aZq -'.", 12), chars(" aZ.,()'<>@;:[]!#~", 12), fc.constantFrom('', ' ', '  '), chars('ab9._+-', 8), fc.array(chars('ab9-_', 6), { minLength: 1, maxLength: 4 }), fc.constantFrom('bare', 'named', 'quoted'), (name, quoted, space, local, labels, form) => {
      const address = `${local}@${labels.join('.')}`;
      const raw = form === 'bare' ? address : form === 'named' ? `${name}${space}<${address}>` : `"${quoted}"${space}<${address}>`;
      assert.deepEqual(peopleIn(raw), parsed(raw), raw);
    }),
    { numRuns: 5000 },
  );
});

test('"applied, thanks" notes are told from the bytes as from the text split into lines', async () => {
  // The plain reading: the first 8 KB of the body as text, own lines kept until a signature or diff.
  const plainNote = (raw: Buffer, bodyOffset: number) => {
    const kept: string[] = [];
    for (const line of raw.toString('latin1', bodyOffset, Math.min(raw.length, bodyOffset + 8 * 1024)).split('\n')) {
      if (line === '-- ' || /^diff --git /.test(line)) break;
      if (/^\s*>/.test(line) || /wrote:\s*$/.test(line) || /^[A-Za-z-]+-by:/.test(line) || line.trim() === '') continue;
      kept.push(line.trim());
    }
    return kept.join(' ');
  };
  const applied = /\b(applied|queued|pushed|merged|picked up)\b[^.\n]*(thanks|thank you|to|into)\b/i;
  let notes = 0;
  for (const bytes of await cases()) {
    const h = parseMessageHeaders(bytes);
    h.message.subject = 'Re: a reply'; // every message read as a reply from a person
    h.message.from = { name: 'Some One', email: 'someone@example.org' };
    h.autoHeaders = [];
    const note = plainNote(bytes, h.bodyOffset);
    const expected = note.length < 600 && applied.test(note) ? '"applied, thanks" note' : undefined;
    assert.equal(classifyNoise(h, bytes)?.reason, expected);
    if (expected) notes++;
  }
  assert.ok(notes > 0, 'the sample has "applied, thanks" notes');
  // Random bodies made of the lines the reading tells apart, LF or CRLF, cut anywhere by the 8 KB limit.
  const line = fc.constantFrom('-- ', '-- \r', 'diff --git a/x b/x', 'diff --git', '> quoted', ' \t> quoted', '>', '', ' ', '\xa0', '\r', 'On Tue, Ada wrote:', 'Ada wrote: \r', 'wrote:x',
    'Reviewed-by: A <a@b>', '-by: x', 'X-by:', 'Acked-by:x', ' Acked-by: x', 'Applied, thanks!', 'applied to net-next, thanks', 'picked', 'up, thanks', 'x'.repeat(300), 'queued it into mm');
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), fc.boolean(), fc.nat(40), (lines, crlf, pad) => {
      const body = lines.join(crlf ? '\r\n' : '\n');
      const bytes = Buffer.from(`Message-ID: <n@x>\nSubject: Re: x\nFrom: A <a@example.org>\n\n${'y'.repeat(pad)}\n${body}`, 'latin1');
      const h = parseMessageHeaders(bytes);
      const note = plainNote(bytes, h.bodyOffset);
      const expected = note.length < 600 && applied.test(note) ? '"applied, thanks" note' : undefined;
      assert.equal(classifyNoise(h, bytes)?.reason, expected, JSON.stringify(body));
    }),
    { numRuns: 3000 },
  );
});

test('messages read in small chunks, or borrowed, are the same bytes as read in one piece, after later reads (the reader reuses its buffer)', async () => {
  const archive = zlib.gunzipSync(fs.readFileSync(sampleMbox));
  const read = async (chunks: Buffer[]) => {
    const out: MboxEntry[] = [];
    for await (const e of readMbox(Readable.from(chunks), { maxMessageBytes: 25 << 20 })) out.push(e);
    return out;
  };
  const whole = await read([archive]);
  // Borrowed messages are views, good until the next entry: copied at once, they are the same bytes.
  const borrowed: MboxEntry[] = [];
  for await (const e of readMbox(Readable.from([archive]), { maxMessageBytes: 25 << 20, borrow: true })) borrowed.push(e.kind === 'message' ? { ...e, bytes: Buffer.from(e.bytes) } : e);
  assert.deepEqual(borrowed, whole);
  for (const size of [4093, 1 << 20]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < archive.length; i += size) chunks.push(Buffer.from(archive.subarray(i, i + size)));
    assert.deepEqual(await read(chunks), whole);
  }
});

test('a message read without recipients is the message read with them, but for To, Cc and lists', async () => {
  for (const bytes of await cases()) {
    const full = parseMessageHeaders(bytes);
    const lean = parseMessageHeaders(bytes, { recipients: false });
    const { message: fm, deliveryLists: _fd, ...fRest } = full;
    const { message: lm, deliveryLists: ld, ...lRest } = lean;
    assert.deepEqual(lRest, fRest);
    assert.deepEqual(ld, []);
    const plain = (m: typeof fm) => ({ messageId: m.messageId, inReplyTo: m.inReplyTo, references: m.references, from: m.from, date: m.date, dateProblem: m.dateProblem, subject: m.subject, url: m.url });
    assert.deepEqual(plain(lm), plain(fm));
    assert.throws(() => lm.cc, /"cc" was not read/);
  }
});

test('the reader\'s blank-line hint is the first blank line (LF LF) of the message, and parsing with it is parsing without it', async () => {
  const archive = zlib.gunzipSync(fs.readFileSync(sampleMbox));
  const check = async (mbox: Buffer) => {
    let hinted = 0;
    for await (const e of readMbox(Readable.from([mbox]), { maxMessageBytes: 25 << 20 })) {
      if (e.kind !== 'message') continue;
      if (e.blankLine !== undefined && e.blankLine >= 0) {
        hinted++;
        assert.equal(e.blankLine, e.bytes.indexOf('\n\n', 0, 'latin1'));
      }
      assert.deepEqual(headerEnd(e.bytes, e.blankLine), headerEnd(e.bytes));
      assert.deepEqual(readHeaderSlots(e.bytes, [...WANTED], e.blankLine), readHeaderSlots(e.bytes, [...WANTED]));
      assert.deepEqual(parseMessageHeaders(e.bytes, { blankLine: e.blankLine }), parseMessageHeaders(e.bytes));
    }
    return hinted;
  };
  assert.ok((await check(archive)) > 100, 'the sample\'s messages come with the hint');
  // Random archives: separators, blank lines, CRLF, mboxrd escapes and Content-Length in any order.
  const piece = fc.constantFrom('From a@b Thu Jan  1 00:00:00 1970\n', 'Subject: x\n', 'Subject: y\r\n', '\n', '\r\n', '\r', '\r\n\r\n', '\n\n', '>From me\n', 'Content-Length: 3\n', 'abc', 'To: a@vger.kernel.org\n', 'Message-ID: <a@b>\r\n', 'References: <c@d>\n', ' folded\n', ' folded\r\n');
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 40 }), async (pieces) => {
      await check(Buffer.from(`From a@b Thu Jan  1 00:00:00 1970\n${pieces.join('')}`, 'latin1'));
    }),
    { numRuns: 3000 },
  );
});

test('dates compared without the collator order as localeCompare does', () => {
  const iso = fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  const any = fc.oneof(iso, fc.string({ maxLength: 30 }), fc.constantFrom('', '2026-01-05T10:00:00Z', '2026-01-05T10:00:00.000Z', '2026-01-05 10:00:00.000Z'));
  fc.assert(
    fc.property(any, any, (a, b) => assert.equal(Math.sign(compareDates(a, b)), Math.sign(a.localeCompare(b)), `${a} vs ${b}`)),
    { numRuns: 5000 },
  );
});

test('"(was: ...)" subjects: the quick look for "(was" or "[was" never turns away one the full pattern takes', () => {
  const plain = (subject: string) => {
    const m = /^(.*?)\s*[([]\s*was\s*:?\s*(.*?)\s*[)\]]?\s*$/i.exec(subject);
    return !m || !m[2] ? undefined : { now: baseSubject(m[1]), was: baseSubject(m[2]) };
  };
  const piece = fc.constantFrom('(', '[', ')', ']', ' ', 'was', 'WAS', 'Was:', ':', 'Re: ', 'foo', '\t', 'was:');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const subject = pieces.join('');
      assert.deepEqual(wasSplit(subject), plain(subject));
    }),
    { numRuns: 5000 },
  );
});

test('bot senders: one combined pattern first, then the rules in order, give what the rules alone give', async () => {
  const plain = (email: string, name: string) => BOT_SENDERS.find(([re]) => re.test(email))?.[1] ?? BOT_NAMES.find(([re]) => re.test(name))?.[1];
  for (const bytes of await cases()) {
    const { from } = parseMessageHeaders(bytes).message;
    assert.equal(botReason(from.email, from.name), plain(from.email, from.name));
  }
  const piece = fc.constantFrom('lkp', '@intel.com', 'syzbot', 'syzkaller', 'patchwork-bot', 'pr-tracker-bot@', 'bot+bpf-ci@', 'bpf-ci', 'kernelci', 'noreply@', 'no-reply@', 'bugzilla-daemon@', 'ci@', 'ci-bot@', 'ci_notify@', '-ci@', 'kbuild@', 'kernel test robot', 'Kernel Test Robot', 'bot', 'Bot', 'robot', ' ', 'x', '@', '.');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 6 }), fc.array(piece, { maxLength: 6 }), (e, n) => {
      assert.equal(botReason(e.join(''), n.join('')), plain(e.join(''), n.join('')));
    }),
    { numRuns: 5000 },
  );
});

test('To and Cc lines that share a fingerprint (length, sampled characters) are still told apart', () => {
  // Same length, same characters at the sampled places (eighths and the end), different people.
  const a = 'Aa <aaaaaaaaaaaaaaaaa@example.org>, Bb <bbbbbbbbbbbbbbbbbbbb@example.org>';
  const b = a.replace('aaaaaaaaaaaaaaaaa@', 'aaaaaaaaaaaaaaaaz@');
  const n = a.length;
  const sampled = [...Array.from({ length: 8 }, (_, k) => (n * k) >> 3), n - 1];
  assert.ok(sampled.every((i) => a[i] === b[i]) && a !== b, 'the two lines share a fingerprint');
  const message = (to: string) => parseMessageHeaders(Buffer.from(`Message-ID: <${to.length}@x>\nTo: ${to}\n\nbody\n`, 'latin1')).message;
  const first = message(a);
  const second = message(b);
  assert.deepEqual(first.to.map((p) => p.email), ['aaaaaaaaaaaaaaaaa@example.org', 'bbbbbbbbbbbbbbbbbbbb@example.org']);
  assert.deepEqual(second.to.map((p) => p.email), ['aaaaaaaaaaaaaaaaz@example.org', 'bbbbbbbbbbbbbbbbbbbb@example.org']);
  assert.equal(message(a).to[0].email, 'aaaaaaaaaaaaaaaaa@example.org', 'and a line seen again is still its own');
});

test('collapseWhitespace is replace(/\\s+/g, " "), and hands back the same string when nothing changes', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(' ', '  ', '\t', '\n', '\r', '\xa0', '\u2003', 'a', 'Bc', '=?'), { maxLength: 20 }), (parts) => {
      const text = parts.join('');
      assert.equal(collapseWhitespace(text), text.replace(/\s+/g, ' '));
    }),
    { numRuns: 3000 },
  );
  const single = 'Tue, 6 Jan 2026 10:52:22 +0100';
  assert.equal(collapseWhitespace(single), single);
});

test('dates in RFC 5322 shape read by position give the instant the loose reading finds; others are left to it', async () => {
  const zones = fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 1459 })).map(([s, z]) => `${s}${String(z).padStart(4, '0')}`);
  const strictShape = fc.tuple(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), zones, fc.boolean(), fc.boolean()).map(([d, zone, weekday, padDay]) => {
    const [wd, , mon, year, time] = d.toUTCString().split(' '); // "Tue, 06 Jan 2026 10:52:22 GMT"
    const day = padDay ? String(d.getUTCDate()).padStart(2, '0') : String(d.getUTCDate());
    return `${weekday ? `${wd} ` : ''}${day} ${mon} ${year} ${time} ${zone}`;
  });
  const noise = fc.constantFrom('', ' ', '  ', 'x', '(PST)', ' (UTC)', '1', ',', ':', 'JUN', 'June', '0026', '99', '+', 'GMT', '\t');
  const mutated = fc.tuple(strictShape, fc.nat(40), noise).map(([s, at, n]) => s.slice(0, at) + n + s.slice(at));
  fc.assert(
    fc.property(fc.oneof(strictShape, mutated), (raw) => {
      const strict = strictMailDate(raw);
      if (strict !== undefined) assert.equal(strict, looseMailDate(raw), raw);
    }),
    { numRuns: 20000 },
  );
  for (const raw of ['Tue, 6 Jan 0026 10:52:22 +0100', '6 Jan 0075 10:52:22 -0000', 'Mon, 31 Feb 2026 24:60:61 +1459', 'Tue, 6 Jab 2026 10:52:22 +0100']) {
    assert.equal(strictMailDate(raw) ?? looseMailDate(raw), looseMailDate(raw), raw);
  }
  assert.equal(strictMailDate('Tue, 6 Jan 0026 10:52:22 +0100'), Date.UTC(2026, 0, 6, 9, 52, 22));
  let read = 0;
  for (const bytes of await cases()) {
    const raw = readHeaders(bytes).fields.get('date')?.[0];
    if (raw === undefined) continue;
    const strict = strictMailDate(raw);
    if (strict !== undefined) read++;
    assert.equal(strict ?? looseMailDate(raw), looseMailDate(raw), raw);
  }
  assert.ok(read > 400, `most sample dates take the positional reading (${read})`);
});

/**
 * Threading as first written: containers with child lists, callbacks, and full sorts by date then
 * Message-ID. threadMessages must give exactly this.
 */
function plainThreads(messages: ParsedMessage[]): Thread[] {
  type C = { id: string; message?: ParsedMessage; parent?: C; children: C[] };
  const containers = new Map<string, C>();
  const get = (id: string) => containers.get(id) ?? containers.set(id, { id, children: [] }).get(id)!;
  const isAncestor = (candidate: C, of: C) => {
    for (let c: C | undefined = of; c; c = c.parent) if (c === candidate) return true;
    return false;
  };
  const setParent = (child: C, parent: C) => {
    if (child === parent || isAncestor(child, parent)) return;
    if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
    child.parent = parent;
    parent.children.push(child);
  };
  const own = messages.map((m) => Object.assign(get(m.messageId), { message: m }));
  const hasRefs = messages.map((m, i) => {
    const refs = m.references.slice(-MAX_REFERENCES);
    if (m.inReplyTo && refs[refs.length - 1] !== m.inReplyTo) refs.push(m.inReplyTo);
    const chain = refs.filter((id) => id !== m.messageId);
    if (chain.length === 0) return false;
    let parent = get(chain[0]);
    for (const id of chain.slice(1)) {
      const child = get(id);
      if (!child.parent && child !== parent) setParent(child, parent);
      parent = child;
    }
    setParent(own[i], parent);
    return true;
  });
  const byDateOrder = messages.map((_, i) => i).sort((a, b) => compareDates(messages[a].date ?? '', messages[b].date ?? ''));
  const rootBySubject = new Map<string, C>();
  for (const i of byDateOrder) {
    if (own[i].parent || isReplySubject(messages[i].subject)) continue;
    const key = baseSubject(messages[i].subject);
    if (key && !rootBySubject.has(key)) rootBySubject.set(key, own[i]);
  }
  for (const i of byDateOrder) {
    if (hasRefs[i] || !isReplySubject(messages[i].subject)) continue;
    const root = rootBySubject.get(baseSubject(messages[i].subject));
    if (root && root !== own[i] && !own[i].parent) setParent(own[i], root);
  }
  const splitFrom = new Map<C, C>();
  messages.forEach((m, i) => {
    const was = wasSplit(m.subject);
    const c = own[i];
    if (!was || !c.parent) return;
    const parentSubject = c.parent.message ? baseSubject(c.parent.message.subject) : was.was;
    if (parentSubject === was.now || wasSplit(c.parent.message?.subject ?? '')?.now === was.now) return;
    const parent = c.parent;
    parent.children = parent.children.filter((x) => x !== c);
    c.parent = undefined;
    splitFrom.set(c, parent);
  });
  const rootOf = (c: C) => {
    while (c.parent) c = c.parent;
    return c;
  };
  const byDate = (a: ParsedMessage, b: ParsedMessage) => compareDates(a.date ?? '', b.date ?? '') || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0);
  const membersByRoot = new Map<C, ParsedMessage[]>();
  messages.forEach((m, i) => {
    const root = rootOf(own[i]);
    membersByRoot.set(root, [...(membersByRoot.get(root) ?? []), m]);
  });
  const threads: { thread: Thread; first: ParsedMessage }[] = [];
  for (const [root, members] of membersByRoot) {
    members.sort(byDate);
    const first = root.message ?? members[0];
    const thread: Thread = { id: root.id, rootMessageId: first.messageId, subject: first.subject, messageIds: members.map((m) => m.messageId) };
    const from = splitFrom.get(root);
    if (from) thread.parentThreadId = rootOf(from).id;
    threads.push({ thread, first: members[0] });
  }
  return threads.sort((a, b) => byDate(a.first, b.first)).map((t) => t.thread);
}

test('threading over indices, with dates ranked once, gives what the plain passes give (shared and missing dates, loops, subjects, "(was: ...)")', () => {
  const dates = fc.constantFrom(undefined, '2026-01-05T10:00:00.000Z', '2026-01-05T10:00:01.000Z', '2026-01-06T09:00:00.000Z', '2026-01-04T23:59:59.000Z', 'not a date');
  const subjects = fc.constantFrom('[PATCH 1/2] mm: fix', 'Re: [PATCH 1/2] mm: fix', 'mm: fix', 'RE: mm: fix', 'Re: other (was: mm: fix)', 'other (was: Re: mm: fix)', 'other', 'Re: other', '', 'Fwd: other');
  const week = fc.integer({ min: 1, max: 30 }).chain((n) =>
    fc.array(fc.record({ refs: fc.array(fc.integer({ min: 0, max: n + 4 }), { maxLength: 5 }), reply: fc.option(fc.integer({ min: 0, max: n + 4 })), date: dates, subject: subjects, id: fc.integer({ min: 0, max: 99 }) }), { minLength: n, maxLength: n }),
  );
  fc.assert(
    fc.property(week, (specs) => {
      const messages: ParsedMessage[] = specs.map((s, i) => ({
        // Ids drawn so that code-unit and collation orders differ ("M" < "a" < "m" only by code units).
        messageId: `${['a', 'M', 'm', 'Z'][s.id % 4]}${s.id}-${i}@x`,
        references: s.refs.map((r) => (r < specs.length ? `${['a', 'M', 'm', 'Z'][specs[r].id % 4]}${specs[r].id}-${r}@x` : `missing${r}@x`)),
        inReplyTo: s.reply === null ? undefined : s.reply < specs.length ? `${['a', 'M', 'm', 'Z'][specs[s.reply].id % 4]}${specs[s.reply].id}-${s.reply}@x` : `missing${s.reply}@x`,
        from: { name: 'a', email: 'a@x' }, to: [], cc: [], lists: [], subject: s.subject, url: '', date: s.date,
      }));
      assert.deepEqual(threadMessages(messages), plainThreads(messages));
    }),
    { numRuns: 3000 },
  );
});

test('subject prefixes read in one scan give what a test per kind word gives', () => {
  const KINDS = ['GIT PULL', 'PULL', 'ANNOUNCE', 'ANN', 'PATCH', 'RFC', 'RFT', 'BUG', 'REGRESSION', 'REPORT', 'TOPIC', 'DISCUSSION', 'QUESTION', 'SECURITY'];
  const plain = (subject: string) => {
    const m = /^\s*\[([^\]]+)\]\s*(.*)$/.exec(subject);
    if (!m) return undefined;
    const inner = m[1].trim();
    const words = inner.split(/[\s,]+/).filter(Boolean);
    const upper = inner.toUpperCase();
    let kind: string | undefined;
    if (/\bGIT PULL\b/.test(upper) || /^PULL\b/.test(upper)) kind = 'GIT PULL';
    else if (/\bANN(OUNCE)?\b/.test(upper)) kind = 'ANNOUNCE';
    else if (/\bRFC\b/.test(upper) && /\bPATCH\b/.test(upper)) kind = 'RFC PATCH';
    else if (/\bRFC\b/.test(upper)) kind = 'RFC';
    else if (/\bPATCH(SET)?\b/.test(upper)) kind = 'PATCH';
    else kind = KINDS.find((k) => upper.split(/\s+/).includes(k));
    if (!kind) return undefined;
    let version = 1;
    let part: number | undefined;
    let total: number | undefined;
    const extra: string[] = [];
    for (const w of words) {
      const v = /^v(\d+)$/i.exec(w);
      const p = /^(\d+)\/(\d+)$/.exec(w);
      if (v) version = Number(v[1]);
      else if (p) {
        part = Number(p[1]);
        total = Number(p[2]);
      } else if (!/^(PATCH|PATCHSET|RFC|RFT|RESEND|GIT|PULL|ANNOUNCE|ANN)$/i.test(w)) extra.push(w);
    }
    return { kind, version, part, total, resend: /\bRESEND\b/.test(upper), title: m[2].trim(), extra };
  };
  const word = fc.constantFrom('PATCH', 'patch', 'PATCHSET', 'PatchSet', 'PATCHES', 'RFC', 'rfc', 'RFCv2', 'RFT', 'RESEND', 'RESENDING', 'GIT PULL', 'GIT', 'PULL', 'pull', 'ANN', 'ANNOUNCE', 'ANNOUNCEMENT', 'BUG', 'TOPIC', 'v2', 'V10', 'v', 'v2a', '1/3', '03/11', '1/2/3', '/3', '1/', 'net-next', '6.1', 'ı', 'ſ', 'ß', '-', ',', '_PATCH', 'PATCH_', 'PATCH-v2');
  const sep = fc.constantFrom(' ', ',', ', ', '  ', '\t', '');
  fc.assert(
    fc.property(fc.array(fc.tuple(word, sep), { maxLength: 6 }), fc.constantFrom('', ' ', '  '), fc.constantFrom(' foo: bar', 'x', ' ', ''), (words, lead, title) => {
      const subject = `${lead}[${words.map(([w, s]) => w + s).join('')}]${title}`;
      assert.deepEqual(parseSubjectTags(subject), plain(subject), subject);
    }),
    { numRuns: 20000 },
  );
});

test('ISO timestamps by calendar arithmetic are toISOString, for every instant (years outside 1000-9999 are left to it)', () => {
  const instant = fc.oneof(
    fc.integer({ min: -62_198_755_200_000, max: 253_402_300_799_999 }), // years 0 to 9999
    fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), // these years, most mail
    fc.constantFrom(0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -30_610_224_000_000, -30_610_224_000_001, 253_402_300_800_000, -62_198_755_200_001),
  );
  fc.assert(fc.property(instant, (t) => assert.equal(isoTimestamp(t), new Date(t).toISOString(), String(t))), { numRuns: 50000 });
});

test('a parsed message works out To, Cc, lists and link on first use, takes assignments, and serialises them as fields', async () => {
  const [bytes] = await cases();
  const eager = readHeaders(bytes).fields;
  const m = parseMessageHeaders(bytes).message;
  assert.deepEqual(m.to, peopleIn(eager.get('to')?.join(', ')));
  assert.deepEqual(m.cc, peopleIn(eager.get('cc')?.join(', ')));
  assert.ok(m.lists.length > 0);
  assert.equal(m.url, `https://lore.kernel.org/r/${m.messageId}`);
  const json = JSON.parse(JSON.stringify(m));
  assert.deepEqual(Object.keys(json), ['messageId', ...(m.inReplyTo ? ['inReplyTo'] : []), 'references', 'from', 'date', 'subject', 'to', 'cc', 'lists', 'url']);
  assert.deepEqual(json.lists, m.lists);
  m.lists = ['x@vger.kernel.org'];
  assert.deepEqual(m.lists, ['x@vger.kernel.org']);
  // The link keeps the Message-ID the message was read with, when a reused id is renamed.
  const id = m.messageId;
  m.messageId = `${id}#dup-1`;
  assert.equal(m.url, `https://lore.kernel.org/r/${id}`);
  const lean = parseMessageHeaders(bytes, { recipients: false }).message;
  assert.throws(() => JSON.stringify(lean), /"to" was not read/);
});
