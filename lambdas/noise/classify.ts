import type { NoiseVerdict } from '../model.js';
import type { MessageHeaders } from '../parse/message.js';

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
  if (/^\s*(re:\s*)*\s*(FAILED|Patch ".*" has been added to the [0-9.]+-stable tree)/i.test(subject) || /has been added to the [0-9.]+-stable tree/i.test(subject)) return reason('stable tree notification');
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

/**
 * The first lines of a body that are not quoted, not attribution, not signature, joined: enough to
 * tell a one-line note. Undefined once they reach SHORT_NOTE_CHARS: a real reply, read no further.
 * Read line by line from the bytes: quoted lines, most of a reply, are skipped without a string.
 */
function shortNote(raw: Buffer, bodyOffset: number): string | undefined {
  const end = Math.min(raw.length, bodyOffset + NOTE_SCAN_BYTES);
  const kept: string[] = [];
  let length = -1; // of kept.join(' ')
  for (let at = bodyOffset; at <= end; ) {
    let nl = raw.indexOf(0x0a, at);
    if (nl < 0 || nl > end) nl = end;
    if (raw[at] !== 0x3e || at === nl) {
      const line = raw.toString('latin1', at, nl);
      if (line === '-- ' || /^diff --git /.test(line)) break;
      if (!(/^\s*>/.test(line) || /wrote:\s*$/.test(line) || /^[A-Za-z-]+-by:/.test(line) || line.trim() === '')) {
        const own = line.trim();
        length += own.length + 1;
        if (length >= SHORT_NOTE_CHARS) return undefined;
        kept.push(own);
      }
    }
    at = nl + 1;
  }
  return kept.join(' ');
}
