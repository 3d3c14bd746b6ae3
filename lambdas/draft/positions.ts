/**
 * Who stood where in a thread, and how it ended, read from the thread's structure and the authors'
 * own words (never from text they quoted). Shared by the offline drafter, which writes its outcome
 * sentences from these facts, and by the claim check, which tests such sentences against the mail.
 *
 * Rules that keep the facts true:
 * - a NAK counts only in a person's own words or in a Nacked-by trailer naming the sender; "> NAK"
 *   quoted from someone else is not theirs;
 * - a Reviewed-by/Acked-by/Tested-by counts as given to the patch only when the sender gives it in a
 *   reply to the patch (a message by the poster of the series), not in a reply to another reviewer;
 * - "applied" needs a maintainer (not the poster) saying so as a statement, not a question or a
 *   condition ("once applied", "could you apply");
 * - a newer version posted after a NAK or a request for changes decides the outcome, not the NAK.
 */
import type { ClaimKind, Person } from '../model.js';
import type { MaterialMessage, TopicMaterial } from '../verify/material.js';
import { subjectPhrase, subjectTags } from './headline.js';
import { quoteCandidates, type Stance } from './sentences.js';
import { PROMISE as CHECKED_PROMISE, opensWithRejection } from '../claims/lexicon.js';

export type Side = 'against' | 'changes' | 'for' | 'asks' | 'neutral';

/** A fact about a person or a patch, with the messages that show it; a Claim without its sentence. */
export interface Fact {
  who: Person;
  what: ClaimKind;
  version?: number;
  threadId?: string;
  evidence: string[];
  /** When the fact happened (the evidence's date). */
  date?: string;
}

export interface PersonPosition {
  person: Person;
  side: Side;
  /** How strongly (NAK > objection > doubt > request for changes > support > question). */
  strength: number;
  messages: MaterialMessage[];
}

export type OutcomeKind = 'applied' | 'reverted' | 'naked' | 'new-version-posted' | 'new-version-promised' | 'supported' | 'unresolved' | 'no-replies';

export interface ThreadPositions {
  /** The message the story starts from: the cover letter, else the thread's first post. */
  proposal: MaterialMessage;
  author: Person;
  /** Version of the proposal (1 when its subject names none). */
  version: number;
  /** Everyone but the author who wrote, strongest position first. */
  people: PersonPosition[];
  facts: Fact[];
  outcome: OutcomeKind;
  /** Whether a person is the proposal's author (by address, or by name when they wrote from two). */
  isAuthor(p: Person): boolean;
}

const BOT = /\b(bot|robot|syzbot|patchwork|kernelci|ci|noreply|no-reply|lkp)\b/i;
export const isBot = (p: Person) => BOT.test(p.name) || BOT.test(p.email.split('@')[0]);

/** "NAK", "NACK", "Nacked-by" as the writer's own verdict: upper case, standing alone. */
const NAK_WORD = /(?:^|[\s(])(?:NAK|NACK)(?:ed)?(?=[\s.,;:!)]|$)/m;
const NEGATED_NAK = /\b(?:not|no|isn't|wasn't|without)\s+(?:a\s+)?(?:NAK|NACK)\b/;
const APPLIED = /\b(?:applied|queued(?: up)?|picked(?: it| them)? up|pulled|merged|taken)\b/i;
const NOT_DONE = /\?|\b(?:if|once|when|whether|before|after|could|would|should|please|can you|will be|to be|not|n't|until|unless)\b/i;
const PROMISE = /\b(?:I'll|I will|will|I'm going to|going to|I can|we'll)\b[^.?!]{0,60}\b(?:send|post|resend|respin|spin|submit|repost|prepare)\b[^.?!]{0,40}\b(?:v\d+|new version|next version|another version|updated (?:version|series|patch(?:set)?)|respin|new series|follow-?up)\b|\b(?:in|for) (?:the )?(?:next|new|another) (?:version|revision|iteration|spin|round)\b|\b(?:in|for) v\d+\b/i;
const REVERT_SUBJECT = /^\s*(?:\[[^\]]*\]\s*)*(?:[\w/.-]+:\s*)*Revert\b/i;

export const versionOf = (subject: string): number => Number(/\bv(\d+)\b/i.exec(subjectTags(subject))?.[1] ?? 1);
const isReply = (m: MaterialMessage) => /^\s*re:/i.test(m.subject);
/** A patch or cover letter as posted (not a reply to one). */
export const isPosting = (m: MaterialMessage) => !isReply(m) && (/\[[^\]]*\b(?:PATCH|RFC)\b[^\]]*\]/i.test(m.subject) || m.hasPatch);

/**
 * The message a story starts from: among those on the topic's own subject (else all), the cover
 * letter ("0/N"), else the earliest that starts a thread, else the earliest.
 */
export function pickProposal(messages: MaterialMessage[], title: string): MaterialMessage {
  // A ranked title may carry the angle after "; " ("xfs: ...; Hellwig objects"): the subject is before it.
  const phrases = [title, title.split('; ')[0]].map((t) => subjectPhrase(t).toLowerCase());
  const onTopic = phrases.map((phrase) => messages.filter((m) => subjectPhrase(m.subject).toLowerCase() === phrase)).find((ms) => ms.length) ?? [];
  const pool = onTopic.length ? onTopic : messages;
  const ids = new Set(messages.map((m) => m.messageId));
  const cover = pool.find((m) => /\[[^\]]*\b0+\/\d+\]/.test(m.subject) && !isReply(m));
  if (cover) return cover;
  // The titled thread began before the week: its first message here, not another thread's root.
  const root = pool.find((m) => !isReply(m) && (!m.inReplyTo || !ids.has(m.inReplyTo)))
    ?? (onTopic.length ? undefined : messages.find((m) => !isReply(m) && !m.inReplyTo));
  return root ?? pool[0];
}

/** Whether the writer's own words carry a NAK of their own (not quoted, not negated). */
export function ownNak(m: MaterialMessage): boolean {
  const sender = m.from.email.toLowerCase();
  if (m.trailers.some((t) => t.kind === 'nacked-by' && t.person?.email.toLowerCase() === sender)) return true;
  return m.own.split('\n').some((line) => !/^\s*>/.test(line) && NAK_WORD.test(line) && !NEGATED_NAK.test(line));
}

/** The sentence of the writer's own words saying the patch was applied, if any. */
export function appliedSentence(m: MaterialMessage): string | undefined {
  const sentences = m.own.replace(/\s+/g, ' ').split(/(?<=[.!?])\s+/).slice(0, 6);
  return sentences.find((s) => APPLIED.test(s) && !NOT_DONE.test(s) && s.split(/\s+/).length <= 25);
}

/** Whether the writer says a new version is coming. */
// Only a promise the claim check also reads as one: a story must not rest its outcome ("the requested
// changes are still to come") on a promise the gate will strike.
export const promisesVersion = (m: MaterialMessage): boolean => PROMISE.test(m.own.replace(/\s+/g, ' ')) && CHECKED_PROMISE.test(m.own);

/**
 * In a thread that began before the week, the first message here is a reply to a post not in the
 * file; when it questions or criticises, its writer is a reviewer, not the author, and the one who
 * answers it stands for the work. Undefined when the thread starts here or nobody answers.
 */
function continuingAuthor(proposal: MaterialMessage, all: MaterialMessage[], material: TopicMaterial): Person | undefined {
  if (!isReply(proposal) || (proposal.inReplyTo && material.byId.has(proposal.inReplyTo))) return undefined;
  // It opens with a question ("Why can't LSM use ...?"), or it objects and agrees with nothing.
  const first = proposal.own.split('\n').filter((l) => l.trim() && !/^\s*>/.test(l)).join(' ').replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+/).find((x) => x.split(' ').length >= 3) ?? '';
  const stances = quoteCandidates(proposal.own).map((c) => c.stance);
  const critique = /\?$/.test(first) || ((stances.includes('objection') || stances.includes('doubt')) && !stances.includes('agreement'));
  if (!critique) return undefined;
  const sender = proposal.from.email.toLowerCase();
  return all.find((m) => m.inReplyTo === proposal.messageId && m.from.email.toLowerCase() !== sender && !isBot(m.from))?.from;
}

const STANCE_SIDE: Record<Stance, Side> = { objection: 'against', doubt: 'against', fault: 'changes', suggestion: 'changes', agreement: 'for', question: 'asks', statement: 'neutral' };
const SIDE_STRENGTH: Record<Side, number> = { against: 3, changes: 2, for: 1.5, asks: 1, neutral: 0 };

/**
 * Positions and outcome of a topic's discussion.
 * 1. the proposal and its author; the versions the author posted;
 * 2. per message: NAKs, trailers given on the patch, "applied" statements, promises of a new version;
 * 3. per person: the strongest side their own sentences and verdicts take;
 * 4. the outcome, latest event deciding: applied/reverted beat a NAK; a newer version posted after a
 *    NAK or requested changes makes the outcome "new version posted".
 */
export function threadPositions(material: TopicMaterial): ThreadPositions {
  const humans = material.messages.filter((m) => !isBot(m.from));
  const all = humans.length ? humans : material.messages;
  const proposal = pickProposal(all, material.topic.title);
  const author = continuingAuthor(proposal, all, material) ?? proposal.from;
  const authorEmail = author.email.toLowerCase();
  const version = versionOf(proposal.subject);
  const threadId = material.topic.threadIds.length === 1 ? material.topic.threadIds[0] : undefined;
  const posters = new Set(all.filter(isPosting).map((m) => m.from.email.toLowerCase()));
  const facts: Fact[] = [];
  const fact = (f: Fact) => facts.push({ ...f, ...(threadId ? { threadId } : {}) });

  const byPerson = new Map<string, PersonPosition>();
  // One person may write from two addresses; the same display name is the same person.
  const isAuthor = (p: Person) => p.email.toLowerCase() === authorEmail || (p.name.trim().length > 0 && p.name.trim().toLowerCase() === author.name.trim().toLowerCase());
  for (const m of all) {
    const email = m.from.email.toLowerCase();
    if (isAuthor(m.from)) continue;
    const parent = m.inReplyTo ? material.byId.get(m.inReplyTo) : undefined;
    // On the patch: a reply to the poster's own mail, or to a patch not in the file.
    const onPatch = parent ? posters.has(parent.from.email.toLowerCase()) && parent.from.email.toLowerCase() !== email : /\b(?:PATCH|RFC)\b/i.test(m.subject);
    const patchVersion = parent ? versionOf(parent.subject) : versionOf(m.subject);
    let side: Side = 'neutral';
    let strength = 0;
    const raise = (s: Side, n: number) => { if (n > strength) { side = s; strength = n; } };
    if (ownNak(m)) {
      fact({ who: m.from, what: 'nak', version: patchVersion, evidence: [m.messageId], date: m.date });
      raise('against', 5);
    }
    if (onPatch) {
      for (const t of m.trailers) {
        if (t.person?.email.toLowerCase() !== email) continue; // a tag for someone else is not this person's verdict
        const what: ClaimKind | undefined = t.kind === 'acked-by' ? 'ack' : t.kind === 'reviewed-by' ? 'review' : t.kind === 'tested-by' ? 'test' : undefined;
        if (!what) continue;
        if (!facts.some((f) => f.what === what && f.who.email.toLowerCase() === email)) fact({ who: m.from, what, version: patchVersion, evidence: [m.messageId], date: m.date });
        else facts.find((f) => f.what === what && f.who.email.toLowerCase() === email)!.evidence.push(m.messageId);
        raise('for', 2.5);
      }
      const applied = posters.has(email) ? undefined : appliedSentence(m);
      if (applied) fact({ who: m.from, what: 'applied', version: patchVersion, evidence: [m.messageId], date: m.date });
    }
    // "No. This is exactly the kind of ...": a flat rejection, whatever its sentences say one by one.
    if (opensWithRejection(m.own)) raise('against', SIDE_STRENGTH.against + 0.5);
    for (const c of quoteCandidates(m.own)) {
      const s = STANCE_SIDE[c.stance];
      raise(s, SIDE_STRENGTH[s] + Math.min(0.9, c.score / 10));
    }
    // Keyed by name when there is one: people write from more than one address.
    const key = m.from.name.trim().toLowerCase() || email;
    const entry = byPerson.get(key) ?? { person: m.from, side: 'neutral' as Side, strength: 0, messages: [] };
    entry.messages.push(m);
    if (strength > entry.strength) { entry.side = side; entry.strength = strength; }
    byPerson.set(key, entry);
  }

  // The author's later versions and promises.
  const samePhrase = subjectPhrase(proposal.subject).toLowerCase();
  for (const m of all) {
    if (!isAuthor(m.from) || m === proposal) continue;
    if (!isReply(m) && subjectPhrase(m.subject).toLowerCase() === samePhrase && versionOf(m.subject) > version && (m.date ?? '') >= (proposal.date ?? '')) {
      const v = versionOf(m.subject);
      const known = facts.find((f) => f.what === 'new-version-posted' && f.version === v);
      if (known) known.evidence.push(m.messageId);
      else fact({ who: m.from, what: 'new-version-posted', version: v, evidence: [m.messageId], date: m.date });
    } else if (isReply(m) && promisesVersion(m)) {
      if (!facts.some((f) => f.what === 'new-version-promised')) fact({ who: m.from, what: 'new-version-promised', version: version + 1, evidence: [m.messageId], date: m.date });
    }
  }
  for (const m of all) {
    if (m !== proposal && !isReply(m) && REVERT_SUBJECT.test(m.subject)) fact({ who: m.from, what: 'reverted', evidence: [m.messageId], date: m.date });
  }

  const people = [...byPerson.values()].sort((a, b) => b.strength - a.strength || b.messages.length - a.messages.length);
  return { proposal, author, version, people, facts, outcome: outcomeOf(facts, people, all.length), isAuthor };
}

function outcomeOf(facts: Fact[], people: PersonPosition[], messages: number): OutcomeKind {
  const latest = (what: ClaimKind) => facts.filter((f) => f.what === what).map((f) => f.date ?? '').sort().pop();
  const posted = latest('new-version-posted');
  const applied = latest('applied');
  const reverted = latest('reverted');
  const nak = latest('nak');
  if (reverted !== undefined && (applied === undefined || reverted >= applied)) return 'reverted';
  if (applied !== undefined) return 'applied';
  // A newer version answers a NAK made before it.
  if (posted !== undefined && (nak === undefined || posted > nak)) return 'new-version-posted';
  if (nak !== undefined) return 'naked';
  if (facts.some((f) => f.what === 'new-version-promised')) return 'new-version-promised';
  if (people.length === 0 || messages <= 1) return 'no-replies';
  if (people.some((p) => p.side === 'against' || p.side === 'changes')) return 'unresolved';
  if (people.some((p) => p.side === 'for')) return 'supported';
  return 'unresolved';
}
