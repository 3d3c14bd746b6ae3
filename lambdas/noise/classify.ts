import type { NoiseVerdict } from '../model.js';
import type { MessageHeaders } from '../parse/message.js';
import { hasAt, isLatin1Space, latin1 } from '../mail/bytes.js';

/** How much of a reply's body is read to tell a one-line note: quoted text comes first in most. */
const NOTE_SCAN_BYTES = 8 * 1024;
/** Own text longer than this is a real reply, even when it says "applied". */
const SHORT_NOTE_CHARS = 600;

export const BOT_SENDERS: Array<[RegExp, string]> = [
  [/^lkp@intel\.com$/, 'kernel test robot report'],
  [/syzbot|syzkaller/, 'syzbot report'],
  [/^patchwork-bot/, 'patchwork-bot notification'],
  [/^pr-tracker-bot@/, 'pr-tracker-bot notification'],
  [/^bot\+bpf-ci@|bpf-ci/, 'BPF CI bot report'],
  [/kernelci/, 'KernelCI report'],
  [/^(noreply|no-reply|do-not-reply)@/, 'automated sender'],
  [/^bugzilla-daemon@/, 'bug tracker notification'],
  [/^ci(-bot)?@|^ci_notify@|-ci@/, 'CI bot report'],
  [/^linux-kernel-bot@|^kbuild@|^kbuild-all@/, 'build bot report'],
];
export const BOT_NAMES: Array<[RegExp, string]> = [
  [/kernel test robot/i, 'kernel test robot report'],
  [/\bsyzbot\b/i, 'syzbot report'],
  [/patchwork/i, 'patchwork-bot notification'],
  [/\bbot\b/i, 'automated sender'],
];

/**
 * Any of the rules above, in one pattern per field: most senders are people, and one test that fails
 * costs less than fourteen. The rules themselves then say which matched (first one wins, as listed).
 */
const ANY_BOT_SENDER = new RegExp(BOT_SENDERS.map(([re]) => `(?:${re.source})`).join('|'));
const ANY_BOT_NAME = new RegExp(BOT_NAMES.map(([re]) => `(?:${re.source})`).join('|'), 'i');

/** Why a sender is a bot (the first rule of BOT_SENDERS, then of BOT_NAMES, that matches), if one is. */
export function botReason(email: string, name: string): string | undefined {
  if (ANY_BOT_SENDER.test(email)) for (const [re, r] of BOT_SENDERS) if (re.test(email)) return r;
  if (ANY_BOT_NAME.test(name)) for (const [re, r] of BOT_NAMES) if (re.test(name)) return r;
  return undefined;
}

/**
 * Routine and automated traffic: kept and countable, not newsworthy by default. Decided from headers
 * and a cheap look at the start of the body (the raw bytes, not a MIME decode).
 */
export function classifyNoise(h: MessageHeaders, raw: Buffer): NoiseVerdict | undefined {
  const m = h.message;
  const reason = (r: string) => ({ messageId: m.messageId, reason: r });
  const bot = botReason(m.from.email, m.from.name);
  if (bot) return reason(bot);
  const subject = m.subject;
  if (/\bAUTOSEL\b/.test(subject)) return reason('AUTOSEL stable backport');
  if (/^\s*\[PATCH [0-9.]+ \d+\/\d+\]/.test(subject) || /\d+\.\d+(\.\d+)?-rc\d+ review\b/i.test(subject)) return reason('stable review');
  // The stable bots' form is "FAILED: patch ... failed to apply to X-stable tree", in capitals; a person's
  // "Failed to boot ..." is a bug report.
  if (subject.replace(/^\s*((re|fwd?):\s*)*/i, '').startsWith('FAILED: patch ')) return reason('stable tree notification');
  if (/has been added to the [0-9.]+-stable tree/i.test(subject)) return reason('stable tree notification');
  if (h.autoHeaders.some((a) => /^auto-submitted: auto-(replied|generated)/.test(a) || /^x-autoreply/.test(a)) || /\b(out of (the )?office|automatic reply|auto-?reply|abwesenheit)\b/i.test(subject)) {
    return reason('out-of-office or auto-reply');
  }
  if (!/^\s*re:/i.test(subject)) return undefined;
  const note = shortNote(raw, h.bodyOffset);
  if (note !== undefined && /\b(applied|queued|pushed|merged|picked up)\b[^.\n]*(thanks|thank you|to|into)\b/i.test(note)) {
    return reason('"applied, thanks" note');
  }
  return undefined;
}

const SIGNATURE = Buffer.from('-- ', 'latin1');
const DIFF = Buffer.from('diff --git ', 'latin1');
const WROTE = Buffer.from('wrote:', 'latin1');
const BY = Buffer.from('-by', 'latin1');

const isTrailerNameByte = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2d; // [A-Za-z-]

/**
 * The first lines of a body that are not quoted, not attribution, not signature, joined: enough to
 * tell a one-line note. Undefined once they reach SHORT_NOTE_CHARS: a real reply, read no further.
 * Read line by line from the bytes, and each line told apart there (blank, "> quoted", "... wrote:",
 * "Xxx-by:" trailers, "-- ", "diff --git "): only a short note's own lines ever become strings.
 */
function shortNote(raw: Buffer, bodyOffset: number): string | undefined {
  const end = Math.min(raw.length, bodyOffset + NOTE_SCAN_BYTES);
  const kept: number[] = []; // start and end of each own line, trimmed
  let length = -1; // of the kept lines joined with spaces
  for (let at = bodyOffset; at <= end; ) {
    let nl = raw.indexOf(0x0a, at);
    if (nl < 0 || nl > end) nl = end;
    if (raw[at] !== 0x3e || at === nl) {
      if ((nl - at === SIGNATURE.length && hasAt(raw, at, SIGNATURE)) || (nl - at >= DIFF.length && hasAt(raw, at, DIFF))) break;
      let start = at;
      let stop = nl;
      while (start < stop && isLatin1Space(raw[start])) start++;
      while (stop > start && isLatin1Space(raw[stop - 1])) stop--;
      let name = at; // a trailer: /^[A-Za-z-]+-by:/
      while (name < nl && isTrailerNameByte(raw[name])) name++;
      const trailer = name - at >= 4 && name < nl && raw[name] === 0x3a && hasAt(raw, name - 3, BY);
      const quoted = start < stop && raw[start] === 0x3e;
      const attribution = stop - WROTE.length >= at && hasAt(raw, stop - WROTE.length, WROTE);
      if (start < stop && !quoted && !attribution && !trailer) {
        length += stop - start + 1;
        if (length >= SHORT_NOTE_CHARS) return undefined;
        kept.push(start, stop);
      }
    }
    at = nl + 1;
  }
  const lines: string[] = [];
  for (let i = 0; i < kept.length; i += 2) lines.push(latin1(raw, kept[i], kept[i + 1]));
  return lines.join(' ');
}
