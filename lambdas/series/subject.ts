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

/** Parses the bracketed prefix of a posting's subject ("[RFC PATCH net-next v3 02/11] foo: bar"). */
export function parseSubjectTags(subject: string): SubjectTags | undefined {
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
}

/** A series title for matching across versions: no prefix, no version words, lower case. */
export function normaliseTitle(title: string): string {
  return collapseWhitespace(title.toLowerCase()).replace(/[.\s]+$/, '').trim();
}
