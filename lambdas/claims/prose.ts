/**
 * The prose pass: claims about people that a story states without declaring them. Whatever drafted
 * the prose (the model, the offline drafter, an editor), a sentence that tells what a named person
 * did ("X NAKed the series", "Y agreed", "Z answered, "..."") is a claim, and is held to the mail like
 * a declared one. Fail closed: a claim sentence whose person cannot be told, or whom the story's mail
 * does not show doing it, never reaches a reader.
 */
import type { Claim, Paragraph, Person, Quote, Story } from '../model.js';
import { isBotSender, workAuthors, type MaterialMessage, type TopicMaterial } from '../verify/material.js';
import { normaliseSpace, quotedSegments, sentenceSpans } from '../verify/text.js';
import { checkClaim, urlsOf, type ClaimVerdict } from './check.js';
import { ABOUT_THE_WORK, foldForClaims, NARRATION_VERBS, NEGATED_BASE_VERBS, NEGATION_BEFORE, NO_OBJECTION_NOUN, NOBODY_BEFORE, NOT_A_NAME, PASSIVE_BEFORE, ROLE, RUN_GLUE, type NarrationKind } from './lexicon.js';

export interface ProsePassResult {
  story: Story;
  /** The claims found in the prose, each with its status (they are also on their paragraphs). */
  claims: Claim[];
  /** Quotes that went with a cut sentence. */
  quotesRemoved: number;
}


/** Words that make the names after them an object ("replying to X", "with X"), not a subject. */
const PREPOSITION = /^(to|with|from|for|of|about|against|unlike|than)$/;
/** One claim a sentence makes, before it is checked. */
interface Found {
  kind: NarrationKind;
  /** The person it names; undefined with `anyone` (a passive "the series was merged"). */
  who?: Person;
  anyone?: boolean;
  /** Why no person could be told (fail closed). */
  unmatched?: string;
  version?: number;
  seriesId?: string;
  /** For "answered": the person answered, named or the one the story spoke of just before. */
  answering?: Person[];
  /** The messages of the quotes the sentence gives the person: the stance must be in them. */
  cited: string[];
  /** Those quotes' words: the stance must be in the paragraph of the message they stand in. */
  quoted?: string[];
  /** The verb says the stance is on the work ("wanted it done differently"): the words answer the work or its author. */
  aboutTheWork?: boolean;
  /** The sentence denies it ("X did not object", "the series was not applied"): the mail must not show it. */
  negated?: boolean;
  /** The sentence says nobody did it ("No one objected", "there were no objections"). */
  nobody?: boolean;
}

/** A placeholder for quoted words in narration: what people said is theirs, not the narrator's. */
const QUOTE_MARK = ' \u2042 ';

/**
 * Finds, checks and applies the undeclared claims of a story.
 * 1. each paragraph split into sentences; a sentence that a declared claim states is skipped;
 * 2. narration (quotes blanked, unicode folded) read for claim verbs; each verb's subject read back
 *    from the words before it (names of the story's participants, pronouns, "the author"), or after
 *    "by" for a passive; a capitalised name that is no participant fails closed;
 * 3. each claim checked by checkClaim, stances in the cited message (the sentence's quote) when
 *    there is one; "answered" against the reply chain;
 * 4. a sentence whose claims all hold is kept and linked; else, one that gives a quote is told as
 *    what the person wrote, one the check softened gets the softer sentence, the rest are cut with
 *    their quotes. Every claim found goes on its paragraph with its status and why.
 */
export function proseClaims(story: Story, material: TopicMaterial): ProsePassResult {
  const names = new NameIndex(material);
  const all: Claim[] = [];
  let quotesRemoved = 0;
  let lastNamed: Person[] = [];
  // Whom an unnamed "answered" answers: someone the story spoke of in this paragraph or the one before.
  let namedBefore: Person[] = [];
  const paragraphs: Paragraph[] = [];
  for (const paragraph of story.paragraphs) {
    let namedHere: Person[] = [];
    const recent = () => [...new Set([...namedBefore, ...namedHere])];
    let declared = [...(paragraph.claims ?? [])];
    const text = paragraph.text;
    const segments = quotedSegments(text);
    const spans = sentenceSpans(text, segments.map((s) => [s.start, s.end]));
    const out: string[] = [];
    const found: Claim[] = [];
    for (const [start, end] of spans) {
      const raw = text.slice(start, end);
      const sentence = normaliseSpace(raw);
      if (!sentence) continue;
      const nowNamed = names.named(sentence);
      const answerable = recent();
      namedHere = [...namedHere, ...(nowNamed ?? [])];
      const stated = declared.filter((c) => c.status !== 'removed' && normaliseSpace(c.sentence ?? '') === sentence);
      // A sentence the check itself softened says only what the mail shows.
      if (stated.some((c) => c.status === 'softened')) { out.push(raw); if (nowNamed?.length) lastNamed = nowNamed; continue; }
      const quoted = segments.filter((s) => s.start >= start && s.end <= end);
      const quotes = quoted.map((s) => paragraph.quotes.find((q) => s.inner.includes(q.text) || q.text.includes(s.inner.trim()))).filter((q): q is Quote => q !== undefined);
      // What a declared claim of this sentence already states was checked as declared.
      const claims = findClaims(sentence, quotes, names, material, lastNamed, answerable)
        .filter((f) => !stated.some((c) => c.what === f.kind && (!f.who || c.who.email.toLowerCase() === f.who.email.toLowerCase())));
      if (claims.length === 0) { out.push(raw); if (nowNamed?.length) lastNamed = nowNamed; continue; }
      const checked = claims.map((f) => ({ f, v: checkFound(f, material) }));
      const made = checked.map(({ f, v }) => asClaim(f, v, sentence, material));
      if (checked.every(({ v }) => v.status === 'verified')) {
        found.push(...made);
        out.push(raw);
      } else {
        const told = toldAsWritten(sentence, quoted, quotes, names);
        const softer = checked.filter(({ v }) => v.status === 'softened').map(({ v }) => (v as { sentence: string }).sentence);
        const replacement = told ?? (softer.length === checked.length && stated.length === 0 ? softer.join(' ') : '');
        const why = checked.filter(({ v }) => v.status !== 'verified').map(({ v }) => (v as { note: string }).note).join('; ');
        for (const c of made) {
          // Told as written, the sentence shows the quote's message; softened by the check, what the check found.
          const shown = told ? { evidence: quotes.map((q) => q.messageId), urls: urlsOf(quotes.map((q) => q.messageId), material) } : { evidence: c.evidence, urls: c.urls ?? [] };
          if (replacement) found.push({ ...c, ...shown, status: 'softened', sentence: replacement, note: `"${sentence}" says more than the mail shows (${why}); told as ${told ? 'what was written' : 'the mail shows it'}` });
          else found.push({ ...c, status: 'removed', sentence, note: c.status === 'verified' ? `true, but cut with its sentence, which also stated what the mail does not show (${why})` : c.note });
        }
        // Declared claims of a cut sentence go with it.
        declared = declared.map((c) => (stated.includes(c) ? { ...c, status: 'removed' as const, note: `true, but cut with its sentence, which also stated what the mail does not show (${why})` } : c));
        if (stated.length && replacement) declared = declared.filter((c) => !stated.includes(c) || c.status === 'removed');
        if (replacement) out.push(raw.replace(raw.trim(), replacement));
      }
      if (nowNamed?.length) lastNamed = nowNamed;
    }
    namedBefore = namedHere;
    const newText = normaliseSpace(out.join(''));
    const keptQuotes = paragraph.quotes.filter((q) => newText.includes(q.text));
    quotesRemoved += paragraph.quotes.length - keptQuotes.length;
    all.push(...found);
    const claims = [...declared, ...found];
    if (/[\p{L}]/u.test(newText)) paragraphs.push({ text: newText, quotes: keptQuotes, ...(claims.length ? { claims } : {}) });
    else if (claims.length && paragraphs.length) paragraphs[paragraphs.length - 1] = { ...paragraphs[paragraphs.length - 1], claims: [...(paragraphs[paragraphs.length - 1].claims ?? []), ...claims] };
    else if (claims.length) paragraphs.push({ text: '', quotes: [], claims });
  }
  return { story: { ...story, paragraphs }, claims: all, quotesRemoved };
}

/** A sentence that gives one person's quote, told without the verb: "Rita Reviewer wrote, "..."". */
function toldAsWritten(sentence: string, quoted: Array<{ start: number; end: number; inner: string }>, quotes: Quote[], names: NameIndex): string | undefined {
  if (quoted.length !== 1 || quotes.length !== 1) return undefined;
  const inSentence = /\u201c[^\u201d]*\u201d|"[^"]*"/.exec(sentence);
  if (!inSentence) return undefined;
  const after = sentence.slice(inSentence.index + inSentence[0].length).trim();
  const end = /^[.!?]/.test(after) ? after[0] : '';
  const author = quotes[0].author;
  // A time the sentence opens with stays: "On Thursday, X wrote, ...".
  const when = /^((?:On|By|Later on|Early on) [\p{L}\d ]{1,30}|Earlier|Later|Meanwhile|Then|Afterwards|In reply|In response),\s+/u.exec(sentence)?.[0] ?? '';
  return `${when}${names.display(author)} wrote, ${inSentence[0]}${end && !/[.!?]["\u201d]$/.test(inSentence[0]) ? end : ''}`;
}

function asClaim(f: Found, v: ClaimVerdict, sentence: string, material: TopicMaterial): Claim {
  const who = f.who ?? { name: f.unmatched ?? (f.nobody ? 'no one' : f.anyone ? 'anyone in the thread' : 'someone'), email: '' };
  const base: Claim = { who, what: f.kind, ...(f.seriesId ? { seriesId: f.seriesId } : {}), ...(f.version ? { version: f.version } : {}), evidence: [], sentence, found: 'prose', ...(f.negated || f.nobody ? { negated: true as const } : {}) };
  if (v.status === 'removed') return { ...base, status: 'removed', note: v.note };
  if (v.status === 'softened') return { ...base, status: 'softened', sentence: v.sentence, note: v.note, evidence: v.evidence, urls: urlsOf(v.evidence, material) };
  return { ...base, status: 'verified', evidence: v.evidence, urls: urlsOf(v.evidence, material) };
}

/** The claims one sentence makes, read from its narration. */
function findClaims(sentence: string, quotes: Quote[], names: NameIndex, material: TopicMaterial, lastNamed: Person[], recent: Person[]): Found[] {
  let narration = sentence;
  for (const seg of quotedSegments(sentence).reverse()) narration = narration.slice(0, seg.start) + QUOTE_MARK + narration.slice(seg.end);
  const text = foldForClaims(narration);
  const out: Found[] = [];
  const seen = new Set<string>();
  // "There were no objections", "went unopposed": nobody objected, whoever the sentence names.
  // The series a "nobody" sentence is about: the one it names or the story's own, else any of them.
  const nobodysSeries = seriesNamed(text, material) ?? storySeries(material);
  const nobody = (kind: NarrationKind): Found => ({ kind, nobody: true, cited: [], ...(nobodysSeries ? { seriesId: nobodysSeries } : {}) });
  if (NO_OBJECTION_NOUN.test(text)) { out.push(nobody('objects')); seen.add('objects nobody'); }
  const verbs = [...NARRATION_VERBS.map((v) => ({ ...v, base: false })), ...NEGATED_BASE_VERBS.map((v) => ({ ...v, base: true }))];
  for (const { re, kind, base } of verbs) {
    // Every verb pattern is global; matchAll works on its own copy, so the shared pattern keeps no state.
    for (const m of text.matchAll(re)) {
      const at = m.index ?? 0;
      const after = text.slice(at + m[0].length);
      const negation = NEGATION_BEFORE.exec(text.slice(0, at));
      // A base form ("object", "reply") is a claim only when denied: "did not object".
      if (base && !negation) continue;
      const passive = PASSIVE_BEFORE.test(text.slice(0, at));
      // What is left before the denial is the subject: "Jan did not object" is about Jan.
      const before = negation && !passive ? text.slice(0, negation.index) : text.slice(0, at);
      if (NOBODY_BEFORE.test(before)) {
        if (!seen.has(`${kind} nobody`)) out.push(nobody(kind));
        seen.add(`${kind} nobody`);
        continue;
      }
      const negated = negation !== null;
      let subjects: Subject;
      if (passive) {
        const by = /^\s*(?:[\p{L}-]+\s+){0,3}?by\s+(.*)$/u.exec(after);
        // "X said the patches had been applied": reported speech makes it X's claim to have done it.
        const said = /^(.*)\b(?:said|wrote|noted|announced|reported|confirmed|told [\p{L}]+)(?:\s+that)?\s+[^\u2042]*$/u.exec(before);
        const speaker = said ? names.runBack(said[1], lastNamed, material) : undefined;
        subjects = by ? names.runForward(by[1]) : speaker && (speaker.people.length || speaker.unmatched) ? speaker : { people: [], anyone: true };
      } else {
        subjects = names.runBack(before, lastNamed, material);
      }
      // "The series landed": an outcome without a person is true when anyone's note shows it.
      if (!subjects.people.length && !subjects.anyone && !subjects.unmatched && OUTCOME_KINDS.has(kind)) subjects = { people: [], anyone: true };
      if (!subjects.people.length && !subjects.anyone && !subjects.unmatched) continue; // not about a person
      const version = Number(/\b(?:version|v)\s*(\d+)\b/i.exec(after)?.[1] ?? /\bv(\d+)\b/i.exec(before)?.[1] ?? '') || undefined;
      const seriesId = seriesNamed(text, material) ?? seriesOfMessages(quotes.map((q) => q.messageId), material) ?? storySeries(material);
      const cited = quotes.map((q) => q.messageId);
      const answering = kind === 'answers' ? names.runForward(after.replace(/^\s*(?:to|back to|in return to)?\s*/i, '')).people : undefined;
      const found = { kind, version, seriesId, cited, aboutTheWork: ABOUT_THE_WORK.test(m[0]), ...(negated ? { negated } : {}) };
      const key = (p?: Person) => `${kind}${negated ? ' not' : ''} ${p?.email ?? (subjects.anyone ? '*' : '?')}`;
      if (subjects.unmatched && !subjects.people.length) {
        if (!seen.has(key())) out.push({ ...found, unmatched: subjects.unmatched });
        seen.add(key());
        continue;
      }
      if (subjects.anyone) { if (!seen.has(key())) out.push({ ...found, anyone: true }); seen.add(key()); continue; }
      for (const p of subjects.people) {
        if (seen.has(key(p))) continue;
        seen.add(key(p));
        const mine = quotes.filter((q) => names.same(q.author, p));
        const previous = recent.filter((x) => x.email.toLowerCase() !== p.email.toLowerCase());
        out.push({ ...found, who: p, cited: mine.map((q) => q.messageId), quoted: mine.map((q) => q.text), ...(kind === 'answers' ? { answering: answering?.length ? answering : previous } : {}) });
      }
    }
  }
  return out;
}

const OUTCOME_KINDS = new Set<NarrationKind>(['applied', 'merged', 'reverted']);

/** A word of the text names a participant only written as a name: "Will" is a person, "will" a verb. */
const asWritten = (raw: string, ps: Person[]) => /^\p{Lu}/u.test(raw) || ps.some((p) => foldForClaims(p.name).includes(raw.replace(/['\u2019]s$/, '')) || p.email.startsWith(raw));

/** The series a quoted message is part of or answers, when that is one series. */
function seriesOfMessages(ids: string[], material: TopicMaterial): string | undefined {
  const found = new Set<string>();
  for (const id of ids) {
    const seen = new Set<string>();
    for (let m = material.byId.get(id); m && !seen.has(m.messageId); m = m.inReplyTo ? material.byId.get(m.inReplyTo) : undefined) {
      seen.add(m.messageId);
      const s = material.series?.find((x) => x.versions.some((v) => v.messageIds.includes(m!.messageId)));
      if (s) { found.add(s.id); break; }
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** "The patch" of a story about a series is the series the story is titled by (several in it or not). */
function storySeries(material: TopicMaterial): string | undefined {
  const title = foldForClaims(material.topic.title).toLowerCase().replace(/\s+/g, ' ').trim();
  const named = (material.series ?? []).filter((s) => foldForClaims(s.title).toLowerCase().replace(/\s+/g, ' ').trim() === title);
  return named.length === 1 ? named[0].id : undefined;
}

function seriesNamed(text: string, material: TopicMaterial): string | undefined {
  const t = text.replace(/\s+/g, ' ');
  const named = (material.series ?? []).filter((s) => s.title.length >= 12 && t.includes(foldForClaims(s.title).replace(/\s+/g, ' ')));
  return named.length === 1 ? named[0].id : undefined;
}

/** One found claim against the mail. */
function checkFound(f: Found, material: TopicMaterial): ClaimVerdict {
  if (f.unmatched) return { status: 'removed', note: `"${f.unmatched}" is nobody in this story's mail, so the claim cannot be checked` };
  const claimOf = (who: Person, kind = f.kind): Claim => ({ who, what: kind, ...(f.seriesId ? { seriesId: f.seriesId } : {}), ...(f.version ? { version: f.version } : {}), evidence: [], sentence: '' });
  if (f.nobody || f.negated) {
    const did = shownDoing(f.kind, material, { who: f.who, seriesId: f.seriesId });
    return did ? { status: 'removed', note: `the mail shows ${did.person.name || did.person.email} did (${did.kind})${f.who ? '' : ', so "nobody did" is false'}` } : { status: 'verified', evidence: [] };
  }
  if (f.anyone) {
    // "The series was merged": true when someone in the story's mail shows it.
    const verdicts = senders(material).map((p) => checkClaim(claimOf(p), material));
    return verdicts.find((v) => v.status === 'verified') ?? verdicts.find((v) => v.status === 'softened') ?? { status: 'removed', note: `nobody in this story's mail shows it (${f.kind})` };
  }
  const verdict = checkClaim(claimOf(f.who!), material, { cited: f.cited, quoted: f.quoted, answering: f.answering });
  if (verdict.status !== 'verified' || !f.aboutTheWork || !f.cited.length) return verdict;
  // "Wanted it done differently" is about the work: words that answer another reviewer's argument are a reply to them.
  const other = f.cited.map((id) => material.byId.get(id)).map((m) => m && answersSomeoneElse(m, material)).find(Boolean);
  return other ? { status: 'removed', note: `the words quoted answer ${other}'s argument, not the work or its author` } : verdict;
}

/**
 * Who the story's mail shows doing `kind` (the check of a denial: "Jan did not object", "No one
 * objected"): `who` alone, or anyone but the work's authors for a stance ("No one objected" is about
 * the work; its authors arguing back at a reviewer are not objecting to it). A NAK is an objection
 * too; a series not named could be any of the story's; anything the check finds, even what it would
 * soften, shows the person did it. Exported so that a drafter writing "No one objected" asks the same.
 */
export function shownDoing(kind: NarrationKind, material: TopicMaterial, about: { who?: Person; seriesId?: string } = {}): { person: Person; kind: NarrationKind } | undefined {
  const kinds: NarrationKind[] = kind === 'objects' ? ['objects', 'nak'] : [kind];
  const series = about.seriesId ? [about.seriesId] : material.series?.length ? material.series.map((s) => s.id) : [undefined];
  const authors = workAuthors(material);
  const people = about.who ? [about.who] : senders(material).filter((p) => !(STANCES.has(kind) && authors.has(p.email.toLowerCase())));
  const claimOf = (who: Person, k: NarrationKind, seriesId?: string): Claim => ({ who, what: k, ...(seriesId ? { seriesId } : {}), evidence: [], sentence: '' });
  for (const person of people) {
    for (const k of kinds) {
      if (series.some((seriesId) => checkClaim(claimOf(person, k, seriesId), material).status !== 'removed')) return { person, kind: k };
    }
  }
  return undefined;
}

/** Kinds that are a position on the work, which its own author does not take against it. */
const STANCES = new Set<NarrationKind>(['objects', 'nak', 'doubts']);

/** The people who wrote the story's mail, bots aside, once each. */
function senders(material: TopicMaterial): Person[] {
  return [...new Map(material.messages.filter((m) => !isBotSender(m.from)).map((m) => [m.from.email.toLowerCase(), m.from])).values()];
}

/** The name of the person a message answers when that is neither the work (a posting, a patch) nor its author. */
function answersSomeoneElse(m: MaterialMessage, material: TopicMaterial): string | undefined {
  const target = m.inReplyTo ? material.byId.get(m.inReplyTo) : undefined;
  if (!target || !target.inReplyTo || target.hasPatch || !/^\s*re:/i.test(target.subject)) return undefined;
  let root = target;
  const seen = new Set<string>();
  while (root.inReplyTo && material.byId.get(root.inReplyTo) && !seen.has(root.messageId)) { seen.add(root.messageId); root = material.byId.get(root.inReplyTo)!; }
  const series = material.series?.find((s) => s.versions.some((v) => v.messageIds.includes(root.messageId)));
  // The thread's posting is not in the mail (an earlier week): whose work it is cannot be told, so the stance cannot be placed.
  if (!series && root.inReplyTo) return target.from.name || target.from.email;
  const author = series?.author ?? root.from;
  const same = (a: Person, b: Person) => a.email.toLowerCase() === b.email.toLowerCase() || (a.name.trim().split(/\s+/).length >= 2 && a.name.trim().toLowerCase() === b.name.trim().toLowerCase());
  return same(target.from, author) || same(target.from, m.from) ? undefined : target.from.name || target.from.email;
}

interface Subject { people: Person[]; anyone?: boolean; unmatched?: string }

/** The story's people by the words that name them: full name, first name, last name, address. */
class NameIndex {
  private readonly byToken = new Map<string, Person[]>();
  private readonly participants: Person[];
  constructor(private readonly material: TopicMaterial) {
    const people = new Map<string, Person>();
    // One person per address, and per full name of two words or more (people write from several addresses).
    const key = (p: Person) => (normaliseSpace(p.name).split(' ').length >= 2 ? foldForClaims(normaliseSpace(p.name)).toLowerCase() : p.email.toLowerCase());
    for (const p of [...material.messages.map((m) => m.from), ...material.participants]) if (p.email && !people.has(key(p))) people.set(key(p), p);
    this.participants = [...people.values()];
    for (const p of this.participants) {
      const tokens = new Set([...foldForClaims(p.name).toLowerCase().split(/[\s,()"]+/), foldForClaims(p.email.split('@')[0]).toLowerCase()].map((t) => t.replace(/[.']+$/, '')).filter((t) => t.length > 1));
      for (const t of tokens) this.byToken.set(t, [...(this.byToken.get(t) ?? []), p]);
    }
  }

  /** The same person: one address, or one full name of two words or more. */
  same(a: Person, b: Person): boolean {
    if (a.email.toLowerCase() === b.email.toLowerCase()) return true;
    const n = (p: Person) => foldForClaims(normaliseSpace(p.name)).toLowerCase();
    return n(a).split(' ').length >= 2 && n(a) === n(b);
  }

  /** The name to print for a person. */
  display(p: Person): string { return p.name || p.email; }

  /** The participants a sentence names, in order (for pronouns and "answered"). */
  named(sentence: string): Person[] | undefined {
    const words = foldForClaims(sentence).toLowerCase().split(/[^\p{L}\p{N}'-]+/u).map((w) => w.replace(/'s$/, ''));
    const out: Person[] = [];
    const rawWords = foldForClaims(sentence).split(/[^\p{L}\p{N}'-]+/u);
    for (const [i, w] of words.entries()) {
      const ps = this.byToken.get(w);
      if (ps && !asWritten(rawWords[i] ?? '', ps)) continue;
      if (ps?.length === 1 && !out.includes(ps[0])) out.push(ps[0]);
    }
    return out.length ? out : undefined;
  }

  /**
   * The subject of a verb, read back from the words before it: a run of names joined by commas and
   * "and" (adverbs allowed), a pronoun (the last person named), "the author". A capitalised word
   * in that run that names no participant fails closed; a run of other words (a noun: "the series")
   * is no person at all.
   */
  runBack(before: string, lastNamed: Person[], material: TopicMaterial): Subject {
    const tokens = before.split(/(\s+|,|;|:)/).filter((t) => t.trim() !== '');
    const people: Person[] = [];
    let unknown: string[] = [];
    let sawName = false;
    // "Rita, who NAKed v1, ...": a relative clause's subject is the name before its comma.
    let relative = false;
    // Where the names since the last comma start: "Replying to David, Eric objected" ends the run at
    // "to", and the names after a preposition are its object, not the verb's subject.
    let segment = { people: 0, unknown: 0 };
    for (let i = tokens.length - 1; i >= 0; i--) {
      const raw = tokens[i];
      const w = raw.toLowerCase().replace(/['\u2019]s$/, '').replace(/[^\p{L}\p{N}.'-]/gu, '');
      if (!sawName && !relative && /^(who|whom|which|that)$/.test(w) && tokens[i - 1] === ',') { relative = true; continue; }
      if (raw === ',' && sawName) segment = { people: people.length, unknown: unknown.length };
      if (sawName && PREPOSITION.test(w) && !RUN_GLUE.test(w)) { people.length = segment.people; unknown.length = segment.unknown; break; }
      if (raw === ',' || RUN_GLUE.test(w)) { if (raw === ',' && !sawName && !relative) break; continue; }
      if (/^\d+$/.test(w) || /^(others?|one)$/.test(w)) continue; // "and 2 others"
      if (/^(he|she|they|him|her)$/.test(w) && !sawName) return lastNamed.length === 1 ? { people: lastNamed } : { people: [], unmatched: raw };
      if (w === 'author' && !sawName && /\bthe$/i.test(tokens[i - 1] ?? '')) {
        const author = material.series?.length === 1 ? material.series[0].author : material.messages.find((m) => !m.inReplyTo)?.from;
        return author ? { people: [author] } : { people: [], unmatched: 'the author' };
      }
      if (/['\u2019]s$/.test(raw)) break; // "Otto's reply": a possessive is not the subject
      const found = this.byToken.get(w.replace(/\.$/, ''));
      const ps = found && asWritten(raw, found) ? found : undefined;
      if (!ps && ROLE.test(w) && !sawName) return { people: [], unmatched: `the ${w}` };
      if (ps?.length) {
        sawName = true;
        if (ps.length === 1) { if (!people.includes(ps[0])) people.push(ps[0]); }
        else {
          // A shared first name: the one the full name in the same run names, else the last named.
          const next = tokens[i + 1]?.toLowerCase();
          const local = (p: Person) => p.email.split('@')[0].toLowerCase();
          const pick = ps.find((p) => next && foldForClaims(p.name).toLowerCase().includes(next)) ?? ps.find((p) => lastNamed.includes(p))
            // One address name at several hosts is one person: the one with a full name.
            ?? (ps.every((p) => local(p) === local(ps[0])) ? [...ps].sort((a, b) => b.name.length - a.name.length)[0] : undefined);
          if (pick && !people.includes(pick)) people.push(pick);
          else if (!pick) unknown.push(raw);
        }
        continue;
      }
      if (/^\p{Lu}\.?$/u.test(raw) && sawName) continue; // an initial: "Michael S. Tsirkin"
      if (/^\p{Lu}/u.test(raw) && !NOT_A_NAME.test(w) && (sawName || people.length === 0)) { unknown.push(raw); sawName = true; continue; }
      break;
    }
    // A stranger named in the run beside participants: the sentence tells of someone the story's mail cannot show.
    if (unknown.length) unknown = unknown.filter((u) => !people.some((p) => foldForClaims(p.name).includes(u.toLowerCase())));
    if (unknown.length) return { people: [], unmatched: unknown.reverse().join(' ') };
    return { people: people.reverse() };
  }

  /** Names read forward (after "by", after "answered"). */
  runForward(after: string): Subject {
    const tokens = after.split(/(\s+|,)/).filter((t) => t.trim() !== '');
    const people: Person[] = [];
    for (const raw of tokens) {
      const w = raw.toLowerCase().replace(/['\u2019]s$/, '').replace(/[^\p{L}\p{N}.'-]/gu, '').replace(/\.$/, '');
      if (raw === ',' || RUN_GLUE.test(w)) continue;
      const found = this.byToken.get(w);
      const ps = found && asWritten(raw, found) ? found : undefined;
      if (ps?.length === 1) { if (!people.includes(ps[0])) people.push(ps[0]); continue; }
      if (ps?.length) continue;
      if (/^\p{Lu}\.?$/u.test(raw) && people.length) continue;
      break;
    }
    return { people };
  }
}

