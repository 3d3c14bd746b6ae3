import type { Claim, ClaimKind, Paragraph, Person, Quote, Series, Story } from '../model.js';
import type { MaterialMessage, TopicMaterial } from '../verify/material.js';
import { matchPieces } from '../verify/verify.js';
import { quotedSegments, words } from '../verify/text.js';
import { headlineFrom, purposePhrase, subjectPhrase, subjectTags, surname, topicParts } from './headline.js';
import { headlineProblems, normaliseHeadline } from './headline-rules.js';
import { isBot, isPosting, threadPositions, versionOf, type Fact, type PersonPosition, type ThreadPositions } from './positions.js';
import { CONCESSION, proseBlocks, quoteCandidates, stanceOf, type Candidate } from './sentences.js';
import { actOf, Verbs, wordsShow } from './verbs.js';
import { APPROVAL, foldForClaims, OBJECTION, QUESTION } from '../claims/lexicon.js';
import { shownDoing } from '../claims/prose.js';

/** The house length of a story, in words (Zack's Kernel News runs 150-350 a story). */
export const MIN_STORY_WORDS = 150;
export const MAX_STORY_WORDS = 350;
/** Quotes in a story: enough to let each side speak, few enough that each one carries an argument. */
export const MAX_QUOTES = 5;
/** Words an outcome paragraph takes, about, when planning a story's length. */
const OUTCOME_WORDS = 25;
/** People named in a list before "and N others". */
const MAX_LISTED = 4;
/** Quotes of minor points a story gives, in one paragraph. */
const MAX_POINTS = 2;
/** Below this score a sentence says too little to be quoted as someone's argument. */
const MIN_QUOTE_SCORE = 0.9;

interface Chosen { message: MaterialMessage; candidate: Candidate }
/** An answer to an objection; `reply` when it is in the objection's sub-thread. */
interface Answer extends Chosen { reply: boolean }

/** Words too common to tie an answer to an objection. */
const COMMON = new Set(('a an and are as at be been but by can could did do does doing done for from had has have how i if in into is it its ' +
  'just like may me might more most my no not now of on one only or other our so some such than that the their them then there these they ' +
  'this those to too up us use used using very was way we well were what when where whether which while who why will with would you your ' +
  'also any because being both each even here instead much need new same should since still think want yes').split(' '));

/** Content words of a sentence, crudely stemmed so that "hooks" meets "hook" and "connected" "connect". */
export function keyTerms(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z][a-z0-9_]+/g) ?? []).filter((w) => w.length > 2 && !COMMON.has(w))
    .map((w) => w.replace(/(?:ing|ed|es|s)$/, '')).filter((w) => w.length > 2));
}
/** How many of the key terms a passage shares. */
export function overlap(keys: Set<string>, passage: string): number {
  const theirs = keyTerms(passage);
  return [...keys].filter((k) => theirs.has(k)).length;
}

/**
 * The deterministic writer: a story told by role from the thread's structure and its people's own
 * words, no model. Its paragraphs follow the column's order:
 * 1. the proposal: who posted what, and the sentence that says why;
 * 2. the main objection and who made it (NAK > objection > doubt > request for changes), with the
 *    others on that side grouped;
 * 3. how the author answered that objection;
 * 4. who else weighed in on which side, grouped;
 * 5. how it stood at the end of the week, in words: NAKs, acks, reviews, "applied", new versions
 *    posted or promised, each sentence a structured Claim the claim check can test.
 * Quotes are whole sentences of the speakers' own words chosen by how much argument they carry;
 * the headline says the angle (who objected, what happened), never the subject.
 */
export function offlineStory(material: TopicMaterial): Story {
  const pos = threadPositions(material);
  let story = writeStory(material, pos, 0);
  // Too short even with every voice heard: more of the proposal's own case, told right after it
  // (another pass, so names still come in full where the reader first meets them).
  for (let extras = 1; extras <= 2 && story.words < MIN_STORY_WORDS; extras++) {
    const longer = writeStory(material, pos, extras);
    if (longer.words <= story.words) break;
    story = longer;
  }
  const paragraphs = fullNamesFirst(story.paragraphs, [...material.participants, ...material.messages.map((m) => m.from)]);
  return { topicId: material.topic.id, headline: angleHeadline(pos, story.main, material, story.paragraphs), paragraphs };
}

/**
 * A reader meets each person by full name: where a sentence that named someone in full was left out
 * (a shorter pass, a quote that did not fit), the first mention that remains, a first name, becomes
 * the full name. Quoted words are never touched, and a claim's sentence follows its paragraph.
 */
export function fullNamesFirst(paragraphs: Paragraph[], people: Person[]): Paragraph[] {
  const full = new Map<string, string>();
  const clash = new Set<string>();
  for (const p of people) {
    const words = normaliseName(p.name).split(' ');
    if (words.length < 2) continue;
    const first = words[0];
    if (full.has(first) && full.get(first) !== words.join(' ')) clash.add(first);
    else full.set(first, words.join(' '));
  }
  const met = new Set<string>();
  return paragraphs.map((paragraph) => {
    let text = paragraph.text;
    let claims = paragraph.claims;
    for (const [first, name] of full) {
      if (clash.has(first) || met.has(first)) continue;
      const quoted = quotedSegments(text);
      const outside = (at: number) => !quoted.some((q) => at >= q.start && at < q.end);
      const whole = [...text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(name)}(?![\\p{L}\\p{N}])`, 'gu'))].map((m) => m.index!).filter(outside);
      const bare = [...text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(first)}(?![\\p{L}\\p{N}])`, 'gu'))].map((m) => m.index!).filter(outside);
      if (!whole.length && !bare.length) continue;
      met.add(first);
      const at = bare[0];
      if (at === undefined || (whole.length && whole[0] <= at)) continue;
      const swap = (t: string, i: number) => t.slice(0, i) + name + t.slice(i + first.length);
      claims = claims?.map((c) => {
        const from = text.indexOf(c.sentence);
        return from >= 0 && at >= from && at < from + c.sentence.length ? { ...c, sentence: swap(c.sentence, at - from) } : c;
      });
      text = swap(text, at);
    }
    return { ...paragraph, text, ...(claims ? { claims } : {}) };
  });
}

const normaliseName = (name: string) => name.trim().replace(/\s+/g, ' ');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Written { paragraphs: Paragraph[]; main?: PersonPosition; quotes: number; words: number }
type Role = 'proposal' | 'more' | 'objection' | 'answer' | 'exchange' | 'sides' | 'others' | 'voice' | 'outcome';

/** Two critics, neither the author, who answer each other: the quarrel is the story. */
export function clashOf(pos: ThreadPositions): [PersonPosition, PersonPosition] | undefined {
  const critics = pos.people.filter((p) => p.side === 'against' && !isBot(p.person) && !pos.isAuthor(p.person));
  const [a, b] = critics;
  if (!a || !b) return undefined;
  const ids = (p: PersonPosition) => new Set(p.messages.map((m) => m.messageId));
  const answers = b.messages.some((m) => ids(a).has(m.inReplyTo ?? '')) || a.messages.some((m) => ids(b).has(m.inReplyTo ?? ''));
  if (!answers) return undefined;
  // Told in the order it happened: who spoke first in the thread is the first voice of the quarrel.
  const first = (p: PersonPosition) => p.messages.map((m) => m.date ?? '').sort()[0] ?? '';
  return first(b) < first(a) ? [b, a] : [a, b];
}

function writeStory(material: TopicMaterial, pos: ThreadPositions, extras: number): Written {
  const names = new Names(material.participants);
  const writer = new Writer(material, names);
  const { proposal, author } = pos;
  const parts: Array<{ role: Role; paragraph?: Paragraph }> = [];
  const critics = pos.people.filter((p) => (p.side === 'against' || p.side === 'changes') && !isBot(p.person));
  const clash = clashOf(pos);
  // The main objection is the one the argument is about: a quarrel's first voice, else the critic the
  // author answered most (a debate), else the strongest critic with words to quote.
  const answered = (p: PersonPosition) => {
    const ids = new Set(p.messages.map((m) => m.messageId));
    return material.messages.filter((m) => pos.isAuthor(m.from) && ids.has(m.inReplyTo ?? '')).length;
  };
  const quotable = critics.filter((p) => writer.objectionOf(p) !== undefined);
  const main = (clash && critics.find((p) => p === clash[0]))
    ?? [...quotable].sort((a, b) => Math.min(answered(b), 2) - Math.min(answered(a), 2))[0] ?? critics[0];
  // Chosen before the proposal is told, so that the author's answer to it waits for its place.
  const objectionChoice = main ? writer.objectionOf(main) : undefined;
  const answerChoice = main && objectionChoice ? writer.answerTo(pos, main, objectionChoice) : undefined;
  if (answerChoice) writer.reserved.add(answerChoice.candidate.text);

  // 1. The proposal (or the report), and, when the story is short, more of its case in the same
  // paragraph. A report that turned into a quarrel between others is only the occasion: one sentence.
  const opening = clash && isReport(proposal.subject) && !clash.some((c) => pos.isAuthor(c.person))
    ? writer.occasion(proposal, clash)
    : writer.proposal(proposal, material.messages, pos);
  parts.push({ role: 'proposal', paragraph: opening.paragraph });
  for (let i = 0; i < extras; i++) parts.push({ role: 'more', paragraph: writer.more(proposal, author, i) });
  // A short story: what the mail itself records about the work (what it fixes, who reported it,
  // where a build broke), told plainly, before any more quotes.
  if (extras > 0) parts.push({ role: 'more', paragraph: writer.record(proposal, pos) });

  // 2-3. The main objection, and the author's answer to it; then the exchange that followed.
  if (main) {
    const rest = critics.filter((p) => p !== main);
    // In a quarrel, the second critic is told right after the first, as the other side.
    if (clash) rest.sort((x, y) => (x === clash[1] ? -1 : y === clash[1] ? 1 : 0));
    parts.push({ role: 'objection', paragraph: writer.objection(main, proposal.date, extras > 0, objectionChoice) });
    // In a quarrel the other side is the second critic: heard before any answer of the author's.
    if (clash) parts.push({ role: 'objection', paragraph: writer.sides(main, rest) });
    parts.push({ role: 'answer', paragraph: writer.answer(pos, main, answerChoice, objectionChoice) });
    const other = clash ? clash[1].person : pos.author;
    parts.push({ role: 'exchange', paragraph: writer.exchange(main.person, other) });
    if (!clash) parts.push({ role: 'sides', paragraph: writer.sides(main, rest) });
  }

  // 4. The others; then, in a story still short, the best arguments of people not yet heard.
  parts.push({ role: 'others', paragraph: writer.others(pos, new Set(critics.map((p) => p.person.email))) });
  // Smaller points, grouped in one paragraph of at most two quotes, not a paragraph a reply.
  const wordsSoFar = () => countWords(parts.flatMap((p) => (p.paragraph ? [p.paragraph] : [])));
  const points: Paragraph[] = [];
  while (points.length < MAX_POINTS && wordsSoFar() + countWords(points) + OUTCOME_WORDS < MIN_STORY_WORDS) {
    const voice = writer.voice(pos);
    if (!voice) break;
    points.push(voice);
  }
  if (points.length) {
    const lead = points.length > 1 && points.every((p) => p.quotes.every((q) => !pos.isAuthor(q.author))) ? `Reviewers raised smaller points${main ? ' too' : ''}. ` : '';
    parts.push({ role: 'voice', paragraph: { text: lead + points.map((p) => p.text).join(' '), quotes: points.flatMap((p) => p.quotes) } });
    // Still short: how the author answered those points, each a reply down that point's sub-thread.
    for (const q of points.flatMap((p) => p.quotes)) {
      if (wordsSoFar() + OUTCOME_WORDS >= MIN_STORY_WORDS) break;
      const reply = pos.isAuthor(q.author) ? undefined : writer.replyTo(pos, q);
      if (reply) parts.push({ role: 'voice', paragraph: reply });
    }
  }

  // 5. The outcome.
  parts.push({ role: 'outcome', paragraph: writer.outcome(pos, critics.length > 0, material) });

  let kept = parts.filter((p) => p.paragraph && p.paragraph.text.length > 0);
  // Too long: extra voices go first, then the others, never the proposal, the objection or the outcome.
  for (const role of ['voice', 'more', 'exchange', 'others', 'sides', 'answer'] as const) {
    while (countWords(kept.map((p) => p.paragraph!)) > MAX_STORY_WORDS && kept.some((p) => p.role === role)) {
      const at = kept.map((p) => p.role).lastIndexOf(role);
      kept = kept.filter((_, i) => i !== at);
    }
  }
  // More of the proposal's case belongs in the proposal's paragraph, before where the change lands:
  // one paragraph on what was proposed and why, not a list of the author's sentences.
  const more = kept.filter((p) => p.role === 'more').map((p) => p.paragraph!);
  kept = kept.filter((p) => p.role !== 'more');
  const first = kept[0]?.role === 'proposal' ? kept[0].paragraph! : undefined;
  if (first) {
    const texts = [first.text, ...more.map((p) => p.text), opening.scope ?? ''].filter(Boolean);
    kept[0] = { role: 'proposal', paragraph: { ...first, text: texts.join(' '), quotes: [...first.quotes, ...more.flatMap((p) => p.quotes)] } };
  }
  const paragraphs = kept.map((p) => p.paragraph!).filter((p) => p.text.length > 0);
  return { paragraphs, main, quotes: paragraphs.reduce((n, p) => n + p.quotes.length, 0), words: countWords(paragraphs) };
}

export function countWords(paragraphs: Paragraph[]): number {
  return paragraphs.reduce((n, p) => n + words(p.text).length, 0);
}

class Names {
  private readonly mentioned = new Set<string>();
  private readonly firstNames = new Map<string, number>();
  constructor(participants: Person[]) {
    for (const name of new Set(participants.map((p) => p.name))) {
      const f = name.split(/\s+/)[0];
      this.firstNames.set(f, (this.firstNames.get(f) ?? 0) + 1);
    }
  }
  /** Full name on first mention, then the first name when no other participant shares it. */
  of(p: Person): string {
    const full = p.name || p.email.split('@')[0];
    if (!this.mentioned.has(p.email)) {
      this.mentioned.add(p.email);
      return full;
    }
    const f = (p.name || p.email).split(/\s+/)[0];
    return (this.firstNames.get(f) ?? 0) > 1 || f.length < 3 ? full : f;
  }
  /** "A", "A and B", "A, B, C and 2 others". */
  list(people: Person[]): string {
    const shown = people.slice(0, MAX_LISTED).map((p) => this.of(p));
    const rest = people.length - shown.length;
    if (rest > 0) return `${shown.join(', ')} and ${rest === 1 ? 'one other' : `${rest} others`}`;
    if (shown.length <= 1) return shown.join('');
    return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function weekday(date?: string): string | undefined {
  if (!date) return undefined;
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
}

function quoteOf(m: MaterialMessage, text: string): Quote {
  return { text, author: { name: m.from.name, email: m.from.email }, messageId: m.messageId, url: m.url };
}

/** Keeps the state of one story while it is written: names mentioned, quotes used. */
class Writer {
  private readonly used = new Set<string>();
  /** Reporting verbs of this story, varied (see verbs.ts). */
  readonly verbs = new Verbs();
  /** Sentences kept for a later role (the answer to the objection): not quoted before it. */
  readonly reserved = new Set<string>();
  /** Critics the story shows giving ground on the author's answer (addresses, lower case). */
  readonly conceded = new Set<string>();
  /** The author gave ground in answering the main objection. */
  authorGaveGround = false;
  private quotes = 0;
  constructor(private readonly material: TopicMaterial, private readonly names: Names) {}

  /** Candidates of a message that are verbatim in its own words (they always should be). */
  candidates(m: MaterialMessage): Candidate[] {
    return quoteCandidates(m.own).filter((c) => matchPieces(m.own, [c.text])?.exact);
  }

  /** The most argumentative unused sentence among messages, preferring the given stances. */
  best(messages: MaterialMessage[], prefer: string[] = [], minScore = MIN_QUOTE_SCORE, accept: (c: Candidate) => boolean = () => true): Chosen | undefined {
    let top: (Chosen & { rank: number }) | undefined;
    for (const message of messages) {
      for (const candidate of this.candidates(message)) {
        // Talk about the conversation and concessions carry no argument; a reserved sentence waits for its role.
        if (candidate.meta || candidate.concedes || this.reserved.has(candidate.text)) continue;
        if (this.used.has(candidate.text) || candidate.score < minScore || this.repeats(candidate.text) || !accept(candidate)) continue;
        const rank = candidate.score + (prefer.includes(candidate.stance) ? 1 : 0);
        if (!top || rank > top.rank) top = { message, candidate, rank };
      }
    }
    return top;
  }

  /** Whether a sentence says what a quoted one already said (the same sentence in v1 and v2 of a patch). */
  private repeats(text: string): boolean {
    const mine = new Set(words(text.toLowerCase()));
    for (const u of this.used) {
      const theirs = new Set(words(u.toLowerCase()));
      const shared = [...mine].filter((w) => theirs.has(w)).length;
      if (shared / Math.max(1, Math.min(mine.size, theirs.size)) >= 0.7) return true;
    }
    return false;
  }

  private readonly usedBy = new Set<string>();
  private readonly toldPatches = new Set<string>();
  private lastSpeaker = '';
  private toldReplying = false;
  private readonly lastQuotedAll = new Set<string>();
  /** Each person's message quoted last: what a reply in the exchange must answer. */
  private readonly lastQuoted = new Map<string, MaterialMessage>();
  take(c: Chosen): Quote | undefined {
    if (this.quotes >= MAX_QUOTES || this.used.has(c.candidate.text)) return undefined;
    this.reserved.delete(c.candidate.text);
    this.used.add(c.candidate.text);
    this.usedBy.add(c.message.from.email);
    this.lastQuoted.set(c.message.from.email.toLowerCase(), c.message);
    this.lastSpeaker = c.message.from.email.toLowerCase();
    this.lastQuotedAll.add(c.message.messageId);
    this.quotes++;
    return quoteOf(c.message, c.candidate.text);
  }

  private get room(): boolean { return this.quotes < MAX_QUOTES; }

  /**
   * What was proposed and why: who posted what, and the sentence of the proposal that says why. A
   * thread that began before the week (the first message here is a reply) is introduced as such, and
   * the why comes from the author's replies only if one of them carries an argument.
   */
  proposal(m: MaterialMessage, all: MaterialMessage[], pos: ThreadPositions): { paragraph: Paragraph; scope?: string } {
    const day = weekday(m.date);
    const quotes: Quote[] = [];
    let text: string;
    const continuing = /^\s*re:/i.test(m.subject);
    if (continuing) {
      const kind = postKind(m.subject);
      text = kind
        ? `${capitalise(kind)} ${purposePhrase(m.subject)}, posted before this week, drew more discussion.`
        : `The discussion ${purposePhrase(m.subject).replace(/^to /, 'of how to ')} went on this week.`;
      const mine = all.filter((x) => pos.isAuthor(x.from));
      // The author's case, not their objections to someone else: statements only.
      const why = this.best(mine, ['statement'], MIN_QUOTE_SCORE + 0.3, (c) => c.stance === 'statement');
      const q = why && this.take(why);
      if (why && q) {
        text += ` ${weekday(why.message.date) ? `On ${weekday(why.message.date)}, ` : ''}${this.names.of(why.message.from)} ${this.caseVerb(why.candidate.text)}, "${why.candidate.text}"`;
        quotes.push(q);
      }
      return { paragraph: { text, quotes } };
    }
    text = `${day ? `On ${day}, ` : ''}${this.names.of(m.from)} ${describePost(m, all)}.`;
    // Why: the best argument of the proposal, early sentences favoured (the cover letter's case).
    const cands = this.candidates(m).filter((c) => !c.meta && !c.concedes && !this.reserved.has(c.text)).map((c) => ({ ...c, score: c.score - c.position * 0.05 }));
    const why = [...cands].sort((a, b) => b.score - a.score)[0];
    if (why) {
      const q = this.take({ message: m, candidate: why });
      if (q) {
        text += ` ${this.names.of(m.from)} ${this.caseVerb(why.text)}, "${why.text}"`;
        quotes.push(q);
      }
    }
    return { paragraph: { text, quotes }, scope: scopeOf(m, all) };
  }

  /** The verb for the proposal's own case: "argued" for a reason, else "explained"; counted. */
  caseVerb(text: string): string {
    const verb = /\b(because|since|so that|problem|issue|reason)\b/i.test(text) ? 'argued' : 'explained';
    this.verbs.note(verb);
    return verb;
  }

  /**
   * A report that became a quarrel between two others: the report in one sentence, then who fell out.
   * "Dispute" is true of two people on the against side answering each other.
   */
  occasion(m: MaterialMessage, [a, b]: [PersonPosition, PersonPosition]): { paragraph: Paragraph; scope?: string } {
    const day = weekday(m.date);
    const firstClash = [...a.messages, ...b.messages].map((x) => x.date ?? '').sort()[0];
    const when = weekday(firstClash);
    const text = `${day ? `On ${day}, ` : ''}${this.names.of(m.from)} ${describePost(m, this.material.messages)}. ${when && when !== day ? `By ${when}` : 'Soon'}, the thread had become a dispute between ${this.names.of(a.person)} and ${this.names.of(b.person)}.`;
    return { paragraph: { text, quotes: [] } };
  }

  /**
   * What the mail records about the work, each sentence read off the author's own lines: the commit
   * a fix names in its Fixes: tag, who its Reported-by: tags credit (people of the story only), and
   * for a build report the configuration and the files the compiler's errors point at.
   */
  record(m: MaterialMessage, pos: ThreadPositions): Paragraph | undefined {
    const sentences: string[] = [];
    const mine = this.material.messages.filter((x) => pos.isAuthor(x.from) && !/^\s*re:/i.test(x.subject));
    const trailers = [m, ...mine.filter((x) => x !== m)].flatMap((x) => x.trailers);
    const fixes = [...new Set(trailers.filter((t) => t.kind === 'fixes').map((t) => t.value.trim()))];
    const fixed = fixes.map((v) => /^([0-9a-f]{8,40})\s*\(\s*"(.+?)"\s*\)?$/i.exec(v)).filter((x): x is RegExpExecArray => !!x);
    if (fixed.length === 1) sentences.push(`It is marked as a fix for commit ${fixed[0][1].slice(0, 12)} (${fixed[0][2].replace(/"/g, "'")}).`);
    else if (fixed.length > 1) sentences.push(`It is marked as fixing ${fixed.length} earlier commits.`);
    const people = this.material.participants;
    const reporters = trailers.filter((t) => t.kind === 'reported-by' && t.person && !pos.isAuthor(t.person))
      .map((t) => people.find((p) => p.email.toLowerCase() === t.person!.email.toLowerCase()))
      .filter((p, i, all): p is Person => !!p && all.findIndex((x) => x?.email === p.email) === i);
    if (reporters.length) sentences.push(`${capitalise(this.names.list(reporters))} had reported the problem.`);
    if (isReport(m.subject)) {
      const config = /\bbuild \(([\w-]+ [\w-]*config)\)/.exec(m.own.replace(/\s+/g, ' '))?.[1];
      const files = new Map<string, number>();
      for (const line of m.own.split('\n')) {
        const f = /^([\w./+-]+\.(?:[chS]|rs|py|sh)):\d+(?::\d+)?:\s*(?:fatal\s+)?error:/.exec(line.trim())?.[1];
        if (f) files.set(f, (files.get(f) ?? 0) + 1);
      }
      const top = [...files].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([f]) => f);
      if (top.length) sentences.push(`${config ? `The ${config} build` : 'The build'} failed with errors in ${top.join(' and ')}.`);
    }
    return sentences.length ? { text: sentences.join(' '), quotes: [] } : undefined;
  }

  /** A second sentence of the proposal's case, for a story that is otherwise too short. */
  more(m: MaterialMessage, author: Person, round = 0): Paragraph | undefined {
    if (!this.room) return undefined;
    // The case as posted: the proposal and the author's other postings, never a reply (an answer to
    // an objection told before the objection would read backwards). Descriptive sentences of a commit
    // message carry less argument than a reviewer's, so the bar is lower here.
    // Only the author's own: in a thread begun before the week the first message may be a reviewer's.
    const mine = (x: MaterialMessage) => x.from.email.toLowerCase() === author.email.toLowerCase();
    const postings = [...(mine(m) ? [m] : []), ...this.material.messages.filter((x) => mine(x) && x !== m && !/^\s*re:/i.test(x.subject))];
    const next = this.best(postings, [], MIN_QUOTE_SCORE) ?? this.best(postings, [], MIN_QUOTE_SCORE - 0.4);
    if (!next) return undefined;
    const q = this.take(next);
    if (!q) return undefined;
    const who = this.names.of(author);
    if (next.message === m) return { text: `${who} ${round === 0 ? 'went on' : 'added'}, "${next.candidate.text}"`, quotes: [q] };
    // Another patch of the series: say which one, by what it does.
    const purpose = purposePhrase(next.message.subject);
    const told = this.toldPatches.has(next.message.subject);
    this.toldPatches.add(next.message.subject);
    const lead = told || purpose === purposePhrase(m.subject) ? `${who} ${round === 0 ? 'also wrote' : 'added'}`
      : purpose.startsWith('to ') ? `In the patch ${purpose}, ${who} wrote` : `In another patch of the series, ${who} wrote`;
    return { text: `${lead}, "${next.candidate.text}"`, quotes: [q] };
  }

  /**
   * The exchange after the first objection: each step a message by one of the two that replies
   * directly to the other's message already quoted, so "replied" is true of the thread's structure.
   */
  exchange(first: Person, second: Person): Paragraph | undefined {
    const sentences: string[] = [];
    const quotes: Quote[] = [];
    let [speaker, listener] = [first, second];
    for (let step = 0; step < 2 && this.room; step++) {
      const to = this.lastQuoted.get(listener.email.toLowerCase());
      if (!to) break;
      // Told in order: a reply older than the speaker's quoted words would run the story backwards.
      const after = this.lastQuoted.get(speaker.email.toLowerCase())?.date ?? '';
      const replies = this.material.messages.filter((x) => x.from.email.toLowerCase() === speaker.email.toLowerCase() && x.inReplyTo === to.messageId && (x.date ?? '') >= after);
      const chosen = this.best(replies, ['objection', 'doubt', 'fault', 'statement']);
      const q = chosen && this.take(chosen);
      if (!chosen || !q) break;
      // Every step answers the other's quoted message directly: "replied" is true of the structure.
      const verb = chosen.candidate.stance === 'agreement' && wordsShow('agrees', chosen.candidate.text) ? 'conceded'
        : step === 0 ? this.verbs.pick(['replied', 'responded']) : this.verbs.pick(['came back with', 'answered in turn']);
      sentences.push(`${capitalise(this.names.of(speaker))} ${verb}, "${chosen.candidate.text}"`);
      quotes.push(q);
      [speaker, listener] = [listener, speaker];
    }
    return sentences.length ? { text: sentences.join(' '), quotes } : undefined;
  }

  /** Someone not yet quoted, in their most argumentative sentence, with a verb true of it. */
  voice(pos: ThreadPositions): Paragraph | undefined {
    if (!this.room) return undefined;
    const quoted = new Set([...this.usedBy]);
    const unheard = pos.people.filter((p) => !quoted.has(p.person.email) && !isBot(p.person)).flatMap((p) => p.messages);
    // Everyone heard: the discussion itself, reply by reply (the author's answers to reviewers too).
    const parentOf = (m: MaterialMessage) => (m.inReplyTo ? this.material.byId.get(m.inReplyTo) : undefined);
    const replies = this.material.messages.filter((m) => !isBot(m.from) && parentOf(m) && parentOf(m)!.from.email.toLowerCase() !== m.from.email.toLowerCase());
    const prefer = ['objection', 'doubt', 'fault', 'statement'];
    // Not the same speaker twice running: that is a list of one person's sentences, not a discussion.
    // Nor a second sentence of a message already quoted, told apart from the first.
    const quotedIds = new Set([...this.lastQuotedAll]);
    const fresh = replies.filter((m) => m.from.email.toLowerCase() !== this.lastSpeaker && !quotedIds.has(m.messageId));
    const chosen = this.best(unheard, prefer, MIN_QUOTE_SCORE + 0.3) ?? this.best(unheard, prefer, MIN_QUOTE_SCORE) ?? this.best(fresh, prefer, MIN_QUOTE_SCORE + 0.3)
      // A short thread of terse mails: someone not yet heard, in plainer words, before nothing at all.
      ?? this.best(unheard, prefer, MIN_QUOTE_SCORE - 0.35)
      // Everyone heard, and still short: the discussion's plainer replies, each still a reason.
      ?? this.best(fresh, prefer, MIN_QUOTE_SCORE - 0.35, (c) => c.stance !== 'question' && c.stance !== 'agreement');
    const q = chosen && this.take(chosen);
    if (!chosen || !q) return undefined;
    // Whom it answered, from the thread's structure: context the reader needs, true by construction.
    const parent = parentOf(chosen.message);
    const toWhom = parent && parent.from.email.toLowerCase() !== chosen.message.from.email.toLowerCase() && !isBot(parent.from) ? parent.from : undefined;
    // Said once a story: "Replying to X" again and again tells the reply order, not the argument.
    const to = toWhom && !this.toldReplying ? `Replying to ${this.names.of(toWhom)}, ` : '';
    if (to) this.toldReplying = true;
    const who = this.names.of(chosen.message.from);
    const { lead } = this.verbs.forQuote(chosen.candidate);
    return { text: `${to}${to ? who : capitalise(who)} ${lead} "${chosen.candidate.text}"`, quotes: [q] };
  }

  /** The author's reply to a quoted point, directly or down its sub-thread, told as a reply (true of the structure). */
  replyTo(pos: ThreadPositions, point: Quote): Paragraph | undefined {
    if (!this.room) return undefined;
    // Down the sub-thread of the point's message first, else of any message of that person's.
    const own = new Set(this.material.messages.filter((m) => m.from.email.toLowerCase() === point.author.email.toLowerCase()).map((m) => m.messageId));
    const authors = this.material.messages.filter((m) => pos.isAuthor(m.from));
    const under = authors.filter((m) => this.depthTo(m, new Set([point.messageId])) !== undefined);
    const replies = under.length ? under : authors.filter((m) => this.depthTo(m, own) === 1);
    const chosen = this.best(replies, ['objection', 'doubt', 'fault', 'statement'], MIN_QUOTE_SCORE - 0.3, (c) => c.stance !== 'question');
    const q = chosen && this.take(chosen);
    if (!chosen || !q) return undefined;
    const verb = actOf(chosen.candidate) === 'objects' ? 'countered' : this.verbs.pick(['answered', 'replied', 'responded']);
    return { text: `${capitalise(this.names.of(pos.author))} ${verb}, "${chosen.candidate.text}"`, quotes: [q] };
  }

  /** The main critic's sentence that carries the objection: their own words even when plain (the story's turn). */
  objectionOf(main: PersonPosition): Chosen | undefined {
    return this.best(main.messages, ['objection', 'doubt', 'fault', 'suggestion']) ?? this.best(main.messages, ['objection', 'doubt', 'fault', 'suggestion'], 0);
  }

  objection(main: PersonPosition, since?: string, more = false, picked?: Chosen): Paragraph | undefined {
    const chosen = picked ?? this.objectionOf(main);
    const sentences: string[] = [];
    const quotes: Quote[] = [];
    const claims: Claim[] = [];
    const who = this.names.of(main.person);
    const q = chosen && this.take(chosen);
    if (chosen && q) {
      const { lead } = this.verbs.forQuote(chosen.candidate);
      const day = weekday(chosen.message.date);
      const when = (chosen.message.date ?? '') < (since ?? '') ? 'Earlier, ' : day && day !== weekday(since) ? `On ${day}, ` : '';
      sentences.push(`${when}${who} ${lead} "${chosen.candidate.text}"`);
      quotes.push(q);
      // A short story gives the main critic a second sentence of the case.
      const again = more && this.quotes < MAX_QUOTES - 1 ? this.best(main.messages, ['objection', 'doubt'], MIN_QUOTE_SCORE + 0.3) : undefined;
      const q2 = again && this.take(again);
      if (again && q2) {
        sentences.push(`${this.names.of(main.person)} ${this.verbs.pick(again.message === chosen.message ? ['went on', 'added'] : ['also said', 'added'])}, "${again.candidate.text}"`);
        quotes.push(q2);
      }
    } else {
      const says = this.saysOf(main);
      if (says === 'objects' || says === 'asks-changes' || says === 'asks') {
        const s = `${who} ${says === 'objects' ? 'raised objections' : says === 'asks' ? 'had questions' : 'asked for changes'}.`;
        sentences.push(s);
        claims.push(this.claim(main.person, says === 'objects' ? 'objects' : 'asks', this.evidence(main, says === 'objects' ? OBJECTION : QUESTION), s));
      } else sentences.push(`${who} commented.`);
    }
    return { text: sentences.join(' '), quotes, ...(claims.length ? { claims } : {}) };
  }

  /**
   * Who else took which side, after the main objection has had its answer: a second critic in their
   * own words if they carry an argument ("countered" when they answer the main critic), the rest
   * grouped by what their own replies show.
   */
  sides(main: PersonPosition, rest: PersonPosition[]): Paragraph | undefined {
    const sentences: string[] = [];
    const quotes: Quote[] = [];
    const claims: Claim[] = [];
    let grouped = rest;
    if (rest.length > 0 && this.room && this.quotes < MAX_QUOTES - 1) {
      const second = this.best(rest[0].messages, ['objection', 'doubt', 'fault'], MIN_QUOTE_SCORE + 0.6);
      const q2 = second && this.take(second);
      if (second && q2) {
        // A critic answering the main critic is the other side of the quarrel, not more of the same.
        const mainIds = new Set(main.messages.map((m) => m.messageId));
        const answering = mainIds.has(second.message.inReplyTo ?? '');
        const lead = answering ? 'countered,' : this.verbs.forQuote(second.candidate).lead;
        sentences.push(`${this.names.of(rest[0].person)} ${lead} "${second.candidate.text}"`);
        quotes.push(q2);
        grouped = rest.slice(1);
      }
    }
    // Each group says only what every one of its people's own replies show (see saysOf).
    const says = grouped.map((p) => ({ p, says: this.saysOf(p) }));
    const against = says.filter((x) => x.p.side === 'against' && x.says === 'objects').map((x) => x.p);
    const changes = says.filter((x) => x.says === 'asks-changes').map((x) => x.p);
    const askers = says.filter((x) => x.says === 'asks').map((x) => x.p);
    const commented = says.filter((x) => !against.includes(x.p) && !changes.includes(x.p) && !askers.includes(x.p)).map((x) => x.p);
    if (against.length) {
      const s = `${this.names.list(against.map((p) => p.person))} also had reservations.`;
      sentences.push(s);
      for (const p of against) claims.push(this.claim(p.person, 'objects', this.evidence(p, OBJECTION), s));
    }
    if (changes.length) {
      const s = `${this.names.list(changes.map((p) => p.person))} ${against.length ? 'asked for changes as well' : 'also asked for changes'}.`;
      sentences.push(s);
      for (const p of changes) claims.push(this.claim(p.person, 'asks', this.evidence(p, QUESTION), s));
    }
    if (askers.length) {
      const s = `${this.names.list(askers.map((p) => p.person))} ${against.length || changes.length ? 'had questions too' : 'also had questions'}.`;
      sentences.push(s);
      for (const p of askers) claims.push(this.claim(p.person, 'asks', this.evidence(p, QUESTION), s));
    }
    // Nothing in their own words says more than that they took part: say only that (true of the thread).
    if (commented.length) sentences.push(`${this.names.list(commented.map((p) => p.person))} also commented.`);
    return sentences.length ? { text: sentences.join(' '), quotes, ...(claims.length ? { claims } : {}) } : undefined;
  }

  /** How many replies up from a message one of the given messages is (1: a direct reply); undefined if none. */
  depthTo(m: MaterialMessage, ids: Set<string>): number | undefined {
    const seen = new Set<string>();
    let at: MaterialMessage | undefined = m;
    for (let depth = 1; at?.inReplyTo && depth < 50 && !seen.has(at.inReplyTo); depth++) {
      if (ids.has(at.inReplyTo)) return depth;
      seen.add(at.inReplyTo);
      at = this.material.byId.get(at.inReplyTo);
    }
    return undefined;
  }

  /**
   * The author's answer to an objection, in the author's words: among the author's replies down that
   * objection's sub-thread (a direct reply first) and the author's postings after it (a new version's
   * cover letter answers the review), the sentence whose paragraph shares most of the objection's key
   * terms, then the one with most argument. Failing any, the author's own sentence anywhere (the
   * proposal too) whose paragraph shares the objection's key terms.
   */
  answerTo(pos: ThreadPositions, main: PersonPosition, objection: Chosen): Answer | undefined {
    const keys = keyTerms(objection.candidate.text);
    const critic = new Set(main.messages.map((m) => m.messageId));
    const at = new Set([objection.message.messageId]);
    const since = objection.message.date ?? '';
    const pick = (anywhere: boolean): Answer | undefined => {
      let top: (Answer & { rank: number }) | undefined;
      for (const m of this.material.messages) {
        if (!pos.isAuthor(m.from)) continue;
        const direct = this.depthTo(m, at);
        const depth = direct ?? (this.depthTo(m, critic) !== undefined ? 3 : undefined);
        const posting = !/^\s*re:/i.test(m.subject);
        if (!anywhere && depth === undefined && !(posting && (m.date ?? '') > since)) continue;
        const blocks = proseBlocks(m.own);
        for (const c of this.candidates(m)) {
          if (c.meta || c.concedes || this.used.has(c.text) || this.repeats(c.text) || c.stance === 'question') continue;
          // Read in its paragraph and the one before: a cover letter argues across paragraphs.
          const at = blocks.findIndex((b) => b.includes(c.text));
          const shared = overlap(keys, at >= 0 ? `${blocks[at - 1] ?? ''} ${blocks[at]}` : c.text);
          // Outside the objection's sub-thread, a sentence answers only what it speaks to.
          if ((depth === undefined || anywhere) && shared < 2) continue;
          if (c.score < MIN_QUOTE_SCORE - 0.6 && direct !== 1) continue;
          // A reply down the sub-thread answers by construction; a later cover letter that speaks to
          // the objection is the author's considered answer to the review.
          const cover = posting && /\b0+\/\d+\]/.test(m.subject) && (m.date ?? '') > since && shared >= 3;
          const rank = c.score + 0.6 * Math.min(shared, 4) + (depth !== undefined ? 0.6 : 0) + (direct === 1 ? 0.3 : 0) + (cover ? 0.6 : 0);
          if (!top || rank > top.rank) top = { message: m, candidate: c, rank, reply: depth !== undefined && !anywhere };
        }
      }
      return top;
    };
    return pick(false) ?? pick(true);
  }

  /**
   * The author's answer to the main objection, right after it: told as a reply when it is one
   * (verbs true of the thread's structure), else as what the author's posting says. A critic who then
   * gave ground is told so, in words, not quoted as a point.
   */
  answer(pos: ThreadPositions, main: PersonPosition, chosen: Answer | undefined, objection: Chosen | undefined): Paragraph | undefined {
    if (!chosen || !objection || !this.room) return undefined;
    const q = this.take(chosen);
    if (!q) return undefined;
    const who = capitalise(this.names.of(pos.author));
    const c = chosen.candidate;
    const m = chosen.message;
    let text: string;
    if (chosen.reply) {
      const act = actOf(c);
      const verb = act === 'objects' ? 'countered' : act === 'agrees' && wordsShow('agrees', c.text) ? 'conceded' : this.verbs.pick(['answered', 'replied', 'explained']);
      this.verbs.note(verb);
      text = `${who} ${verb}, "${c.text}"`;
    } else {
      const verb = this.verbs.pick(['explained', 'argued', 'wrote']);
      const v = versionOf(m.subject);
      const where = /\b0+\/\d+\]/.test(m.subject) ? `the cover letter${v > 1 ? ` of version ${v}` : ''}` : v > 1 ? `version ${v}` : 'the posting';
      text = (m.date ?? '') > (objection.message.date ?? '')
        ? `In ${where}, ${this.names.of(pos.author)} ${verb}, "${c.text}"`
        : `${who} had already spoken to that in ${where}: "${c.text}"`;
    }
    const gave = chosen.reply ? this.concession(main.person, m, objection.message) : undefined;
    // The author giving ground in that reply ("Fair enough, ..."): no disagreement is left to call unresolved.
    if (chosen.reply && givesGround(m.own, c.text)) this.authorGaveGround = true;
    return { text: gave ? `${text} ${gave}` : text, quotes: [q] };
  }

  /**
   * A critic giving ground on an answer: their reply to it (or further down) that concedes. "conceded
   * the point" only when the words show agreement the way the claim check reads it; else "accepted
   * the explanation", which claims no stance.
   */
  concession(critic: Person, answer: MaterialMessage, objection?: MaterialMessage): string | undefined {
    // Below the answer, or in the objection's sub-thread (a reply of the author's may be missing from the mail).
    const ids = new Set([answer.messageId, ...(objection ? [objection.messageId] : [])]);
    for (const m of this.material.messages) {
      if (m.from.email.toLowerCase() !== critic.email.toLowerCase() || this.depthTo(m, ids) === undefined) continue;
      const said = proseBlocks(m.own).flatMap(sentencesOf).find(concedes);
      if (!said) continue;
      this.conceded.add(critic.email.toLowerCase());
      return `${capitalise(this.names.of(critic))} ${wordsShow('concedes', said) ? 'conceded the point' : 'accepted the explanation'}.`;
    }
    return undefined;
  }

  /** Who else weighed in, grouped by side; the strongest supporter in their own words. */
  others(pos: ThreadPositions, critics: Set<string>): Paragraph | undefined {
    const rest = pos.people.filter((p) => !critics.has(p.person.email) && !isBot(p.person));
    const supporters = rest.filter((p) => p.side === 'for');
    const askers = rest.filter((p) => p.side === 'asks');
    const sentences: string[] = [];
    const quotes: Quote[] = [];
    const claims: Claim[] = [];
    let listed = supporters;
    if (supporters.length && this.room) {
      const chosen = this.best(supporters[0].messages, ['agreement', 'statement']);
      const q = chosen && this.take(chosen);
      if (chosen && q) {
        // Agreeing in reply to a critic is taking the critic's side, not the work's: say whose.
        const parent = chosen.message.inReplyTo ? this.material.byId.get(chosen.message.inReplyTo) : undefined;
        const sidedWith = parent && critics.has(parent.from.email) && !pos.isAuthor(parent.from) && wordsShow('agrees', chosen.candidate.text) ? parent.from : undefined;
        const who = this.names.of(supporters[0].person);
        sentences.push(sidedWith ? `${who} sided with ${this.names.of(sidedWith)}, "${chosen.candidate.text}"` : `${who} ${this.verbs.forQuote(chosen.candidate).lead} "${chosen.candidate.text}"`);
        quotes.push(q);
        listed = supporters.slice(1);
      }
    }
    // Supporters who gave tags are named in the outcome; here only those who said so in words.
    const tagged = new Set(pos.facts.filter((f) => f.what === 'ack' || f.what === 'review' || f.what === 'test').map((f) => f.who.email));
    // "Spoke in favour" only of those whose own replies say they agree; the rest only commented.
    const wordsOnly = listed.filter((p) => !tagged.has(p.person.email) && this.evidence(p, APPROVAL).length > 0);
    const quiet = listed.filter((p) => !tagged.has(p.person.email) && !wordsOnly.includes(p));
    if (wordsOnly.length) {
      const s = `${this.names.list(wordsOnly.map((p) => p.person))} ${quotes.length ? 'also ' : ''}spoke in favour.`;
      sentences.push(s);
      for (const p of wordsOnly) claims.push(this.claim(p.person, 'supports', this.evidence(p, APPROVAL), s));
    }
    if (askers.length) {
      const asker = askers[0];
      const chosen = this.room ? this.best(asker.messages, ['question'], MIN_QUOTE_SCORE + 0.4) : undefined;
      const q = chosen && this.take(chosen);
      if (chosen && q) {
        sentences.push(`${this.names.of(asker.person)} ${this.verbs.forQuote(chosen.candidate).lead} "${chosen.candidate.text}"`);
        quotes.push(q);
      }
      const more = (q ? askers.slice(1) : askers).filter((p) => this.evidence(p, QUESTION).length > 0);
      quiet.push(...(q ? askers.slice(1) : askers).filter((p) => !more.includes(p)));
      if (more.length) {
        const s = `${this.names.list(more.map((p) => p.person))} ${q ? 'also ' : ''}asked about the details.`;
        sentences.push(s);
        for (const p of more) claims.push(this.claim(p.person, 'asks', this.evidence(p, QUESTION), s));
      }
    }
    if (quiet.length) sentences.push(`${this.names.list(quiet.map((p) => p.person))} also commented.`);
    if (sentences.length === 0) return undefined;
    return { text: sentences.join(' '), quotes, ...(claims.length ? { claims } : {}) };
  }

  /** How it stood at the end of the week: one sentence per kind of fact, each a Claim. */
  outcome(pos: ThreadPositions, contested: boolean, material: TopicMaterial): Paragraph {
    const sentences: string[] = [];
    const claims: Claim[] = [];
    const thing = /\b\d+\/(\d+)\]/.test(subjectTags(pos.proposal.subject)) || pos.proposal.subject.match(/\b0+\/\d+\]/) ? 'the series' : 'the patch';
    // "the series" in these sentences is the proposal's: name it, so that the claim check holds each
    // tag and note to that series and not to a neighbour in the same story.
    const series = material.series?.find((x) => x.versions.some((v) => v.messageIds.includes(pos.proposal.messageId) || v.coverMessageId === pos.proposal.messageId))
      ?? (material.series?.length === 1 ? material.series[0] : undefined);
    const say = (facts: Fact[], sentence: string) => {
      sentences.push(sentence);
      for (const f of facts) claims.push({ who: f.who, what: f.what, ...(series ? { seriesId: series.id } : {}), ...(f.version ? { version: f.version } : {}), ...(f.threadId ? { threadId: f.threadId } : {}), evidence: f.evidence, sentence });
    };
    const of = (what: ClaimKind) => pos.facts.filter((f) => f.what === what);
    const versionWords = (v?: number) => (v && v > 1 ? `version ${v}` : thing);

    const applied = of('applied');
    const reverted = of('reverted');
    const naks = of('nak');
    const posted = of('new-version-posted').sort((a, b) => (a.version ?? 0) - (b.version ?? 0));
    const promised = of('new-version-promised');
    const tags: Array<[ClaimKind, string]> = [['review', 'reviewed'], ['ack', 'acked'], ['test', 'tested']];

    for (const f of naks) say([f], `${capitalise(this.names.of(f.who))} NAKed ${versionWords(f.version)}.`);
    for (const [kind, verb] of tags) {
      // "X reviewed the series" only with X's tag on a patch of this story's series; several series
      // and none known to be the proposal's: no tag sentence at all.
      const given = of(kind).flatMap((f) => this.onSeries(f, series)).filter((f) => series || !(material.series?.length));
      if (given.length) say(given, `${capitalise(this.names.list(given.map((f) => f.who)))} ${verb} ${thing}.`);
    }
    if (posted.length) {
      const last = posted[posted.length - 1];
      const after = naks.length && (last.date ?? '') > (naks[naks.length - 1].date ?? '') ? ', after the NAK' : contested ? ', after the review' : '';
      say([last], `Before the week was out, ${this.names.of(last.who)} posted version ${last.version}${after}.`);
    } else if (promised.length) {
      say(promised, `${capitalise(this.names.of(promised[0].who))} promised a new version.`);
    }
    for (const f of applied) say([f], `${capitalise(this.names.of(f.who))} applied ${versionWords(f.version)}${whereApplied(material.byId.get(f.evidence[0]))}${contested ? ', objections notwithstanding' : ''}.`);
    for (const f of reverted) say([f], `${capitalise(this.names.of(f.who))} posted a revert.`);

    // How it stands, in words true of the outcome the facts decided.
    const settled = this.conceded.size > 0 && !pos.people.some((p) => p.side === 'against' && !this.conceded.has(p.person.email.toLowerCase()));
    const standing: Record<ThreadPositions['outcome'], string> = {
      'applied': '',
      'reverted': '',
      'naked': 'As the week ended, the NAK stood, and no new version had appeared.',
      'new-version-posted': '',
      'new-version-promised': pos.people.some((p) => p.side === 'against') ? 'Until it appears, the objections stand.' : contested ? 'The requested changes are still to come.' : '',
      // The claim check holds "no one objected" to every reviewer's own words: say it only when they agree.
      'supported': shownDoing('objects', material) ? '' : 'No one had raised an objection by the end of the week.',
      // A critic who gave ground is no disagreement left standing: say how the work stands instead.
      'unresolved': contested && this.authorGaveGround
        ? (isPosting(pos.proposal) ? 'No new version had been posted by the end of the week.' : '')
        : contested && settled
        ? (isPosting(pos.proposal) ? 'With that objection settled, the series stood as posted at the end of the week.' : '')
        : contested
        ? `By the end of the week, the disagreement was unresolved${isPosting(pos.proposal) ? ', and no new version had been posted' : ''}.`
        : 'By the end of the week, the thread had reached no conclusion.',
      'no-replies': material.messages.length > 1 ? '' : 'No one had replied by the end of the week.',
    };
    if (standing[pos.outcome]) sentences.push(standing[pos.outcome]);
    return { text: sentences.join(' '), quotes: [], ...(claims.length ? { claims } : {}) };
  }

  /**
   * A tag fact kept to its messages on the series: each a patch of it or a reply to one, directly or
   * through an exchange between the tag's giver and the series author only; its version from the
   * patch reached. No series: kept as it is.
   */
  onSeries(f: Fact, series: Series | undefined): Fact[] {
    if (!series) return [f];
    const versionOf = (id: string) => series.versions.find((v) => v.messageIds.includes(id))?.version;
    const same = (a: Person, b: Person) => a.email.toLowerCase() === b.email.toLowerCase() || (!!a.name.trim() && a.name.trim().toLowerCase() === b.name.trim().toLowerCase());
    let version: number | undefined;
    const kept = f.evidence.filter((id) => {
      const m = this.material.byId.get(id);
      const seen = new Set<string>();
      for (let at = m; at && !seen.has(at.messageId); at = at.inReplyTo ? this.material.byId.get(at.inReplyTo) : undefined) {
        seen.add(at.messageId);
        const v = versionOf(at.messageId);
        if (v !== undefined) { version ??= v; return true; }
        if (at !== m && !same(at.from, series.author) && !same(at.from, f.who)) return false;
      }
      return false;
    });
    return kept.length ? [{ ...f, evidence: kept, ...(version !== undefined ? { version } : {}) }] : [];
  }

  /**
   * A person's replies to someone else in the story whose own words (never quoted text) match: the
   * messages a group sentence about them may rest on. Read with the claim check's own lexicon, so a
   * sentence is written only when the mail shows it the way the gate reads it.
   */
  evidence(p: PersonPosition, shows: RegExp): MaterialMessage[] {
    return p.messages.filter((m) => {
      const parent = m.inReplyTo ? this.material.byId.get(m.inReplyTo) : undefined;
      const toOther = parent ? parent.from.email.toLowerCase() !== m.from.email.toLowerCase() : !!m.inReplyTo;
      return toOther && shows.test(m.own);
    });
  }

  /**
   * What a group sentence may say of a person: "objects" when their own replies object; "asks-changes"
   * when a reply of theirs to the work asks for a change and asks it as a question (the claim check
   * reads "asked" from a question); "asks" for questions only; else that they commented.
   */
  saysOf(p: PersonPosition): 'objects' | 'asks-changes' | 'asks' | 'commented' {
    if (p.side === 'against' && this.evidence(p, OBJECTION).length) return 'objects';
    const asking = this.evidence(p, QUESTION);
    if (asking.length === 0) return 'commented';
    // A request for changes answers the work: a patch posted, or its poster defending it.
    const posters = new Set(this.material.messages.filter(isPosting).map((m) => m.from.email.toLowerCase()));
    const onWork = (m: MaterialMessage) => { const at = m.inReplyTo ? this.material.byId.get(m.inReplyTo) : undefined; return at ? isPosting(at) || posters.has(at.from.email.toLowerCase()) : true; };
    const requests = asking.filter(onWork).some((m) => quoteCandidates(m.own).some((c) => c.stance === 'suggestion' || c.stance === 'objection' || c.stance === 'doubt'));
    return (p.side === 'changes' || p.side === 'against') && requests ? 'asks-changes' : 'asks';
  }

  private claim(who: Person, what: ClaimKind, messages: MaterialMessage[], sentence: string): Claim {
    const threadId = this.material.topic.threadIds.length === 1 ? this.material.topic.threadIds[0] : undefined;
    return { who, what, ...(threadId ? { threadId } : {}), evidence: messages.map((m) => m.messageId), sentence };
  }
}

/**
 * Where an "applied" note says the work went, in the maintainer's own words: the branch or tree it
 * names ("Applied to for-next"), else the commit a b4 reply records ("commit: 1234abcd..."), else nothing.
 */
export function whereApplied(m: MaterialMessage | undefined): string {
  if (!m) return '';
  const own = m.own.split('\n').filter((l) => !/^\s*>/.test(l)).join('\n');
  const flat = own.replace(/\s+/g, ' ');
  const tree = /\b(?:applied|queued(?: up)?|picked (?:it |them |this |these )?up|pulled|merged|taken)\b[^.!?]{0,30}?\b(?:to|into)\s+(?:the\s+)?((?:[\w./-]*(?:for-[\w./-]+|-next|-fixes)[\w./-]*)(?:\s+(?:tree|branch))?|[\w./-]+\s+(?:tree|branch))\b/i.exec(flat)?.[1];
  if (tree && !/^(my|our|his|her|their|your|a|this|that|which)\b/i.test(tree)) return ` to ${tree.replace(/[.,;:]+$/, '')}`;
  const commit = /^\s*commit:\s*([0-9a-f]{12,40})\b/im.exec(own)?.[1];
  return commit ? ` as commit ${commit.slice(0, 12)}` : '';
}

/**
 * Where a posting's change lands, from the files its patches touch: "The patches touch 12 files,
 * most of them under fs/xfs/." Only the author's postings of the same version count.
 */
function scopeOf(m: MaterialMessage, all: MaterialMessage[]): string | undefined {
  if (/GIT PULL/i.test(m.subject)) return undefined;
  const version = subjectTags(m.subject).match(/\bv(\d+)\b/i)?.[1] ?? '1';
  const files = new Set<string>();
  for (const x of all) {
    if (x.from.email !== m.from.email || /^\s*re:/i.test(x.subject)) continue;
    if ((subjectTags(x.subject).match(/\bv(\d+)\b/i)?.[1] ?? '1') !== version) continue;
    for (const f of x.files) if (!f.includes('...')) files.add(f);
  }
  if (files.size === 0) return undefined;
  const dirs = new Map<string, number>();
  for (const f of files) {
    const parts = f.split('/');
    const dir = parts.length > 2 ? `${parts[0]}/${parts[1]}/` : parts.length === 2 ? `${parts[0]}/` : '';
    if (dir) dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
  }
  const [top, count] = [...dirs].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? ['', 0];
  const n = files.size;
  const what = `The change${n === 1 ? '' : 's'} ${n === 1 ? 'touches' : 'touch'} ${n === 1 ? 'one file' : `${n} files`}`;
  if (!top) return `${what}.`;
  if (count === n) return `${what}, all under ${top}.`;
  return count * 2 > n ? `${what}, most of them under ${top}.` : `${what} across several directories, ${top} most of all.`;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

function describePost(m: MaterialMessage, all: MaterialMessage[]): string {
  const tags = subjectTags(m.subject);
  if (/^re:/i.test(m.subject)) return `took up the discussion ${purposePhrase(m.subject).replace(/^to /, 'of how to ')}`;
  const version = /\bv(\d+)\b/i.exec(tags)?.[1];
  const parts = /\b\d+\/(\d+)\]/.exec(tags)?.[1];
  const rfc = /\bRFC\b/i.test(tags);
  const purpose = purposePhrase(m.subject);
  if (/GIT PULL/i.test(tags)) return `sent a pull request ${purpose}`;
  if (/\b(PATCH|RFC)\b/i.test(tags) || m.hasPatch) {
    const n = parts ? Number(parts) : 0;
    const what = n > 1 ? `${/^(8|11|18|8\d)$/.test(String(n)) ? 'an' : 'a'} ${n}-part ${rfc ? 'RFC ' : ''}patch series` : `${rfc ? 'an RFC' : 'a'} patch`;
    const ver = version && Number(version) > 1 ? `version ${version} of ` : '';
    return `posted ${ver}${what} ${purpose}`;
  }
  if (/\b(fail(ure|ed|s)?|regression|bug|warning|crash|oops|hang|stall|broken|error)\b/i.test(m.subject)) {
    return `reported a problem: ${lowerPhrase(subjectPhrase(m.subject)).replace(/[.!?:;,\s]+$/, '')}`;
  }
  if (all.length > 1) return `started a discussion ${purpose}`;
  return `wrote ${purpose}`;
}

/** "a patch", "an RFC patch series" from a subject's tags; undefined for a plain discussion. */
function postKind(subject: string): string | undefined {
  const tags = subjectTags(subject);
  if (!/\b(PATCH|RFC)\b/i.test(tags)) return undefined;
  const rfc = /\bRFC\b/i.test(tags);
  const series = Number(/\b\d+\/(\d+)\]/.exec(tags)?.[1] ?? 1) > 1;
  return `${rfc ? 'an RFC' : 'a'} patch${series ? ' series' : ''}`;
}

const lowerPhrase = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);

const isReport = (subject: string) => !/\b(PATCH|RFC|GIT PULL)\b/i.test(subjectTags(subject)) && /\b(fail(ure|ed|s)?|regression|bug|warning|crash|oops|hang|stall|broken|error)\b/i.test(subject);

/**
 * An answer that gives ground: its message opens conceding ("You're right, ...", "Fair enough, ..."),
 * or the answer's own paragraph concedes. A long point-by-point reply conceding some other point
 * still stands by this one.
 */
export function givesGround(own: string, answer: string): boolean {
  const blocks = proseBlocks(own);
  return concedes(sentencesOf(blocks[0] ?? '')[0] ?? '') || blocks.some((b) => b.includes(answer) && sentencesOf(b).some(concedes));
}

/** A prose block's sentences. */
const sentencesOf = (block: string) => block.split(/(?<=[.!?])\s+/);
/** A sentence that gives ground ("You’re right, ...", "Fair enough"), stated rather than asked. */
const concedes = (sentence: string) => CONCESSION.test(foldForClaims(sentence)) && !/\?\s*$/.test(sentence);

/**
 * A headline with the story's angle: who objected, what became of the work. Each form is true of the
 * positions it is chosen from; one that breaks the house rules (restates the subject, too long) gives
 * way to the next, and the subject's own phrase is the last resort.
 */
export function angleHeadline(pos: ThreadPositions, main: PersonPosition | undefined, material: TopicMaterial, paragraphs: Paragraph[] = []): string {
  const { topic, aboutThing } = topicParts(pos.proposal.subject);
  // Verbs that act on the work need the work named: "Applies Auto Integrity Buffer Patch".
  const work = aboutThing ? `${topic} ${/\b\d+\/(\d+)\]/.test(subjectTags(pos.proposal.subject)) ? 'Series' : 'Patch'}` : topic;
  const name = (p: Person) => surname(p.name, p.email);
  const has = (what: ClaimKind) => pos.facts.filter((f) => f.what === what);
  const supporters = pos.people.filter((p) => p.side === 'for');
  const contested = !!main;
  const forms: string[] = [];
  const report = isReport(pos.proposal.subject);
  switch (pos.outcome) {
    case 'applied': {
      const who = has('applied').pop()!.who;
      forms.push(contested ? `${work} Lands Despite Objections` : `${name(who)} Applies ${work}`, `${work} Gets Applied`);
      break;
    }
    case 'reverted': forms.push(`${work} Gets Reverted`); break;
    case 'naked': forms.push(`${name(has('nak').pop()!.who)} NAKs ${work}`); break;
    case 'new-version-posted': forms.push(contested ? `${topic} Reworked After Review` : `${name(pos.author)} Respins ${work}`, `New Round for ${topic}`); break;
    case 'new-version-promised': break; // told below: who objected, and whether the author stood firm
    case 'supported': forms.push(supporters.length > 1 ? `Reviewers Back ${work}` : `${name(supporters[0]?.person ?? pos.author)} Backs ${work}`); break;
    case 'no-replies': forms.push(report ? `${name(pos.author)} Reports ${topic}` : `${name(pos.author)} Proposes ${work}`); break;
    default: break;
  }
  // What the story itself quotes decides the verbs: a headline agrees with the story's own quotes.
  const quoted = paragraphs.flatMap((p) => p.quotes);
  const by = (p: Person) => quoted.filter((q) => q.author.email.toLowerCase() === p.email.toLowerCase());
  if (main) {
    // Two critics answering each other are the story: "A and B Clash Over ...", first speaker first.
    const clash = clashOf(pos);
    if (clash) forms.push(`${name(clash[0].person)} and ${name(clash[1].person)} Clash Over ${topic}`);
    const objection = by(main.person)[0];
    const at = objection ? quoted.indexOf(objection) : -1;
    // The author answered the objection in the story, without giving ground: a debate, told as one.
    const answer = at >= 0 ? quoted.slice(at + 1).find((q) => pos.isAuthor(q.author)) : undefined;
    const prose = paragraphs.map((p) => p.text).join(' ');
    const told = answer ? prose.split(`"${answer.text}"`)[0].split(/[.!?]\s/).pop() ?? '' : '';
    const act = objection ? actOf({ text: objection.text, stance: stanceOf(objection.text) }) : undefined;
    // Not a defence: an answer that gives ground (told so, or in a message that opens "You're right",
    // or said in the answer's own paragraph), one written before the objection, or a fix for a fault
    // found. A long point-by-point reply conceding some other point still defends this one.
    const answered = answer ? material.byId.get(answer.messageId) : undefined;
    if (answer && !/\b(conceded|already)\b/.test(told) && !(answered && givesGround(answered.own, answer.text)) && act !== 'fault' && !clash) {
      // A removal defended is the removal, not the thing removed: "Defends Removing cpufreq Driver".
      const removal = /^(remove|drop|delete|deprecate|retire|kill|revert|disable)\b/i.test(subjectPhrase(pos.proposal.subject));
      const defended = removal ? `Removing ${topic}` : topic;
      forms.push(`${name(pos.author)} Defends ${defended} Against ${name(main.person)}`, `${name(pos.author)} Defends ${removal ? defended : work}`);
    }
    const alternative = objection && /\b(instead|prefer|would be better|better to|why not|how about)\b/i.test(objection.text);
    const verb = act === 'objects' ? 'Objects to' : act === 'doubts' ? 'Doubts' : act === 'fault' ? 'Finds a Flaw in'
      : act === 'asks' ? 'Questions' : alternative ? 'Wants Another Approach to' : main.side === 'against' ? 'Questions' : 'Asks for Changes to';
    forms.push(`${name(main.person)} ${verb} ${work}`);
    if (pos.outcome === 'new-version-promised') forms.push(`${name(pos.author)} to Rework ${topic}`);
  } else {
    // No critic, but someone asked: the questions are the angle, when the story quotes one.
    const asker = pos.people.find((p) => p.side === 'asks' && !isBot(p.person));
    if (asker && by(asker.person).some((q) => /\?["')]*$/.test(q.text.trim()))) forms.push(`${name(asker.person)} Has Questions on ${topic}`);
    else if (asker) forms.push(`${name(asker.person)} Joins Discussion of ${topic}`, `${name(asker.person)} Weighs In on ${topic}`);
  }
  if (pos.outcome === 'new-version-promised') forms.push(`${topic} Heads for Another Round`);
  if (report) forms.push(`Chasing ${topic}`);
  forms.push(`Questions Over ${topic}`);
  // Last, who brought it up: a form that names a person rarely restates a subject.
  forms.push(report ? `${name(pos.author)} Reports ${topic}` : isPosting(pos.proposal) ? `${name(pos.author)} Proposes ${work}` : `${name(pos.author)} Raises ${topic}`);
  forms.push(`${name(pos.author)} on ${topic}`);
  const subjects = [...new Set(material.messages.map((m) => m.subject))].slice(0, 20);
  for (const form of forms) {
    const h = normaliseHeadline(form);
    if (headlineProblems(h, subjects).length === 0) return h;
  }
  return headlineFrom(subjectPhrase(pos.proposal.subject) ? pos.proposal.subject : material.topic.title);
}
