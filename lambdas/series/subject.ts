import { isDigit } from '../mail/bytes.js';
import { collapseWhitespace } from '../mail/text.js';

/** What a "[...]" subject prefix says about a posting. */
export interface SubjectTags {
  /** PATCH, RFC PATCH, GIT PULL, ANNOUNCE, ... (RESEND is a flag, not a kind). */
  kind: string;
  version: number;
  /** M of "M/N"; undefined for a lone patch. */
  part?: number;
  total?: number;
  resend: boolean;
  /** The subject after the prefix, as written. */
  title: string;
  /** Other tags inside the brackets (subsystem trees like net-next, stable versions like 6.1). */
  extra: string[];
}

const KINDS = ['GIT PULL', 'PULL', 'ANNOUNCE', 'ANN', 'PATCH', 'RFC', 'RFT', 'BUG', 'REGRESSION', 'REPORT', 'TOPIC', 'DISCUSSION', 'QUESTION', 'SECURITY'];

/**
 * The words that decide a posting's kind, found in one scan of the upper-cased prefix instead of a
 * test each. None of them can hide another inside it ("ANNOUNCE" has no "ANN" word, "PATCHSET" no
 * "PATCH"), so a scan that skips past each match finds the same words as separate tests.
 */
const KIND_WORDS = /\b(?:GIT PULL|ANN(?:OUNCE)?|RFC|PATCH(?:SET)?|RESEND)\b/g;
/** Prefix words that are neither version, part, nor extra. */
const TAG_WORD = /^(PATCH|PATCHSET|RFC|RFT|RESEND|GIT|PULL|ANNOUNCE|ANN)$/i;

function allDigits(w: string, from: number, to: number): boolean {
  if (from >= to) return false;
  for (let i = from; i < to; i++) if (!isDigit(w.charCodeAt(i))) return false;
  return true;
}

/** Parses the bracketed prefix of a posting's subject ("[RFC PATCH net-next v3 02/11] foo: bar"). */
export function parseSubjectTags(subject: string): SubjectTags | undefined {
  const m = /^\s*\[([^\]]+)\]\s*(.*)$/.exec(subject);
  if (!m) return undefined;
  const inner = m[1].trim();
  const upper = inner.toUpperCase();
  let gitPull = upper.charCodeAt(0) === 0x50 && /^PULL\b/.test(upper);
  let announce = false;
  let rfc = false;
  let patch = false; // the word PATCH
  let patchSet = false; // PATCH or PATCHSET
  let resend = false;
  KIND_WORDS.lastIndex = 0;
  for (let w = KIND_WORDS.exec(upper); w; w = KIND_WORDS.exec(upper)) {
    const c = w[0].charCodeAt(0);
    if (c === 0x47) gitPull = true; // G
    else if (c === 0x41) announce = true; // A
    else if (c === 0x50) {
      patchSet = true;
      if (w[0].length === 5) patch = true;
    }
    else if (w[0] === 'RFC') rfc = true;
    else resend = true;
  }
  let kind: string | undefined;
  if (gitPull) kind = 'GIT PULL';
  else if (announce) kind = 'ANNOUNCE';
  else if (rfc && patch) kind = 'RFC PATCH';
  else if (rfc) kind = 'RFC';
  else if (patchSet) kind = 'PATCH';
  else kind = KINDS.find((k) => upper.split(/\s+/).includes(k));
  if (!kind) return undefined;
  let version = 1;
  let part: number | undefined;
  let total: number | undefined;
  const extra: string[] = [];
  for (const w of inner.split(/[\s,]+/)) {
    if (!w) continue;
    const c = w.charCodeAt(0);
    const slash = w.indexOf('/');
    if ((c === 0x76 || c === 0x56) && allDigits(w, 1, w.length)) version = Number(w.slice(1)); // v3, V3
    else if (slash > 0 && allDigits(w, 0, slash) && allDigits(w, slash + 1, w.length)) {
      part = Number(w.slice(0, slash));
      total = Number(w.slice(slash + 1));
    } else if (!TAG_WORD.test(w)) extra.push(w);
  }
  return { kind, version, part, total, resend, title: m[2].trim(), extra };
}

/** A series title for matching across versions: no prefix, no version words, lower case. */
export function normaliseTitle(title: string): string {
  return collapseWhitespace(title.toLowerCase()).replace(/[.\s]+$/, '').trim();
}
