/**
 * The shared vocabulary of the pipeline stages. Each stage owns its folder; these types are the
 * contract between them (and, for the issue document, with users: ../shared/CONTRACT.md).
 * Extend with new optional fields freely; change existing ones only together with every user.
 */

export interface Person {
  /** Display name, RFC 2047 decoded; the address's local part when the message gave none. */
  name: string;
  /** Lower-cased address. */
  email: string;
}

export type TrailerKind =
  | 'signed-off-by' | 'reviewed-by' | 'acked-by' | 'tested-by' | 'reported-by' | 'suggested-by'
  | 'co-developed-by' | 'fixes' | 'link' | 'closes' | 'cc' | 'nacked-by' | 'change-id';

export interface Trailer {
  kind: TrailerKind;
  /** The trailer's text after the colon, as written. */
  value: string;
  /** For person trailers (Reviewed-by, ...): who. */
  person?: Person;
}

/** A message's plain-text body taken apart. `own` is what quotes may be taken from. */
export interface MessageBody {
  /** The author's own words: no quoted text, no attribution lines, no signature, no patch. */
  own: string;
  /** Text the author quoted from others ("> ..."), with attribution lines. */
  quoted: string;
  signature: string;
  /** The diff, if the message carries one. */
  patch: string;
  /** The diffstat block ("fs/foo.c | 12 ++--"). */
  diffstat: string;
  /** Files the patch touches. */
  files: string[];
  trailers: Trailer[];
  /** Explicit rejections found in the text ("NAK", "Nacked-by"). */
  naks: number;
}

export interface ParsedMessage {
  /** Bare Message-ID, without angle brackets. */
  messageId: string;
  /** SHA-256 of the raw message: set where it was computed (ingest; messages without a Message-ID). */
  sha256?: string;
  inReplyTo?: string;
  /** Bare Message-IDs from References, oldest first. */
  references: string[];
  from: Person;
  to: Person[];
  cc: Person[];
  /** Every list the message reached (delivery headers of each copy, plus list addresses in To/Cc). */
  lists: string[];
  /** UTC, ISO 8601; absent when the Date header is missing or broken. */
  date?: string;
  dateProblem?: string;
  /** Decoded subject, as sent. */
  subject: string;
  /** https://lore.kernel.org/r/<message-id> */
  url: string;
  /** Where the message came from (ingest source and position), for tracing. */
  source?: string;
}

export interface Thread {
  id: string;
  /** Message-ID of the root (the earliest message when the real root is missing). */
  rootMessageId: string;
  subject: string;
  /** Every message of the thread, bare ids, in date order. */
  messageIds: string[];
  /** Set when the thread split off another with "(was: ...)". */
  parentThreadId?: string;
}

export interface SeriesVersion {
  version: number;
  /** The cover letter ("0/N"), when there is one. */
  coverMessageId?: string;
  /** Cover letter and patches of this version. */
  messageIds: string[];
  /** ISO week this version was posted in (versions from earlier weeks come from storage). */
  week?: string;
  reviewedBy: string[];
  ackedBy: string[];
  testedBy: string[];
  nakedBy: string[];
}

export interface Series {
  id: string;
  title: string;
  author: Person;
  /** b4's change-id, when the series carries one. */
  changeId?: string;
  /** e.g. PATCH, RFC PATCH, GIT PULL, ANNOUNCE */
  kind: string;
  versions: SeriesVersion[];
}

export interface NoiseVerdict {
  messageId: string;
  reason: string;
}

export interface Quarantined {
  reason: string;
  offset?: number;
  source?: string;
}

/** Per-feature evidence behind a topic's score; stored with the topic. */
export type RankFeatures = Record<string, number | string | boolean | string[]>;

export interface Topic {
  id: string;
  title: string;
  score: number;
  /** Short human-readable reasons, best first. */
  reasons: string[];
  features: RankFeatures;
  threadIds: string[];
  messageIds: string[];
  participants: Person[];
  /** Link to the earlier issue's story this continues, or null. */
  followUpOf: null | { week: string; topicId: string; headline?: string; url?: string };
}

export interface Quote {
  text: string;
  author: Person;
  messageId: string;
  url: string;
}

/** What a claim says a person did, or what happened to a patch (see lambdas/claims/). */
export type ClaimKind =
  | 'nak' | 'ack' | 'review' | 'test' | 'applied' | 'merged' | 'reverted'
  | 'new-version-promised' | 'new-version-posted' | 'objects' | 'supports' | 'asks'
  /** Answered or replied to someone: the message is in reply, directly or up the thread, to them (prose pass). */
  | 'answers'
  /** Had doubts, was not convinced: a doubt or an objection in their own words, in reply (prose pass). */
  | 'doubts';

/**
 * One factual statement of a story about a person or a patch, as data, so that it can be checked
 * against the mail before a reader sees it. The drafter writes `sentence` into its paragraph; the
 * claim check keeps it, replaces it with a softer sentence the mail does show, or removes it.
 */
export interface Claim {
  /** Who did it (for applied/merged: who applied or merged it). */
  who: Person;
  what: ClaimKind;
  /** The series (and version) it is about, when it is about a series. */
  seriesId?: string;
  version?: number;
  /** The thread it is about, when it is about a discussion rather than a series. */
  threadId?: string;
  /** Bare Message-IDs of the messages that show it. */
  evidence: string[];
  /** The sentence that states it, exactly as it appears in the paragraph's text. */
  sentence: string;
  /** Set by the claim check. */
  status?: 'verified' | 'softened' | 'removed';
  /** Why it was softened or removed, in words for the editor. */
  note?: string;
  /** Lore links to the evidence, for the reader (set by the claim check). */
  urls?: string[];
  /** 'prose': the claim check found the claim in the prose; the drafter did not declare it. */
  found?: 'prose';
  /**
   * The sentence denies it ("Jan did not object", "no one objected"; `who` is "no one" for the
   * latter): verified means the story's mail does not show anyone named doing it.
   */
  negated?: true;
}

export interface Paragraph {
  /** Prose; every quote's text appears inside it. */
  text: string;
  quotes: Quote[];
  /** The factual statements about people and patches this paragraph makes (absent: none). */
  claims?: Claim[];
}

export interface Story {
  topicId: string;
  headline: string;
  paragraphs: Paragraph[];
}

export interface VerificationCounts {
  quotes: number;
  verified: number;
  repaired: number;
  removed: number;
}

/** OUT/<week>/issue.json: see ../shared/CONTRACT.md. */
export interface IssueDocument {
  week: string;
  generatedAt: string;
  stats: { messages: number; threads: number; topics: number };
  /** The editor's opening note, when written. */
  intro?: string;
  lists?: string[];
  topics: Array<{
    id: string;
    headline: string;
    score: number;
    reasons: string[];
    messageIds: string[];
    participants: Person[];
    paragraphs: Paragraph[];
    followUpOf?: Topic['followUpOf'];
  }>;
  verification: VerificationCounts;
  /** The claim check (lambdas/claims/): claims made, and how many were verified, softened, removed. */
  claims?: { claims: number; verified: number; softened: number; removed: number };
  cost: { inputTokens: number; outputTokens: number; usd: number };
}

export const loreUrl = (messageId: string) => `https://lore.kernel.org/r/${encodeURIComponent(messageId).replace(/%40/g, '@')}`;

/**
 * A week taken apart (threads stage output). Bodies are parsed on demand: most stages need only
 * headers, and decoding every body of a week is the slow part.
 */
export interface WeekAnalysis {
  messages: ParsedMessage[];
  /** The body of one message, parsed (and cached) on first use. */
  body(messageId: string): MessageBody;
  threads: Thread[];
  series: Series[];
  noise: NoiseVerdict[];
  quarantined: Quarantined[];
}

/** DynamoDB `ISSUE#<week>` / `ISSUE`: the issue's review state (see docs/storage.md). */
export interface IssueRecord {
  week: string;
  status: 'draft' | 'approved';
  /** Increases with every editor action; review links are bound to one version. */
  draftVersion: number;
  approvedVersion?: number;
  approvedAt?: string;
}

/** In rendered mail HTML/text, replaced per recipient by the sender with that recipient's link. */
export const UNSUBSCRIBE_PLACEHOLDER = '%%UNSUBSCRIBE_URL%%';
