import { loreUrl, type Paragraph, type Person, type Quote, type Story, type VerificationCounts } from '../model.js';
import type { MaterialMessage, TopicMaterial } from './material.js';
import { findPiece, fold, normaliseSpace, quotePieces, quotedSegments, sentenceSpans, shownCuts, words } from './text.js';

/** Quotation marks around fewer words than this are scare quotes or terms ("mm-new"), not speech. */
const MAX_TERM_WORDS = 3;
/** Share of a failed quote's words found in its author's message for it to survive as reported speech. */
const REPORTED_SPEECH_OVERLAP = 0.7;

export type ProblemKind =
  | 'unknown-message' | 'wrong-author' | 'not-verbatim' | 'not-in-paragraph' | 'unlisted-quotation'
  | 'unknown-person' | 'foreign-link' | 'headline' | 'empty-story' | 'cut-word';

export interface VerifyProblem {
  kind: ProblemKind;
  paragraph?: number;
  quote?: string;
  /** What was wrong, in words a model can act on when the story is sent back. */
  message: string;
  /** What the verifier did about it. */
  action: 'repaired' | 'removed';
}

export interface VerifyResult {
  /** The story with every repair applied and everything unverifiable taken out. */
  story: Story;
  counts: VerificationCounts;
  problems: VerifyProblem[];
}

export const emptyCounts = (): VerificationCounts => ({ quotes: 0, verified: 0, repaired: 0, removed: 0 });

export function addCounts(a: VerificationCounts, b: VerificationCounts): VerificationCounts {
  return { quotes: a.quotes + b.quotes, verified: a.verified + b.verified, repaired: a.repaired + b.repaired, removed: a.removed + b.removed };
}

/** Whether a result needed removals (a model's story with these is sent back once). */
export const hasRemovals = (result: VerifyResult) => result.problems.some((p) => p.action === 'removed');

type QuoteCheck =
  | { ok: true; quote: Quote; repaired: boolean; why?: string }
  | { ok: false; kind: ProblemKind; why: string; reportable: boolean };

/**
 * Checks one story against its topic's material and repairs what can be repaired safely:
 * 1. each quote: its message must be in the topic, its author that message's sender, and its text
 *    verbatim (whitespace aside; "..." joins pieces in order) in the sender's own words; case,
 *    typographic quotes and edge punctuation are repaired to the source's exact text, a wrong
 *    message id to the one message of that author holding the words;
 * 2. each quote's text must stand in its paragraph's text;
 * 3. quotation marks in prose around words no listed quote covers are attributed when the words are
 *    a named participant's own, else removed;
 * 4. every person named must be a participant, every link a message of the topic.
 * What fails is taken out with its sentence, or, for a near-verbatim quote by the right author,
 * kept as reported speech without quotation marks.
 */
export function verifyStory(story: Story, material: TopicMaterial): VerifyResult {
  const counts = emptyCounts();
  const problems: VerifyProblem[] = [];
  const paragraphs: Paragraph[] = [];

  story.paragraphs.forEach((paragraph, index) => {
    let text = normaliseSpace(stripControl(paragraph.text));
    const kept: Quote[] = [];
    const status = new Map<Quote, 'verified' | 'repaired'>();
    const failed: Array<{ text: string; reported: boolean }> = [];

    for (const raw of paragraph.quotes) {
      counts.quotes++;
      const given = normaliseSpace(raw.text).replace(/^["\u201c]+|["\u201d]+$/g, '');
      const check = checkQuote({ ...raw, text: given }, material);
      const inParagraph = locate(text, given);
      if (!check.ok) {
        counts.removed++;
        problems.push({ kind: check.kind, paragraph: index, quote: given, message: check.why, action: 'removed' });
        if (inParagraph) failed.push({ text: text.slice(inParagraph.start, inParagraph.end), reported: check.reportable });
        continue;
      }
      if (!inParagraph) {
        counts.removed++;
        problems.push({ kind: 'not-in-paragraph', paragraph: index, quote: given, message: `the quote "${given}" does not appear in its paragraph's text`, action: 'removed' });
        continue;
      }
      const named = namedInSentence(text, inParagraph.start, material);
      if (named.length > 0 && !named.some((p) => p.email.toLowerCase() === check.quote.author.email.toLowerCase())) {
        // The prose puts the words in someone else's mouth, whatever the quote's fields say.
        counts.removed++;
        problems.push({ kind: 'wrong-author', paragraph: index, quote: given, message: `the sentence attributes "${given}" to ${named.map((p) => p.name).join(' or ')}, but these are ${check.quote.author.name}'s words`, action: 'removed' });
        failed.push({ text: text.slice(inParagraph.start, inParagraph.end), reported: false });
        continue;
      }
      const span = text.slice(inParagraph.start, inParagraph.end);
      const repaired = check.repaired || span !== check.quote.text;
      if (span !== check.quote.text) text = text.slice(0, inParagraph.start) + check.quote.text + text.slice(inParagraph.end);
      if (repaired) problems.push({ kind: 'not-verbatim', paragraph: index, quote: given, message: check.why ?? 'quote text repaired to the source', action: 'repaired' });
      status.set(check.quote, repaired ? 'repaired' : 'verified');
      kept.push(check.quote);
    }

    for (const f of failed) text = removeQuote(text, f.text, f.reported, kept);

    // Quotation marks no listed quote accounts for: attribute, unquote a term, or remove.
    text = settleUnlisted(text, kept, status, material, index, counts, problems);
    text = removeSentences(text, kept, (sentence) => {
      const unknown = unknownPeople(sentence, material);
      if (unknown.length === 0) return false;
      problems.push({ kind: 'unknown-person', paragraph: index, message: `names ${unknown.join(', ')}, who did not take part in this thread`, action: 'removed' });
      return true;
    });
    text = settleLinks(text, kept, material, index, problems);
    text = normaliseSpace(text);

    // Quotes whose sentence went for another reason (a stranger named in it) are removed too.
    const surviving = dedupe(kept.filter((q) => text.includes(q.text)));
    for (const q of kept) {
      if (!surviving.includes(q)) counts.removed++;
      else if (status.get(q) === 'repaired') counts.repaired++;
      else counts.verified++;
    }
    // Claims are checked by the claim stage (lambdas/claims/); here only those whose sentence is still there go on.
    const claims = (paragraph.claims ?? []).filter((c) => c.sentence && text.includes(normaliseSpace(c.sentence)));
    if (text && /[\p{L}]/u.test(text)) paragraphs.push({ text, quotes: surviving, ...(claims.length ? { claims } : {}) });
  });

  let headline = normaliseSpace(stripControl(story.headline)).replace(/["\u201c\u201d]/g, '');
  const headlineUnknown = unknownPeople(headline, material);
  if (!headline || headlineUnknown.length > 0 || /https?:\/\//.test(headline)) {
    problems.push({ kind: 'headline', message: headline ? `the headline names ${headlineUnknown.join(', ') || 'a link'}` : 'the headline is empty', action: 'removed' });
    headline = material.topic.title;
  }
  if (paragraphs.length === 0) problems.push({ kind: 'empty-story', message: 'nothing of the story survived verification', action: 'removed' });
  return { story: { topicId: story.topicId, headline, paragraphs }, counts, problems };
}

/** Checks one quote against the material; never trusts the given author or message id. */
export function checkQuote(quote: Quote, material: TopicMaterial): QuoteCheck {
  const pieces = quotePieces(quote.text);
  if (pieces.length === 0) return { ok: false, kind: 'not-verbatim', why: 'the quote is empty', reportable: false };
  const email = (quote.author?.email ?? '').toLowerCase();
  let message = material.byId.get(quote.messageId);
  let repairedWhy: string | undefined;
  if (!message) {
    // The words may be right and only the message id wrong: accept the one message of that author holding them.
    const holders = material.messages.filter((m) => m.from.email.toLowerCase() === email && matchPieces(m.own, pieces, shownCuts(quote.text)));
    if (holders.length !== 1) return { ok: false, kind: 'unknown-message', why: `message ${quote.messageId} is not part of this topic`, reportable: false };
    message = holders[0];
    repairedWhy = `message id corrected to ${message.messageId}`;
  }
  if (message.from.email.toLowerCase() !== email) {
    if (fold(normaliseSpace(quote.author?.name ?? '')) !== fold(message.from.name) || !message.from.name) {
      const who = `${message.from.name} <${message.from.email}>`;
      return { ok: false, kind: 'wrong-author', why: `message ${message.ref} was written by ${who}, not by ${quote.author?.name ?? '?'} <${email}>`, reportable: false };
    }
    repairedWhy = `author address corrected to ${message.from.email}`;
  }
  const cuts = shownCuts(quote.text);
  const match = matchPieces(message.own, pieces, cuts);
  if (!match) {
    const midWord = matchPieces(message.own, pieces, 'anywhere');
    if (midWord) {
      return {
        ok: false, kind: 'cut-word',
        why: `"${quote.text}" starts or ends inside a word of ${message.from.name}'s text in ${message.ref}: quote whole words, or show the cut with "..."`,
        reportable: false,
      };
    }
    const elsewhere = material.messages.find((m) => m !== message && matchPieces(m.own, pieces, cuts));
    const hint = elsewhere ? ` (those words are ${elsewhere.from.name}'s, in ${elsewhere.ref})` : '';
    return {
      ok: false, kind: 'not-verbatim',
      why: `"${quote.text}" is not verbatim in ${message.from.name}'s own words in ${message.ref}${hint}`,
      reportable: !elsewhere && overlap(quote.text, message.own) >= REPORTED_SPEECH_OVERLAP,
    };
  }
  // A cut the quote shows at its start or end stays visible to the reader.
  const text = `${cuts.start ? '...' : ''}${match.text}${cuts.end ? '...' : ''}`;
  const repaired = repairedWhy !== undefined || !match.exact;
  return {
    ok: true, repaired,
    why: repairedWhy ?? (match.exact ? undefined : `quote text corrected to the source's exact words`),
    quote: { text, author: { name: message.from.name, email: message.from.email }, messageId: message.messageId, url: message.url || loreUrl(message.messageId) },
  };
}

/**
 * The pieces in order in `own`; the text rebuilt from the source's exact words. Each piece starts
 * and ends on a word boundary, except where the quote shows a cut: at its start or end when `cuts`
 * says so, and on both sides of every "..." joining two pieces. `'anywhere'` drops the rule (to
 * tell a cut word from a misquote).
 */
export function matchPieces(own: string, pieces: string[], cuts: { start: boolean; end: boolean } | 'anywhere' = { start: false, end: false }): { text: string; exact: boolean } | undefined {
  const source = normaliseSpace(own);
  let from = 0;
  const found: string[] = [];
  let exact = true;
  for (const [i, piece] of pieces.entries()) {
    const wholeWords = cuts === 'anywhere' ? undefined : { start: i > 0 || cuts.start, end: i < pieces.length - 1 || cuts.end };
    const m = findPiece(source, piece, from, wholeWords);
    if (!m) return undefined;
    found.push(m.text);
    exact &&= m.exact;
    from = m.end;
  }
  return { text: found.join(' ... '), exact: exact && found.join(' ... ') === pieces.join(' ... ') };
}

/** Whether `text` has the exact words of a message of `author` in the material (for writers). */
export function isOwnWords(material: TopicMaterial, message: MaterialMessage, text: string): boolean {
  const m = matchPieces(message.own, quotePieces(text), shownCuts(text));
  return m !== undefined && m.exact;
}

function locate(text: string, quote: string): { start: number; end: number } | undefined {
  const at = text.indexOf(quote);
  if (at >= 0) return { start: at, end: at + quote.length };
  const m = findPiece(text, quote);
  return m ? { start: m.start, end: m.end } : undefined;
}

function overlap(quote: string, own: string): number {
  const q = words(fold(quote)).map(stripWord).filter((w) => w.length > 3);
  if (q.length === 0) return 0;
  const have = new Set(words(fold(own)).map(stripWord));
  return q.filter((w) => have.has(w)).length / q.length;
}

const stripWord = (w: string) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');

/** Takes a failed quote out: as reported speech (no quotation marks) when allowed, else with its sentence. */
function removeQuote(text: string, quoteText: string, reported: boolean, kept: Quote[]): string {
  const at = text.indexOf(quoteText);
  if (at < 0) return text;
  if (reported) {
    const before = text.slice(0, at);
    const after = text.slice(at + quoteText.length);
    const open = /["\u201c]\s*$/.exec(before);
    const close = /^\s*["\u201d]/.exec(after);
    if (open && close) {
      let head = before.slice(0, open.index).replace(/\b(said|wrote|replied|added|argued|answered|explained|noted|objected|responded|countered),\s*$/i, '$1 that ');
      const inner = head.endsWith('that ') ? quoteText.charAt(0).toLowerCase() + quoteText.slice(1) : quoteText;
      return head + inner + after.slice(close[0].length);
    }
  }
  return removeSentences(text, kept, (sentence) => sentence.includes(quoteText));
}

/** Removes every sentence `drop` selects; sentences never split inside a quotation. */
function removeSentences(text: string, kept: Quote[], drop: (sentence: string) => boolean): string {
  const guarded: Array<[number, number]> = quotedSegments(text).map((s) => [s.start, s.end]);
  for (const q of kept) {
    const at = text.indexOf(q.text);
    if (at >= 0) guarded.push([at, at + q.text.length]);
  }
  const spans = sentenceSpans(text, guarded);
  const keptText = spans.map(([a, b]) => text.slice(a, b)).filter((s) => !drop(s));
  return keptText.join('').trim();
}

function settleUnlisted(text: string, kept: Quote[], status: Map<Quote, 'verified' | 'repaired'>, material: TopicMaterial, index: number, counts: VerificationCounts, problems: VerifyProblem[]): string {
  const segments = quotedSegments(text).reverse(); // right to left keeps earlier offsets valid
  for (const seg of segments) {
    const inner = normaliseSpace(seg.inner);
    if (!inner) continue;
    if (kept.some((q) => q.text.includes(inner) || inner.includes(q.text))) continue;
    if (words(inner).length <= MAX_TERM_WORDS) {
      // A term or scare quote: keep the words, lose the marks, so nothing reads as speech.
      text = text.slice(0, seg.start) + seg.inner + text.slice(seg.end);
      continue;
    }
    const sentence = sentenceAround(text, seg.start);
    const named = material.messages.filter((m) => namesPerson(sentence, m.from) && matchPieces(m.own, quotePieces(inner), shownCuts(inner))?.exact);
    const speakers = new Set(named.map((m) => m.from.email));
    if (speakers.size === 1) {
      const m = named[0];
      const exact = matchPieces(m.own, quotePieces(inner), shownCuts(inner))!;
      const quote: Quote = { text: exact.text, author: { name: m.from.name, email: m.from.email }, messageId: m.messageId, url: m.url || loreUrl(m.messageId) };
      kept.push(quote);
      status.set(quote, 'repaired');
      counts.quotes++;
      problems.push({ kind: 'unlisted-quotation', paragraph: index, quote: inner, message: `the quotation "${inner}" was not listed among the paragraph's quotes; attributed to ${m.from.name} (${m.ref})`, action: 'repaired' });
      continue;
    }
    counts.quotes++;
    counts.removed++;
    problems.push({ kind: 'unlisted-quotation', paragraph: index, quote: inner, message: `the quotation "${inner}" is not listed among the paragraph's quotes and is not the own words of a person named in its sentence`, action: 'removed' });
    text = removeSentences(text, kept, (s) => s.includes(seg.inner));
  }
  return text;
}

/** Participants named in the sentence around position `at`, outside quotation marks. */
function namedInSentence(text: string, at: number, material: TopicMaterial): Person[] {
  let sentence = sentenceAround(text, at);
  for (const seg of quotedSegments(sentence).reverse()) sentence = sentence.slice(0, seg.start) + ' ' + sentence.slice(seg.end);
  // Every name a participant went by this week counts (one address, several display names).
  const variants = [...material.participants, ...material.messages.map((m) => m.from)];
  const named = new Map<string, Person>();
  for (const p of variants) if (namesPerson(sentence, p)) named.set(p.email.toLowerCase(), p);
  return [...named.values()];
}

function sentenceAround(text: string, at: number): string {
  const spans = sentenceSpans(text, quotedSegments(text).map((s) => [s.start, s.end]));
  const span = spans.find(([a, b]) => at >= a && at < b) ?? [0, text.length];
  return text.slice(span[0], span[1]);
}

const URL = /\bhttps?:\/\/[^\s<>"\u201d)]+/g;

/** A sentence with a link that is not a message of the topic goes: the link may be what it is there for. */
function settleLinks(text: string, kept: Quote[], material: TopicMaterial, index: number, problems: VerifyProblem[]): string {
  return removeSentences(text, kept, (sentence) => {
    let foreign = false;
    for (const url of sentence.match(URL) ?? []) {
      const trimmed = url.replace(/[.,;:]+$/, '');
      const m = /^https?:\/\/lore\.kernel\.org\/(?:[^/]+\/)?([^/?#]+)\/?$/.exec(trimmed);
      const id = m ? decodeURIComponent(m[1]) : undefined;
      if (id && material.byId.has(id)) continue;
      problems.push({ kind: 'foreign-link', paragraph: index, message: `link ${trimmed} is not a message of this topic`, action: 'removed' });
      foreign = true;
    }
    return foreign;
  });
}

// ---- names ----

/** Capitalised words that start sentences or name things, not people. */
const NOT_NAMES = new Set(('he she they it this that these those the a an and but so then later also meanwhile however ' +
  'everyone nobody someone others other another both each reviewers maintainers developers people linux kernel ' +
  'in on at after before when while once since there here his her their its one two who which what where why how ' +
  'x86 arm64 rust git tip mm next').split(' '));

/**
 * A display name of the week that is a list, a project or a company, not a person ("Linux Kernel
 * Mailing List", "Intel Corporation"): naming it in prose names no stranger.
 */
function namesAGroup(p: Person): boolean {
  return /(^|[^\p{L}])(lists?|mailing|project|team|group|maintainers|inc|ltd|llc|gmbh|corp|corporation|foundation|robot|bot|ci|community|developers)([^\p{L}]|$)/iu.test(p.name)
    || /(^|[-_.])(list|lists|devel|announce|owner|bounces?|noreply|no-reply)([-_.]|$)/i.test(p.email.split('@')[0]);
}

/** "Firstname Lastname", not a list, a bot or a company ("Linux Kernel Mailing List", "kernel test robot"). */
function looksLikePerson(p: Person): boolean {
  const parts = normaliseSpace(p.name).split(' ');
  if (parts.length < 2 || parts.length > 4 || !parts.every((w) => /^\p{Lu}[\p{L}'.-]*$/u.test(w))) return false;
  if (/list|bot|noreply|no-reply|devel|announce|owner|bounce/i.test(p.email.split('@')[0])) return false;
  const first = fold(parts[0]);
  return first.length > 2 && !NOT_NAMES.has(first) && !['linux', 'kernel', 'intel', 'amd', 'red', 'open', 'mailing'].includes(first);
}

/** First names of people often named in kernel news, for weeks whose mail does not carry them. */
const FAMOUS_FIRST_NAMES = ['linus', 'greg', 'andrew', 'thomas', 'ingo', 'peter', 'christoph', 'jens', 'al', 'dave', 'david', 'ted', 'kees', 'steven', 'paul'];

const SPEECH = /(?<![\p{L}\p{N}_])((?:\p{Lu}[\p{L}'.\-]*\s+){0,2}\p{Lu}[\p{L}'.\-]*?)(?:'s|\u2019s)?\s+(?:said|says|replied|replies|wrote|writes|argued|asked|objected|agreed|disagreed|suggested|noted|pointed out|responded|answered|explained|added|countered|proposed|posted|acked|nacked|reviewed|complained|warned|insisted|confirmed)\b/gu;

function nameTokens(p: Person): string[] {
  return fold(`${p.name} ${p.email.split('@')[0]}`).split(/[\s,.()"']+/).filter((t) => t.length > 1);
}

/** Whether `text` mentions person `p` by full name, last name or first name. */
export function namesPerson(text: string, p: Person): boolean {
  const t = fold(text);
  return nameTokens(p).some((tok) => tok.length > 2 && new RegExp(`(^|[^\\p{L}])${escape(tok)}($|[^\\p{L}])`, 'u').test(t));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * People a text names who are not participants: full names of anyone who wrote in the week, and
 * any capitalised name in front of a speech verb ("Linus Torvalds said") that matches no participant.
 */
export function unknownPeople(prose: string, material: TopicMaterial): string[] {
  const out = new Set<string>();
  // Quoted words are checked as quotes; a name inside them is the speaker's business.
  let text = prose;
  for (const seg of quotedSegments(prose).reverse()) text = text.slice(0, seg.start) + ' '.repeat(seg.end - seg.start) + text.slice(seg.end);
  const folded = fold(text);
  const participantTokens = new Set([...material.participants, ...material.messages.map((m) => m.from)].flatMap(nameTokens));
  const participantEmails = new Set(material.participants.map((p) => p.email.toLowerCase()));
  for (const p of material.weekPeople) {
    if (participantEmails.has(p.email.toLowerCase())) continue;
    const parts = normaliseSpace(p.name).split(' ');
    if (parts.length < 2 || namesAGroup(p) || material.participants.some((q) => fold(q.name) === fold(p.name))) continue;
    if (new RegExp(`(^|[^\\p{L}])${escape(fold(normaliseSpace(p.name)))}($|[^\\p{L}])`, 'u').test(folded)) out.add(p.name);
  }
  // "Linus Torvalds": a known first name followed by a capitalised word, matching no participant.
  const firstNames = new Set([...FAMOUS_FIRST_NAMES, ...material.weekPeople.filter(looksLikePerson).map((p) => fold(normaliseSpace(p.name).split(' ')[0]))]);
  for (const m of text.matchAll(/(?<![\p{L}\p{N}_])(\p{Lu}\p{Ll}+)\s+(\p{Lu}[\p{L}'-]+)/gu)) {
    const [a, b] = [fold(m[1]), fold(m[2]).replace(/'s$/, '')];
    if (firstNames.has(a) && !participantTokens.has(a) && !participantTokens.has(b) && !NOT_NAMES.has(b)) out.add(`${m[1]} ${m[2]}`);
  }
  for (const m of text.matchAll(SPEECH)) {
    const tokens = m[1].split(/\s+/).map((w) => fold(w).replace(/['\u2019]s$/, '').replace(/[^\p{L}\p{N}-]/gu, '')).filter((w) => w && !NOT_NAMES.has(w));
    if (tokens.length > 0 && !tokens.some((w) => participantTokens.has(w))) out.add(m[1]);
  }
  return [...out];
}

function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return String(text ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

function dedupe(quotes: Quote[]): Quote[] {
  const seen = new Set<string>();
  return quotes.filter((q) => {
    const key = `${q.messageId}\n${q.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
