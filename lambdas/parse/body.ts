import type { MessageBody, Person, Trailer, TrailerKind } from '../model.js';
import { person } from './people.js';

/** Bodies longer than this are split only up to here: a 50 MB log paste is not prose anyone quotes. */
export const MAX_SPLIT_CHARS = 512 * 1024;

const TRAILER = /^(Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Co-developed-by|Fixes|Link|Closes|Cc|Nacked-by|NACKed-by|Nak-by|change-id):\s*(.*)$/i;
const ATTRIBUTION_ONE_LINE = /^(On .{0,200}(wrote|writes|said)\s*:|.{1,120} (wrote|writes)\s*:|\S+@\S+ (wrote|writes)\s*:)\s*$/;
const ATTRIBUTION_START = /^On .{0,200}$/;
const ATTRIBUTION_END = /(wrote|writes|said)\s*:\s*$/;
const ORIGINAL_MESSAGE = /^-{2,}\s*Original Message\s*-{2,}\s*$/i;
const DIFFSTAT_LINE = /^ \S.* \|\s+(\d+ ?[+-]*|Bin .*)$/;
const DIFFSTAT_SUMMARY = /^ \d+ files? changed/;
const PATCH_START = /^(diff --git |Index: |--- a\/|--- \S+\t)/;
const NAK_WORD = /^\s*(NAK|NACK|Nacked)\b|\bNAK(ed)?\b(?!-)/;

function trailerKind(name: string): TrailerKind {
  const k = name.toLowerCase();
  if (k === 'nacked-by' || k === 'nak-by') return 'nacked-by';
  return k as TrailerKind;
}

function trailerPerson(value: string): Person | undefined {
  const m = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+@[^<>\s]+)>/.exec(value);
  return m ? person(m[1], m[2]) : undefined;
}

/**
 * Takes a decoded plain-text body apart: the author's own words (what quotes may be taken from),
 * quoted text with its attribution lines, signature, patch, diffstat, trailers. Own words keep their
 * original lines exactly (only dropped lines are removed), so quotes taken from them are verbatim.
 */
export function splitBody(input: string): MessageBody {
  const text = (input.length > MAX_SPLIT_CHARS ? input.slice(0, MAX_SPLIT_CHARS) : input).replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  const own: string[] = [];
  const quoted: string[] = [];
  const signature: string[] = [];
  const patch: string[] = [];
  const diffstat: string[] = [];
  const files = new Set<string>();
  const trailers: Trailer[] = [];
  let naks = 0;
  let mode: 'text' | 'patch' | 'signature' | 'quoted-rest' = 'text';

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (mode === 'quoted-rest') { quoted.push(line); continue; }
    if (mode === 'signature') {
      // A patch can follow a "-- " only in broken mail; a signature is the end of own words.
      signature.push(line);
      continue;
    }
    if (mode === 'patch') {
      if (line === '-- ') { mode = 'signature'; continue; }
      patch.push(line);
      const m = /^diff --git a\/(\S+) b\//.exec(line) ?? /^\+\+\+ b\/(\S+)/.exec(line);
      if (m) files.add(m[1]);
      continue;
    }
    if (line === '-- ' || line === '--') {
      mode = 'signature';
      continue;
    }
    if (PATCH_START.test(line) && (line.startsWith('diff --git') || line.startsWith('Index: ') || /^\+\+\+ /.test(lines[i + 1] ?? ''))) {
      mode = 'patch';
      i--;
      continue;
    }
    if (/^\s*>/.test(line)) { quoted.push(line); continue; }
    if (ORIGINAL_MESSAGE.test(line)) { mode = 'quoted-rest'; quoted.push(line); continue; }
    if (ATTRIBUTION_ONE_LINE.test(line) && nextNonBlankIsQuote(lines, i + 1)) { quoted.push(line); continue; }
    if (ATTRIBUTION_START.test(line) && !ATTRIBUTION_END.test(line) && ATTRIBUTION_END.test(lines[i + 1] ?? '') && nextNonBlankIsQuote(lines, i + 2)) {
      quoted.push(line, lines[i + 1]);
      i++;
      continue;
    }
    if (DIFFSTAT_LINE.test(line) || DIFFSTAT_SUMMARY.test(line)) {
      diffstat.push(line);
      const f = /^ (\S+)\s+\|/.exec(line);
      if (f && !f[1].startsWith('...')) files.add(f[1]);
      continue;
    }
    const t = TRAILER.exec(line);
    if (t) {
      const kind = trailerKind(t[1]);
      const value = t[2].trim();
      const who = trailerPerson(value);
      trailers.push({ kind, value, ...(who ? { person: who } : {}) });
      if (kind === 'nacked-by') naks++;
      continue;
    }
    if (line === '---' && (DIFFSTAT_LINE.test(lines[i + 1] ?? '') || PATCH_START.test(lines[i + 1] ?? '') || lines.slice(i + 1, i + 4).some((l) => DIFFSTAT_LINE.test(l)))) continue;
    if (NAK_WORD.test(line)) naks++;
    own.push(line);
  }
  return {
    own: trimBlankLines(own).join('\n'),
    quoted: quoted.join('\n'),
    signature: signature.join('\n').trim(),
    patch: patch.join('\n'),
    diffstat: diffstat.join('\n'),
    files: [...files],
    trailers,
    naks,
  };
}

function nextNonBlankIsQuote(lines: string[], from: number): boolean {
  for (let j = from; j < lines.length && j < from + 3; j++) {
    if (lines[j].trim() === '') continue;
    return /^\s*>/.test(lines[j]);
  }
  return false;
}

/** Collapses runs of blank lines left where quotes were cut, and trims the ends. */
function trimBlankLines(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.trim() === '' && (out.length === 0 || out[out.length - 1].trim() === '')) continue;
    out.push(line);
  }
  while (out.length && out[out.length - 1].trim() === '') out.pop();
  return out;
}
