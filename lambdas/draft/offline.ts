import type { Paragraph, Person, Quote, Story } from '../model.js';
import type { MaterialMessage, TopicMaterial } from '../verify/material.js';
import { matchPieces } from '../verify/verify.js';
import { words } from '../verify/text.js';
import { headlineFrom, purposePhrase, subjectPhrase, subjectTags } from './headline.js';
import { quoteCandidates, type Candidate, type Stance } from './sentences.js';

/** The house length of a story, in words. */
export const MIN_STORY_WORDS = 120;
export const MAX_STORY_WORDS = 400;
/** Replies quoted in a story, and per person, so that one voice does not take over. */
const MAX_REPLIES = 6;
const MAX_REPLIES_PER_PERSON = 2;

const BOT = /\b(bot|robot|syzbot|patchwork|kernelci|ci|noreply|no-reply|lkp)\b/i;

interface Pick {
  message: MaterialMessage;
  candidate: Candidate;
  /** A second sentence of the same message, when it is worth adding. */
  extra?: Candidate;
  score: number;
}

/**
 * The deterministic writer: a story from the thread's structure alone, no model.
 * 1. headline from the cover letter's (or first message's) subject;
 * 2. opener: who posted what, and their key sentence from it as a quote;
 * 3. the most substantive replies, by weight of speaker and content, in date order, each with its
 *    stance ("objected", "asked", "agreed") and who it answered;
 * 4. a back-and-forth between two people is called out;
 * 5. the outcome from review trailers, NAKs, "applied" notes and newer versions.
 * Quotes are whole prose sentences of the speakers' own words, so the verifier accepts them as they are.
 */
export function offlineStory(material: TopicMaterial): Story {
  const messages = material.messages.filter((m) => !BOT.test(m.from.name) && !BOT.test(m.from.email.split('@')[0]));
  const all = messages.length ? messages : material.messages;
  const opener = pickOpener(all, material.topic.title);
  const names = new Names(material.participants);
  const paragraphs: Paragraph[] = [];

  // 1-2. Opener.
  // A thread whose start is not in the week, and whose first message here says nothing quotable,
  // opens on the subject; its messages all count as replies.
  const continuing = /^re:/i.test(opener.subject) && candidatesOf(opener).length === 0;
  const opening = continuing
    ? { text: `The discussion ${purposePhrase(opener.subject).replace(/^to /, 'of how to ')} continued this week.`, quotes: [] }
    : openerParagraph(opener, all, names);
  paragraphs.push(opening);

  // 3. Replies.
  const picks = pickReplies(all, opener, material, continuing);
  const replyParagraphs = replyProse(picks, material, names, weekday(opener.date));
  paragraphs.push(...replyParagraphs);

  // 4-5. Disagreement and outcome.
  const closing = outcomeParagraph(all, opener, names, material);
  if (closing) paragraphs.push(closing);

  // Length: below the floor, more of the opener's own words; above the ceiling, drop late replies.
  if (countWords(paragraphs) < MIN_STORY_WORDS) {
    const used = new Set(paragraphs.flatMap((p) => p.quotes.map((q) => q.text)));
    const more = candidatesOf(opener).filter((c) => !used.has(c.text)).sort((a, b) => b.score - a.score).slice(0, 3).sort((a, b) => a.position - b.position);
    if (more.length > 0) {
      const who = names.of(opener.from);
      const lines = more.map((c, i) => (i === 0 ? `${who} also wrote, "${c.text}"` : i === 1 ? `And, "${c.text}"` : `Finally, "${c.text}"`));
      paragraphs.splice(1, 0, { text: lines.join(' '), quotes: more.map((c) => quoteOf(opener, c.text)) });
    }
  }
  while (countWords(paragraphs) > MAX_STORY_WORDS && paragraphs.length > 2) {
    paragraphs.splice(paragraphs.length - (closing ? 2 : 1), 1);
  }
  return { topicId: material.topic.id, headline: headlineFrom(opener.subject), paragraphs };
}

function countWords(paragraphs: Paragraph[]): number {
  return paragraphs.reduce((n, p) => n + words(p.text).length, 0);
}

/**
 * The message the story starts from: among those on the topic's own subject (else all), the cover
 * letter ("0/N"), else the earliest that starts a thread, else the earliest.
 */
function pickOpener(messages: MaterialMessage[], title: string): MaterialMessage {
  const phrase = subjectPhrase(title).toLowerCase();
  const onTopic = messages.filter((m) => subjectPhrase(m.subject).toLowerCase() === phrase);
  const pool = onTopic.length ? onTopic : messages;
  const ids = new Set(messages.map((m) => m.messageId));
  const cover = pool.find((m) => /\[[^\]]*\b0+\/\d+\]/.test(m.subject) && !/^re:/i.test(m.subject));
  if (cover) return cover;
  const root = pool.find((m) => !/^re:/i.test(m.subject) && (!m.inReplyTo || !ids.has(m.inReplyTo)))
    ?? messages.find((m) => !/^re:/i.test(m.subject) && !m.inReplyTo);
  return root ?? pool[0];
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
    const f = first(p);
    return (this.firstNames.get(f) ?? 0) > 1 || f.length < 3 ? full : f;
  }
}

const first = (p: Person) => (p.name || p.email).split(/\s+/)[0];

function quoteOf(m: MaterialMessage, text: string): Quote {
  return { text, author: { name: m.from.name, email: m.from.email }, messageId: m.messageId, url: m.url };
}

/** Best candidates of a message that are verbatim in its own words (they always should be). */
function candidatesOf(m: MaterialMessage): Candidate[] {
  return quoteCandidates(m.own).filter((c) => matchPieces(m.own, [c.text])?.exact);
}

function describePost(m: MaterialMessage, all: MaterialMessage[]): string {
  const tags = subjectTags(m.subject);
  if (/^re:/i.test(m.subject)) {
    return `took up the discussion ${purposePhrase(m.subject).replace(/^to /, 'of how to ')}`;
  }
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

const lowerPhrase = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s);

function openerParagraph(opener: MaterialMessage, all: MaterialMessage[], names: Names): Paragraph {
  const who = names.of(opener.from);
  const day = weekday(opener.date);
  let text = `${day ? `On ${day}, ` : ''}${who} ${describePost(opener, all)}.`;
  const quotes: Quote[] = [];
  // Key sentences: the best-scoring early ones, kept in their original order.
  const cands = candidatesOf(opener).map((c) => ({ ...c, score: c.score - c.position * 0.08 }));
  const best = [...cands].sort((a, b) => b.score - a.score).slice(0, 2).sort((a, b) => a.position - b.position);
  if (best.length > 0) {
    const again = names.of(opener.from);
    text += ` ${again} explained, "${best[0].text}"`;
    quotes.push(quoteOf(opener, best[0].text));
    if (best[1]) {
      const next = best[1].position === best[0].position + 1;
      text += ` ${next ? '' : 'Later in the message, '}${names.of(opener.from)} ${next ? 'went on' : 'added'}, "${best[1].text}"`;
      quotes.push(quoteOf(opener, best[1].text));
    }
  } else if (opener.diffstat) {
    const files = opener.files.length || (opener.diffstat.match(/\|/g) ?? []).length;
    if (files > 0) text += ` The change touches ${files} file${files === 1 ? '' : 's'}.`;
  }
  return { text, quotes };
}

function weight(material: TopicMaterial): Map<string, number> {
  const perPerson = new Map<string, number>();
  for (const m of material.messages) perPerson.set(m.from.email, (perPerson.get(m.from.email) ?? 0) + 1);
  return perPerson;
}

function pickReplies(all: MaterialMessage[], opener: MaterialMessage, material: TopicMaterial, continuing = false): Pick[] {
  const perPerson = weight(material);
  const trailerGivers = new Set(material.messages.flatMap((m) => m.trailers.filter((t) => /reviewed|acked|nacked/.test(t.kind)).map(() => m.from.email)));
  const isPatchMail = (m: MaterialMessage) => /\[[^\]]*PATCH[^\]]*\b\d+\/\d+\]/i.test(m.subject) && !/^re:/i.test(m.subject);
  const scored: Pick[] = [];
  const openerTexts = new Set(candidatesOf(opener).map((c) => c.text));
  for (const m of all) {
    if ((m === opener && !continuing) || isPatchMail(m)) continue;
    if (!continuing && (m.date ?? '') < (opener.date ?? '')) continue; // the story runs forward from its opener
    const cands = candidatesOf(m).filter((c) => !openerTexts.has(c.text)).sort((a, b) => b.score - a.score);
    if (cands.length === 0) continue;
    const speaker = Math.log2(1 + (perPerson.get(m.from.email) ?? 1)) * 0.4 + (trailerGivers.has(m.from.email) ? 0.3 : 0);
    // A message others answered is where the discussion turned.
    const answered = Math.min(3, all.filter((r) => r.inReplyTo === m.messageId && r.from.email !== m.from.email).length) * 0.3;
    const content = cands[0].score + Math.min(1, words(m.own).length / 150);
    const extra = cands.find((c) => c !== cands[0] && c.score > 1.2 && Math.abs(c.position - cands[0].position) <= 3);
    scored.push({ message: m, candidate: cands[0], extra, score: speaker + content + answered + (m.naks ? 1 : 0) });
  }
  scored.sort((a, b) => b.score - a.score);
  const chosen: Pick[] = [];
  const count = new Map<string, number>();
  const usedTexts = new Set<string>();
  for (const p of scored) {
    if (chosen.length >= MAX_REPLIES) break;
    if (usedTexts.has(p.candidate.text)) continue;
    usedTexts.add(p.candidate.text);
    if (p.extra && usedTexts.has(p.extra.text)) p.extra = undefined;
    if (p.extra) usedTexts.add(p.extra.text);
    const n = count.get(p.message.from.email) ?? 0;
    if (n >= MAX_REPLIES_PER_PERSON) continue;
    count.set(p.message.from.email, n + 1);
    chosen.push(p);
  }
  return chosen.sort((a, b) => (a.message.date ?? '').localeCompare(b.message.date ?? ''));
}

const VERB: Record<Stance, string[]> = {
  question: ['asked', 'wanted to know'],
  objection: ['objected', 'pushed back', 'disagreed'],
  doubt: ['was not convinced', 'had doubts'],
  agreement: ['agreed', 'was in favour'],
  suggestion: ['suggested', 'proposed'],
  statement: ['replied', 'said', 'pointed out', 'added'],
};

function replyProse(picks: Pick[], material: TopicMaterial, names: Names, openerDay?: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: Paragraph = { text: '', quotes: [] };
  let lastDay: string | undefined = openerDay;
  picks.forEach((pick, i) => {
    const m = pick.message;
    const parent = m.inReplyTo ? material.byId.get(m.inReplyTo) : undefined;
    const who = names.of(m.from);
    const verbs = VERB[pick.candidate.stance];
    const verb = verbs[i % verbs.length];
    const day = weekday(m.date);
    const when = day && day !== lastDay ? `On ${day}, ` : i > 0 ? pickConnector(i) : '';
    lastDay = day ?? lastDay;
    let lead: string;
    if (parent && parent.from.email !== m.from.email) {
      const to = names.of(parent.from);
      lead = verb === 'replied' ? `${who} replied to ${to}` : when ? `${who}, replying to ${to}, ${verb}` : `replying to ${to}, ${who} ${verb}`;
    } else if (parent && parent.from.email === m.from.email) {
      lead = `${who} followed up and ${verb}`;
    } else if (m.from.email === picks[0]?.message.from.email && verb === 'replied') lead = `${who} added`;
    else lead = `${who} ${verb}`;
    let sentence = `${capitalise(when + lead)}, "${pick.candidate.text}"`;
    const quotes: Quote[] = [quoteOf(m, pick.candidate.text)];
    if (pick.extra) {
      const short = names.of(m.from);
      sentence += ` ${short} ${pick.extra.position > pick.candidate.position ? 'went on' : 'also said'}, "${pick.extra.text}"`;
      quotes.push(quoteOf(m, pick.extra.text));
    }
    current.text = current.text ? `${current.text} ${sentence}` : sentence;
    current.quotes.push(...quotes);
    if (current.quotes.length >= 3 || i === picks.length - 1) {
      paragraphs.push(current);
      current = { text: '', quotes: [] };
    }
  });
  return paragraphs;
}

const CONNECTORS = ['Then ', 'Later, ', 'In turn, ', 'Further along, '];
const pickConnector = (i: number) => CONNECTORS[i % CONNECTORS.length];
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function weekday(date?: string): string | undefined {
  if (!date) return undefined;
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toLocaleDateString('en-US', { weekday: 'long', timeZone: 'UTC' });
}

const APPLIED = /\b(applied|queued( up)?|picked (it )?up|merged|pulled|taken)\b.{0,40}\b(thanks|tree|branch|for-next|next|queue)\b|^\s*(applied|queued)\b/im;

function outcomeParagraph(all: MaterialMessage[], opener: MaterialMessage, names: Names, material: TopicMaterial): Paragraph | undefined {
  const sentences: string[] = [];
  // Back-and-forth between two people.
  const pairs = new Map<string, number>();
  for (const m of all) {
    const parent = m.inReplyTo ? material.byId.get(m.inReplyTo) : undefined;
    if (!parent || parent.from.email === m.from.email) continue;
    const key = [m.from.email, parent.from.email].sort().join(' ');
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
  }
  const [topPair, exchanges] = [...pairs].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  if (topPair && exchanges >= 4) {
    const [a, b] = topPair.split(' ').map((e) => material.participants.find((p) => p.email === e)!);
    if (a && b) sentences.push(`${names.of(a)} and ${names.of(b)} went back and forth ${exchanges} times in all.`);
  }

  const review = new Map<string, Set<string>>(); // kind -> names
  const naks: string[] = [];
  for (const m of all) {
    if (m.from.email === opener.from.email) continue;
    for (const t of m.trailers) {
      if (!['reviewed-by', 'acked-by', 'tested-by', 'nacked-by'].includes(t.kind)) continue;
      // Credit the sender: a trailer naming someone else (forwarded tags) says nothing about this week.
      if (t.person && t.person.email !== m.from.email) continue;
      const set = review.get(t.kind) ?? new Set<string>();
      set.add(m.from.email);
      review.set(t.kind, set);
    }
    if (m.naks > 0 && !naks.includes(m.from.email)) naks.push(m.from.email);
  }
  const person = (email: string) => material.participants.find((p) => p.email === email) ?? { name: email, email };
  const label: Record<string, string> = { 'reviewed-by': 'Reviewed-by', 'acked-by': 'Acked-by', 'tested-by': 'Tested-by' };
  const given = Object.keys(label).filter((k) => review.get(k)?.size).map((k) => {
    const people = [...review.get(k)!].map((e) => names.of(person(e)));
    return `${label[k]} tags from ${list(people)}`;
  });
  if (given.length) sentences.push(`By the end of the week, the ${/PATCH/i.test(opener.subject) ? 'patches had collected' : 'thread had produced'} ${list(given)}.`);
  const nakers = [...new Set([...naks, ...(review.get('nacked-by') ?? [])])];
  if (nakers.length) sentences.push(`${list(nakers.map((e) => names.of(person(e))))} NAKed the work.`);
  const applier = all.find((m) => m.from.email !== opener.from.email && m.own.length < 2000 && APPLIED.test(m.own));
  if (applier) sentences.push(`${names.of(applier.from)} said the patches had been applied.`);
  const same = all.filter((m) => m.from.email === opener.from.email && !/^re:/i.test(m.subject) && subjectPhrase(m.subject) === subjectPhrase(opener.subject));
  const versions = same.map((m) => Number(/\[[^\]]*\bv(\d+)\b[^\]]*\]/i.exec(m.subject)?.[1] ?? 1));
  const openerVersion = Number(/\bv(\d+)\b/i.exec(subjectTags(opener.subject))?.[1] ?? 1);
  const latest = Math.max(openerVersion, ...versions);
  if (latest > openerVersion) {
    const poster = same.find((m) => Number(/\[[^\]]*\bv(\d+)\b[^\]]*\]/i.exec(m.subject)?.[1] ?? 1) === latest);
    if (poster) sentences.push(`Before the week was out, ${names.of(poster.from)} posted version ${latest} of ${subjectPhrase(opener.subject).length < 60 ? 'the work' : 'the series'}.`);
  }
  if (sentences.length === 0 || (sentences.length === 1 && exchanges >= 4)) {
    const last = all[all.length - 1];
    sentences.push(last && last !== opener
      ? `The thread ended there for the week, with ${names.of(last.from)} having the last word.`
      : 'No one had replied by the end of the week.');
  }
  return { text: sentences.join(' '), quotes: [] };
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}
