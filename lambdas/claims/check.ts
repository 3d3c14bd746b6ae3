import { loreUrl, type Claim, type ClaimKind, type Paragraph, type Person, type Series, type Story } from '../model.js';
import { parseSubjectTags } from '../series/subject.js';
import { isBotSender, type MaterialMessage, type TopicMaterial } from '../verify/material.js';
import { normaliseSpace } from '../verify/text.js';
import { AGREES_OPENING, APPROVAL, DOUBT, NAK, OBJECTION, PROMISE, QUESTION, REQUEST, REVERTED, UNDOES_APPROVAL, appliedLines, opensWithRejection } from './lexicon.js';

export interface ClaimCounts {
  claims: number;
  verified: number;
  softened: number;
  removed: number;
}

export const emptyClaimCounts = (): ClaimCounts => ({ claims: 0, verified: 0, softened: 0, removed: 0 });

export function addClaimCounts(a: ClaimCounts, b: ClaimCounts): ClaimCounts {
  return { claims: a.claims + b.claims, verified: a.verified + b.verified, softened: a.softened + b.softened, removed: a.removed + b.removed };
}

/** The claim counts of a checked story, from the statuses its paragraphs carry (for stored drafts). */
export function claimCountsOf(story: Story): ClaimCounts {
  const counts = emptyClaimCounts();
  for (const c of story.paragraphs.flatMap((p) => p.claims ?? [])) {
    counts.claims++;
    counts[c.status ?? 'removed']++;
  }
  return counts;
}

/** What the mail shows about one claim. */
export type ClaimVerdict =
  | { status: 'verified'; evidence: string[] }
  | { status: 'softened'; evidence: string[]; sentence: string; note: string }
  | { status: 'removed'; note: string };

export interface ClaimCheckResult {
  story: Story;
  counts: ClaimCounts;
  /** Every claim with its status, note and evidence links, in paragraph order (removed ones too). */
  claims: Claim[];
  /** Quotes that went with a removed or replaced sentence. */
  quotesRemoved: number;
}

const TRAILER_OF: Partial<Record<ClaimKind, { kind: string; label: string }>> = {
  review: { kind: 'reviewed-by', label: 'Reviewed-by' },
  ack: { kind: 'acked-by', label: 'Acked-by' },
  test: { kind: 'tested-by', label: 'Tested-by' },
};

/** Claims about a series cannot be checked without knowing which one. */
const SERIES_KINDS = new Set<ClaimKind>(['nak', 'ack', 'review', 'test', 'applied', 'merged', 'reverted', 'new-version-posted']);
/** Titles shorter than this are too generic to count as "the note names the series". */
const MIN_TITLE_CHARS = 12;

/**
 * Checks the claims of a story against its topic's mail, never trusting the drafter's evidence:
 * each claim is derived again from the messages of the person it names.
 * 1. the evidence is that person's own words (never quoted, forwarded or pasted text) or trailers,
 *    in the story's own messages;
 * 2. a trailer counts when its message is a patch of that series (and version) or answers one
 *    directly; a NAK when it answers the patch or its author, not another reviewer's argument;
 *    an "applied"/"merged" note when it answers that series or names it (title, change-id, a patch);
 * 3. the outcome takes later versions and later approval into account;
 * 4. what the mail shows only in part is softened to what it does show; what it does not show is
 *    removed. Softened claims replace their sentence; removed ones are cut with their sentence.
 */
export function checkClaims(story: Story, material: TopicMaterial): ClaimCheckResult {
  const counts = emptyClaimCounts();
  const all: Claim[] = [];
  let quotesRemoved = 0;
  const paragraphs: Paragraph[] = [];
  for (const paragraph of story.paragraphs) {
    if (!paragraph.claims?.length) { paragraphs.push(paragraph); continue; }
    let text = paragraph.text;
    const checked: Claim[] = [];
    // Claims that share a sentence stand or fall together: a sentence is either all verified or cut.
    const bySentence = new Map<string, Claim[]>();
    for (const claim of paragraph.claims) {
      counts.claims++;
      const sentence = normaliseSpace(claim.sentence ?? '');
      const list = bySentence.get(sentence) ?? [];
      list.push({ ...claim, sentence });
      bySentence.set(sentence, list);
    }
    for (const [sentence, claims] of bySentence) {
      const verdicts = claims.map((c) => checkClaim(c, material));
      const at = sentence ? text.indexOf(sentence) : -1;
      const allVerified = verdicts.every((v) => v.status === 'verified');
      const replacement = allVerified ? sentence : verdicts.filter((v) => v.status === 'softened').map((v) => (v as { sentence: string }).sentence).join(' ');
      claims.forEach((claim, i) => {
        const v = verdicts[i];
        let out: Claim;
        if (at < 0) out = { ...claim, status: 'removed', note: 'its sentence is not in the paragraph, so nothing states it' };
        else if (v.status === 'verified' && !allVerified) out = { ...claim, status: 'removed', note: 'true, but cut with its sentence, which also stated a claim the mail does not show' };
        else if (v.status === 'removed') out = { ...claim, status: 'removed', note: v.note };
        else if (v.status === 'softened') out = { ...claim, status: 'softened', note: v.note, sentence: v.sentence, evidence: v.evidence, urls: urlsOf(v.evidence, material) };
        else out = { ...claim, status: 'verified', evidence: v.evidence, urls: urlsOf(v.evidence, material) };
        if (out.status !== 'softened' && out.status !== 'verified') delete out.urls;
        if (out.status === 'removed') out = { ...out, sentence: claim.sentence };
        counts[out.status!]++;
        checked.push(out);
      });
      if (at >= 0 && !allVerified) text = normaliseSpace(text.slice(0, at) + replacement + text.slice(at + sentence.length));
    }
    const quotes = paragraph.quotes.filter((q) => text.includes(q.text));
    quotesRemoved += paragraph.quotes.length - quotes.length;
    all.push(...checked);
    // A paragraph whose every sentence went keeps its claims for the editor on the next one, or alone.
    if (/[\p{L}]/u.test(text)) paragraphs.push({ text, quotes, claims: checked });
    else if (paragraphs.length) paragraphs[paragraphs.length - 1] = { ...paragraphs[paragraphs.length - 1], claims: [...(paragraphs[paragraphs.length - 1].claims ?? []), ...checked] };
    else paragraphs.push({ text: '', quotes: [], claims: checked });
  }
  return { story: { ...story, paragraphs: paragraphs.filter((p) => p.text || p.claims?.length) }, counts, claims: all, quotesRemoved };
}

export const urlsOf = (ids: string[], material: TopicMaterial) => ids.map((id) => material.byId.get(id)?.url || loreUrl(id));

/** What a claim found in the prose points at, beside the claim itself (lambdas/claims/prose.ts). */
export interface ClaimContext {
  /** The messages of the quotes the sentence gives the person: a stance must be in them. */
  cited?: string[];
  /** The quoted words themselves: a stance told with a quote is read from the paragraph the quote stands in. */
  quoted?: string[];
  /** For "answers": the people answered (named, or the ones the story spoke of just before). */
  answering?: Person[];
}

/** One claim against the mail. Pure; exported for tests and the bench. */
export function checkClaim(claim: Claim, material: TopicMaterial, context: ClaimContext = {}): ClaimVerdict {
  const mail = new Mail(material);
  const who = claim.who;
  if (!who?.email) return { status: 'removed', note: 'the claim names nobody' };
  const name = who.name || who.email;
  const everything = mail.from(who);
  // A stance told with a quote is that message's stance, not one found elsewhere in the thread.
  const cited = new Set(context.cited ?? []);
  const own = STANCE_KINDS.has(claim.what) && cited.size ? everything.filter((m) => cited.has(m.messageId)).map((m) => aroundQuote(m, context.quoted ?? [])) : everything;
  if (own.length === 0) return { status: 'removed', note: `${name} wrote nothing in this story's threads` };
  if (own.every((m) => isBotSender(m.from))) return { status: 'removed', note: `${name} is a program; its messages are not a person's position` };
  const series = mail.seriesOf(claim);
  if (claim.what === 'new-version-posted' && !series && !claim.seriesId && (material.series?.length ?? 0) > 1) {
    // "X posted version 2" names no series in a story of several: true when X posted it of any of them.
    const verdicts = material.series!.map((s) => checkPosted({ ...claim, seriesId: s.id }, mail, s));
    return verdicts.find((v) => v.status === 'verified') ?? { status: 'removed', note: `${name} posted no${claim.version ? ` version ${claim.version} of a` : ''} series of this story in its mail` };
  }
  if (SERIES_KINDS.has(claim.what) && !series && material.series?.length) {
    return { status: 'removed', note: `cannot tell which series the claim is about (${claim.seriesId ? `series ${claim.seriesId} is not in this story` : 'none named, and the story has several'})` };
  }
  const trailer = TRAILER_OF[claim.what];
  if (trailer) return checkTrailer(claim, mail, own, series, trailer);
  switch (claim.what) {
    case 'nak': return checkNak(claim, mail, own, series);
    case 'applied': case 'merged': case 'reverted': return checkTaken(claim, mail, own, series);
    case 'new-version-posted': return checkPosted(claim, mail, series);
    case 'new-version-promised': return byWords(own, (m) => PROMISE.test(m.own), `${name} did not say a new version was coming`);
    case 'objects': return byWords(own.filter((m) => mail.answersInStory(m, claim.seriesId ? series : undefined)), objects, `nothing ${name} wrote${where(cited)} in reply objects (a question, or quoted text, is not an objection)`);
    case 'doubts': return byWords(own.filter((m) => mail.answersInStory(m, claim.seriesId ? series : undefined)), doubts, `nothing ${name} wrote${where(cited)} in reply doubts or objects (a question, or quoted text, is not a stance)`);
    case 'supports': return byWords(own.filter((m) => mail.answersInStory(m, claim.seriesId ? series : undefined)), supports, `nothing ${name} wrote${where(cited)} in reply says they agreed (agreement inside quoted text is someone else's)`);
    case 'asks': return byWords(own, asks, `${name} asked nothing${where(cited)}`);
    case 'answers': return checkAnswer(claim, mail, own, context.answering ?? []);
    default: return { status: 'removed', note: `unknown kind of claim "${String(claim.what)}"` };
  }
}

/**
 * The message narrowed to the paragraphs of its own words that hold the quoted text: "X objected,
 * "..."" is about what X said there, not about a "should" three paragraphs away. A quote no
 * paragraph holds whole (cut with an ellipsis) leaves the message as it is.
 */
function aroundQuote(m: MaterialMessage, quoted: string[]): MaterialMessage {
  const blocks = m.own.split(/\n\s*\n/);
  const squashed = (t: string) => t.replace(/\s+/g, ' ').trim();
  const holding = blocks.filter((b) => quoted.some((q) => q && squashed(b).includes(squashed(q))));
  return holding.length ? { ...m, own: holding.join('\n\n') } : m;
}

/** Kinds whose claim is a person's stance, read from their own words. */
const STANCE_KINDS = new Set<ClaimKind>(['objects', 'doubts', 'supports', 'asks', 'answers']);
const where = (cited: Set<string>) => (cited.size ? ' in the message quoted' : '');

/** A sender's own sentences (quoted, forwarded and pasted text is already gone). */
const sentencesOf = (own: string) => own.split(/(?<=[.!?])\s+|\n\s*\n/).map((s) => s.replace(/\s+/g, ' ').trim()).filter(Boolean);
const isQuestion = (s: string) => QUESTION.test(`${s} `);

/** An objection stated, not asked: "Is this not wrong?" is a question, not a stance. */
const objects = (m: MaterialMessage) => NAK.test(m.own) || m.trailers.some((t) => t.kind === 'nacked-by' && namesSender(t.person, m.from))
  || sentencesOf(m.own).some((s) => !isQuestion(s) && OBJECTION.test(s)) || opensWithRejection(m.own);
/** A doubt (or more: an objection) stated. */
const doubts = (m: MaterialMessage) => objects(m) || sentencesOf(m.own).some((s) => !isQuestion(s) && DOUBT.test(s));
/** Approval stated and not undone before it in the same sentence ("I don't think this looks good"), or a tag. */
const supports = (m: MaterialMessage) => m.trailers.some((t) => /^(acked|reviewed|tested)-by$/.test(t.kind) && namesSender(t.person, m.from))
  || sentencesOf(m.own).some((s) => {
    if (isQuestion(s) || NAK.test(s)) return false;
    const hit = APPROVAL.exec(s);
    return (!!hit && !UNDOES_APPROVAL.test(s.slice(0, hit.index))) || (AGREES_OPENING.test(s) && !/^\S+,?\s+but\b/i.test(s));
  });
/** A question or a request. */
const asks = (m: MaterialMessage) => sentencesOf(m.own).some((s) => isQuestion(s) || REQUEST.test(s));

/**
 * "X answered (Y)": the message is in reply, directly or up the thread, to a message of one of the
 * people answered; without anyone named, to a message of someone else in the story.
 */
function checkAnswer(claim: Claim, mail: Mail, own: MaterialMessage[], answering: Person[]): ClaimVerdict {
  const name = claim.who.name || claim.who.email;
  const replies = own.filter((m) => mail.target(m) && !samePerson(mail.target(m)!.from, claim.who));
  if (replies.length === 0) return { status: 'removed', note: `${name}'s message answers nobody in this story's mail` };
  if (answering.length === 0) return { status: 'verified', evidence: ids(replies) };
  const answers = replies.filter((m) => mail.chain(m).some((up) => answering.some((p) => namesSender(p, up.from))));
  if (answers.length) return { status: 'verified', evidence: ids(answers) };
  const to = answering.map((p) => p.name || p.email).join(' or ');
  return { status: 'removed', note: `${name}'s message is not in reply to ${to}, directly or up the thread` };
}

function byWords(own: MaterialMessage[], shows: (m: MaterialMessage) => boolean, none: string): ClaimVerdict {
  const evidence = own.filter(shows).map((m) => m.messageId);
  return evidence.length ? { status: 'verified', evidence } : { status: 'removed', note: none };
}

function checkTrailer(claim: Claim, mail: Mail, own: MaterialMessage[], series: Series | undefined, trailer: { kind: string; label: string }): ClaimVerdict {
  const name = claim.who.name || claim.who.email;
  const giving = own.filter((m) => m.trailers.some((t) => t.kind === trailer.kind && namesSender(t.person, m.from)));
  if (giving.length === 0) return { status: 'removed', note: `${name} sent no ${trailer.label} tag in this story's mail` };
  if (!series) return { status: 'softened', evidence: ids(giving), sentence: `${name} sent ${article(trailer.label)} ${trailer.label} tag.`, note: 'no patch series to check the tag against' };
  const onVersion = giving.filter((m) => mail.onPatch(m, series, claim.version));
  if (onVersion.length) return { status: 'verified', evidence: ids(onVersion) };
  const onOtherVersion = giving.filter((m) => mail.onPatch(m, series));
  if (onOtherVersion.length) {
    const v = mail.versionOf(mail.target(onOtherVersion[0]) ?? onOtherVersion[0], series);
    return { status: 'softened', evidence: ids(onOtherVersion), sentence: `${name} gave version ${v} ${article(trailer.label)} ${trailer.label} tag.`, note: `the ${trailer.label} tag is on version ${v}, not version ${claim.version}` };
  }
  const other = giving.map((m) => mail.otherSeries(mail.target(m) ?? m, series)).find(Boolean);
  const inDiscussion = giving.filter((m) => mail.inSeriesThread(m, series));
  if (inDiscussion.length) {
    const parent = mail.target(inDiscussion[0]);
    const to = parent ? ` to ${parent.from.name || parent.from.email}` : '';
    return { status: 'softened', evidence: ids(inDiscussion), sentence: `${name} offered ${article(trailer.label)} ${trailer.label} tag in a reply${to}.`, note: `the ${trailer.label} tag answers a reply${to}, not a patch: it is not a tag on the series` };
  }
  // The message the tag answers is not in the mail (an earlier week): the series cannot be checked.
  const unseen = giving.filter((m) => m.inReplyTo && !mail.target(m) && !other);
  if (unseen.length) {
    return { status: 'softened', evidence: ids(unseen), sentence: `${name} sent ${article(trailer.label)} ${trailer.label} tag for a patch posted before this week.`, note: `the patch the ${trailer.label} tag answers is not in this week's mail, so its series and version cannot be checked` };
  }
  return { status: 'removed', note: other ? `${name}'s ${trailer.label} tag is on another series, "${other.title}"` : `${name}'s ${trailer.label} tag is not on a patch of this series` };
}

function checkNak(claim: Claim, mail: Mail, own: MaterialMessage[], series: Series | undefined): ClaimVerdict {
  const name = claim.who.name || claim.who.email;
  const naks = own.filter((m) => NAK.test(m.own) || m.trailers.some((t) => t.kind === 'nacked-by' && namesSender(t.person, m.from)));
  if (naks.length === 0) return { status: 'removed', note: `${name} sent no NAK of their own in this story's mail (a NAK inside quoted text is someone else's)` };
  const onPatch = naks.filter((m) => mail.answersPatch(m, series));
  if (onPatch.length === 0) {
    const parent = mail.target(naks[0]);
    const whose = parent ? `${parent.from.name || parent.from.email}'s` : 'another';
    return { status: 'softened', evidence: ids(naks), sentence: `${name} objected to ${whose} argument.`, note: `the NAK answers ${whose} reply, not the patch` };
  }
  const nak = onPatch[0];
  const nakVersion = series ? mail.versionOf(mail.target(nak) ?? nak, series) : undefined;
  const after = (m: MaterialMessage) => (m.date ?? '') > (nak.date ?? '');
  const approval = mail.from(claim.who).filter((m) => after(m) && !NAK.test(m.own) && (APPROVAL.test(m.own) || m.trailers.some((t) => /^(acked|reviewed)-by$/.test(t.kind) && namesSender(t.person, m.from))));
  const later = series && nakVersion !== undefined ? series.versions.filter((v) => v.version > nakVersion && v.messageIds.some((id) => { const m = mail.byId(id); return m !== undefined && (m.date ?? '') > (nak.date ?? ''); })) : [];
  if (later.length && approval.length) {
    const v = Math.max(...later.map((x) => x.version));
    return { status: 'softened', evidence: ids([nak, ...approval]), sentence: `${name} NAKed version ${nakVersion}; version ${v} answered the objection, and ${name} approved it.`, note: `the NAK was on version ${nakVersion}; version ${v} followed and ${name} then approved` };
  }
  if (approval.length) {
    return { status: 'softened', evidence: ids([nak, ...approval]), sentence: `${name} NAKed the patch at first, but agreed later in the thread.`, note: `${name} approved after the NAK` };
  }
  if (later.length) {
    const v = Math.max(...later.map((x) => x.version));
    return { status: 'softened', evidence: ids(onPatch), sentence: `${name} NAKed version ${nakVersion}; version ${v} followed.`, note: `the NAK was on version ${nakVersion}, and version ${v} came after it` };
  }
  return { status: 'verified', evidence: ids(onPatch) };
}

function checkTaken(claim: Claim, mail: Mail, own: MaterialMessage[], series: Series | undefined): ClaimVerdict {
  const name = claim.who.name || claim.who.email;
  const verb = claim.what;
  const notes = own.filter((m) => (verb === 'reverted' ? REVERTED.test(m.own) : appliedLines(m.own).length > 0));
  if (notes.length === 0) return { status: 'removed', note: `${name} wrote no note that the work was ${verb}` };
  if (!series) return { status: 'removed', note: `cannot tell what ${name}'s note says was ${verb}: this story has no patch series` };
  const naming = notes.filter((m) => mail.namesSeries(m, series, claim.version));
  if (naming.length) return { status: 'verified', evidence: ids(naming) };
  const other = notes.map((m) => mail.otherSeries(mail.target(m) ?? m, series)).find(Boolean);
  return { status: 'removed', note: other ? `${name}'s "${verb}" note is for another series, "${other.title}"` : `${name}'s "${verb}" note neither answers nor names this series` };
}

function checkPosted(claim: Claim, mail: Mail, series: Series | undefined): ClaimVerdict {
  const name = claim.who.name || claim.who.email;
  if (!series) return { status: 'removed', note: 'no patch series in this story' };
  const posted = (v: Series['versions'][number]) => v.messageIds.map((id) => mail.byId(id)).filter((m): m is MaterialMessage => m !== undefined && namesSender(claim.who, m.from) && !/^re:/i.test(m.subject));
  const want = claim.version !== undefined ? series.versions.find((v) => v.version === claim.version) : undefined;
  if (want && posted(want).length) return { status: 'verified', evidence: ids(posted(want).slice(0, 1)) };
  const latest = [...series.versions].sort((a, b) => b.version - a.version).find((v) => posted(v).length);
  if (!latest) return { status: 'removed', note: `${name} posted no version of this series in this story's mail` };
  if (claim.version === undefined) return { status: 'verified', evidence: ids(posted(latest).slice(0, 1)) };
  // Softening "posted version 3" to an older version would tell of no new version at all.
  if (latest.version < claim.version) return { status: 'removed', note: `no version ${claim.version} of this series in the mail; the latest ${name} posted is version ${latest.version}` };
  return { status: 'softened', evidence: ids(posted(latest).slice(0, 1)), sentence: `${name} posted version ${latest.version} of the series.`, note: `version ${claim.version} is not in the mail; version ${latest.version} is` };
}

const article = (word: string) => (/^[AEIOU]/i.test(word) ? 'an' : 'a');
const ids = (ms: MaterialMessage[]) => [...new Set(ms.map((m) => m.messageId))];
const samePerson = (a: Person | undefined, b: Person) => !!a && a.email.toLowerCase() === b.email.toLowerCase();
/**
 * The trailer names the sender: same address, or (people send from one address and sign with
 * another) the same full name of at least two words.
 */
const namesSender = (t: Person | undefined, sender: Person) => {
  if (!t) return true;
  if (samePerson(t, sender)) return true;
  const n = (p: Person) => p.name.normalize('NFKC').toLowerCase().replace(/\s*\(.*?\)\s*/g, ' ').replace(/\s+/g, ' ').trim();
  return n(t).split(' ').length >= 2 && n(t) === n(sender);
};
const squash = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/** The topic's mail seen from the claim check: who wrote what, which series and version a message is on. */
class Mail {
  constructor(private readonly material: TopicMaterial) {}

  byId(id: string) { return this.material.byId.get(id); }

  /** What the person wrote here, from any of their addresses (the same full name, as for trailers). */
  from(who: Person): MaterialMessage[] { return this.material.messages.filter((m) => namesSender(who, m.from)); }

  /** The message a reply answers, when it is in the story. */
  target(m: MaterialMessage) { return m.inReplyTo ? this.material.byId.get(m.inReplyTo) : undefined; }

  seriesOf(claim: Claim): Series | undefined {
    const all = this.material.series ?? [];
    if (claim.seriesId) return all.find((s) => s.id === claim.seriesId);
    return all.length === 1 ? all[0] : undefined;
  }

  private versions(series: Series, version?: number) {
    return series.versions.filter((v) => version === undefined || v.version === version);
  }

  isPatchOf(id: string, series: Series, version?: number) {
    return this.versions(series, version).some((v) => v.messageIds.includes(id));
  }

  versionOf(m: MaterialMessage, series: Series): number | undefined {
    return series.versions.find((v) => v.messageIds.includes(m.messageId))?.version ?? parseSubjectTags(m.subject.replace(/^(re:\s*)+/i, ''))?.version;
  }

  /**
   * A patch of the series itself, or an answer to one: directly, or through an exchange between the
   * tag's giver and the series author only (asked, answered, then the tag). A chain through another
   * reviewer's reply is a discussion of their point, not a tag on the patch.
   */
  onPatch(m: MaterialMessage, series: Series, version?: number) {
    if (this.isPatchOf(m.messageId, series, version)) return true;
    const seen = new Set<string>([m.messageId]);
    for (let at = this.target(m); at && !seen.has(at.messageId); at = this.target(at)) {
      seen.add(at.messageId);
      if (this.isPatchOf(at.messageId, series, version)) return true;
      if (!samePerson(at.from, series.author) && !samePerson(at.from, m.from)) return false;
    }
    return false;
  }

  /** The messages a reply answers, nearest first, as far up as the story holds them. */
  chain(m: MaterialMessage): MaterialMessage[] {
    const out: MaterialMessage[] = [];
    const seen = new Set<string>([m.messageId]);
    for (let at = this.target(m); at && !seen.has(at.messageId); at = this.target(at)) { seen.add(at.messageId); out.push(at); }
    return out;
  }

  /**
   * A stance is taken in reply: the message answers someone (a posting objects to nothing). When the
   * claim names a series, the reply is in that series's thread, or answers mail from before the week.
   */
  answersInStory(m: MaterialMessage, series: Series | undefined) {
    if (!m.inReplyTo) return false;
    if (!series || !this.target(m)) return true;
    return this.inSeriesThread(m, series);
  }

  /** Whether the message is somewhere in the series's threads (by its chain of replies in the story). */
  inSeriesThread(m: MaterialMessage, series: Series) {
    const seen = new Set<string>();
    for (let at: MaterialMessage | undefined = m; at && !seen.has(at.messageId); at = this.target(at)) {
      seen.add(at.messageId);
      if (this.isPatchOf(at.messageId, series)) return true;
    }
    return false;
  }

  /** Another series of the story that the message is part of or answers. */
  otherSeries(m: MaterialMessage, series: Series): Series | undefined {
    return (this.material.series ?? []).find((s) => s.id !== series.id && (this.isPatchOf(m.messageId, s) || this.inSeriesThread(m, s)));
  }

  /**
   * A NAK aimed at the work: it answers a patch or cover letter, or the work's author defending it,
   * not another reviewer's argument. Without a series: a message with a patch, or the thread's start.
   */
  answersPatch(m: MaterialMessage, series: Series | undefined) {
    const parent = this.target(m);
    if (!parent) return false;
    if (series) return this.isPatchOf(parent.messageId, series) || (samePerson(parent.from, series.author) && this.inSeriesThread(parent, series));
    return parent.hasPatch || !parent.inReplyTo;
  }

  /** An applied/merged note names the series: answers one of its messages, or names its title, change-id or a patch. */
  namesSeries(m: MaterialMessage, series: Series, version?: number) {
    const parent = this.target(m);
    if (parent && this.isPatchOf(parent.messageId, series, version)) return true;
    if (parent && this.otherSeries(parent, series) && !this.inSeriesThread(parent, series)) return false;
    const text = squash(m.own);
    if (series.changeId && text.includes(series.changeId.toLowerCase())) return true;
    const titles = new Set<string>([series.title]);
    for (const v of this.versions(series, version)) for (const id of v.messageIds) {
      const p = this.byId(id);
      const t = p && parseSubjectTags(p.subject)?.title;
      if (t) titles.add(t);
    }
    return [...titles].some((t) => squash(t).length >= MIN_TITLE_CHARS && text.includes(squash(t)));
  }
}
