import type { Person, Series, Topic, Trailer, WeekAnalysis } from '../model.js';

/** One message of a topic as the writers and the verifier see it: only the author's own words. */
export interface MaterialMessage {
  messageId: string;
  /** Short reference used in model prompts ("m3"): message ids are long and cost tokens. */
  ref: string;
  from: Person;
  date?: string;
  subject: string;
  url: string;
  inReplyTo?: string;
  /** The author's own words (never text they quoted): the only source of quotes. */
  own: string;
  trailers: Trailer[];
  diffstat: string;
  files: string[];
  hasPatch: boolean;
  naks: number;
}

/** Everything a story about one topic may draw on, and everything it is checked against. */
export interface TopicMaterial {
  topic: Topic;
  /** Date order. */
  messages: MaterialMessage[];
  byId: Map<string, MaterialMessage>;
  participants: Person[];
  /** Everyone who wrote in the week: a name of one of them in a story must belong to a participant. */
  weekPeople: Person[];
  /** The patch series with a message in this topic (for the claim check: which series and version). */
  series?: Series[];
}

/**
 * Gathers a topic's messages with their parsed bodies. Messages the analysis does not know are left
 * out (a topic can name a message from an earlier week). Participants are the topic's, plus every
 * sender of its messages, so the two can never disagree.
 */
export function topicMaterial(analysis: WeekAnalysis, topic: Topic, weekPeople?: Person[]): TopicMaterial {
  const known = new Map(analysis.messages.map((m) => [m.messageId, m]));
  const parsed = topic.messageIds.map((id) => known.get(id)).filter((m) => m !== undefined);
  parsed.sort((a, b) => (a.date ?? '').localeCompare(b.date ?? '') || a.messageId.localeCompare(b.messageId));
  const messages: MaterialMessage[] = parsed.map((m, i) => {
    const body = analysis.body(m.messageId);
    return {
      messageId: m.messageId, ref: `m${i + 1}`, from: m.from, date: m.date, subject: m.subject, url: m.url,
      inReplyTo: m.inReplyTo, own: ownWords(body.own), trailers: body.trailers, diffstat: body.diffstat, files: body.files,
      hasPatch: body.patch.trim().length > 0, naks: body.naks,
    };
  });
  // Senders as their messages name them (what the writers print), then the topic's other participants.
  const people = new Map<string, Person>();
  for (const m of messages) if (!people.has(m.from.email.toLowerCase())) people.set(m.from.email.toLowerCase(), m.from);
  for (const p of topic.participants) if (!people.has(p.email.toLowerCase())) people.set(p.email.toLowerCase(), p);
  withoutBotRepeats(messages);
  const ids = new Set(messages.map((m) => m.messageId));
  return {
    topic, messages, byId: new Map(messages.map((m) => [m.messageId, m])), participants: [...people.values()],
    weekPeople: weekPeople ?? weekSenders(analysis),
    series: (analysis.series ?? []).filter((s) => s.versions.some((v) => v.messageIds.some((id) => ids.has(id)))),
  };
}

/** Senders that are programs (test robots, CI, patchwork, syzbot): their text is nobody's own words. */
export const BOT_SENDER = /\b(bot|robot|syzbot|patchwork|kernelci|ci|noreply|no-reply|lkp)\b/i;
export const isBotSender = (p: Person) => BOT_SENDER.test(p.name) || BOT_SENDER.test(p.email.split('@')[0]);

/** The addresses of the story's work's authors: its series' authors and whoever began its threads (lower case). */
export function workAuthors(material: Pick<TopicMaterial, 'series' | 'messages'>): Set<string> {
  return new Set([...(material.series ?? []).map((s) => s.author), ...material.messages.filter((m) => !m.inReplyTo).map((m) => m.from)].map((p) => p.email.toLowerCase()));
}

/** Where forwarded mail starts: everything after it is someone else's message. */
const FORWARDED = /^\s*(-{3,}\s*Forwarded message\s*-{3,}|Begin forwarded message:|-{3,}\s*Original Message\s*-{3,})\s*$/i;
/** First lines of a pasted automated report or AI review (the paste runs to the next blank-line-separated own paragraph). */
const PASTED_REPORT = /^\s*(AI reviewed your patch\b|This is an (AI|automated)[- ]generated review\b|(syzbot|kernel test robot|the bot|my bot) (found|reported|hit)\b.*:\s*$|Automated review\b|AI review( comments?)?:\s*$)/i;
/** Blocks shorter than this (in characters) are too common ("Thanks!") to call a repeat of a bot. */
const MIN_REPEAT_CHARS = 40;

/**
 * A sender's own words without what they mark or show as someone else's: a forwarded message (to the
 * end), and a pasted automated report or AI review: the paragraph its header line opens and the
 * paragraph after it (a longer paste is caught when it repeats a bot's message in the thread).
 * Text quoted with ">" is already gone (parse/body).
 */
export function ownWords(own: string): string {
  const lines = own.split('\n');
  const cut = lines.findIndex((l) => FORWARDED.test(l));
  const kept = cut >= 0 ? lines.slice(0, cut) : lines;
  const out: string[] = [];
  // Paragraphs still to drop: 2 from a report's header line (its own paragraph and the next).
  let dropping = 0;
  let inParagraph = false;
  for (const line of kept) {
    if (PASTED_REPORT.test(line)) { dropping = 2; inParagraph = true; continue; }
    const blank = line.trim() === '';
    if (dropping > 0) {
      if (blank) { if (inParagraph) { dropping--; inParagraph = false; } continue; }
      inParagraph = true;
      continue;
    }
    out.push(line);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/**
 * Removes, from people's own words, blank-line-separated blocks that repeat the text of a bot's
 * message in the same topic (a reply that pastes the robot's report without ">" is still the
 * robot's words).
 */
function withoutBotRepeats(messages: MaterialMessage[]): void {
  const botText = messages.filter((m) => isBotSender(m.from)).map((m) => squash(m.own)).join('\n');
  if (!botText) return;
  for (const m of messages) {
    if (isBotSender(m.from)) continue;
    const blocks = m.own.split(/\n\s*\n/);
    const kept = blocks.filter((b) => { const s = squash(b); return s.length < MIN_REPEAT_CHARS || !botText.includes(s); });
    if (kept.length !== blocks.length) m.own = kept.join('\n\n');
  }
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

/** Everyone the week's mail names in From, To and Cc: the names a story must not give to a stranger. */
export function weekSenders(analysis: WeekAnalysis): Person[] {
  const people = new Map<string, Person>();
  for (const m of analysis.messages) {
    for (const p of [m.from, ...(m.to ?? []), ...(m.cc ?? [])]) if (p?.email && !people.has(p.email)) people.set(p.email, p);
  }
  return [...people.values()];
}
