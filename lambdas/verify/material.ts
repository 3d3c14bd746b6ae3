import type { Person, Topic, Trailer, WeekAnalysis } from '../model.js';

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
      inReplyTo: m.inReplyTo, own: body.own, trailers: body.trailers, diffstat: body.diffstat, files: body.files,
      hasPatch: body.patch.trim().length > 0, naks: body.naks,
    };
  });
  // Senders as their messages name them (what the writers print), then the topic's other participants.
  const people = new Map<string, Person>();
  for (const m of messages) if (!people.has(m.from.email.toLowerCase())) people.set(m.from.email.toLowerCase(), m.from);
  for (const p of topic.participants) if (!people.has(p.email.toLowerCase())) people.set(p.email.toLowerCase(), p);
  return {
    topic, messages, byId: new Map(messages.map((m) => [m.messageId, m])), participants: [...people.values()],
    weekPeople: weekPeople ?? weekSenders(analysis),
  };
}

/** Everyone the week's mail names in From, To and Cc: the names a story must not give to a stranger. */
export function weekSenders(analysis: WeekAnalysis): Person[] {
  const people = new Map<string, Person>();
  for (const m of analysis.messages) {
    for (const p of [m.from, ...(m.to ?? []), ...(m.cc ?? [])]) if (p?.email && !people.has(p.email)) people.set(p.email, p);
  }
  return [...people.values()];
}
