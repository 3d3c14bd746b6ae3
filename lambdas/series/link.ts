import { createHash } from 'node:crypto';
import type { ParsedMessage, Series, SeriesVersion, Thread } from '../model.js';
import { compareDates, isReplySubject } from '../thread/jwz.js';
import type { MessageHeaders } from '../parse/message.js';
import { normaliseTitle, parseSubjectTags, type SubjectTags } from './subject.js';

interface Posting {
  message: ParsedMessage;
  tags: SubjectTags;
  threadId: string;
  changeId?: string;
}

/**
 * Groups postings into series versions and links versions into series.
 * Steps: a posting is a non-reply with a "[PATCH ...]"-style prefix; one version = the postings of one
 * author in one thread with one version number (cover letter "0/N" plus its patches); versions are
 * linked by b4 change-id when one of their messages carries it, else by author + normalised title of
 * the cover letter (or of the lone patch). Review trailers in replies to a version's messages are
 * counted per version. Series ids are stable across weeks (derived from change-id or author + title).
 */
export function linkSeries(headers: MessageHeaders[], threads: Thread[]): Series[] {
  const threadOf = new Map<string, string>();
  for (const t of threads) for (const id of t.messageIds) threadOf.set(id, t.id);

  const versions = new Map<string, { postings: Posting[] }>();
  for (const h of headers) {
    const m = h.message;
    if (isReplySubject(m.subject)) continue;
    const tags = parseSubjectTags(m.subject);
    if (!tags) continue;
    const threadId = threadOf.get(m.messageId) ?? m.messageId;
    const key = `${threadId}\u0000${m.from.email}\u0000${tags.version}\u0000${tags.kind}`;
    const v = versions.get(key) ?? { postings: [] };
    v.postings.push({ message: m, tags, threadId, changeId: h.changeId });
    versions.set(key, v);
  }

  // Reviews: trailers in replies, credited to the version whose posting they answer.
  const versionOfMessage = new Map<string, { postings: Posting[] }>();
  for (const v of versions.values()) for (const p of v.postings) versionOfMessage.set(p.message.messageId, v);
  const reviews = new Map<{ postings: Posting[] }, Record<'reviewed-by' | 'acked-by' | 'tested-by' | 'nacked-by', Set<string>>>();
  for (const h of headers) {
    if (!isReplySubject(h.message.subject) || h.reviewTrailers.length === 0) continue;
    // The posting answered: In-Reply-To, else the nearest of References.
    const { inReplyTo, references } = h.message;
    let v = inReplyTo ? versionOfMessage.get(inReplyTo) : undefined;
    for (let k = references.length - 1; v === undefined && k >= 0; k--) if (references[k]) v = versionOfMessage.get(references[k]);
    if (v === undefined) continue;
    const r = reviews.get(v) ?? { 'reviewed-by': new Set(), 'acked-by': new Set(), 'tested-by': new Set(), 'nacked-by': new Set() };
    for (const t of h.reviewTrailers) if (t.email === h.message.from.email) r[t.kind].add(t.email); // only the replier's own trailer counts
    reviews.set(v, r);
  }

  const series = new Map<string, Series>();
  for (const v of versions.values()) {
    const postings = v.postings.sort((a, b) => (a.tags.part ?? 0) - (b.tags.part ?? 0) || compareDates(a.message.date ?? '', b.message.date ?? ''));
    const cover = postings.find((p) => p.tags.part === 0) ?? postings[0];
    const changeId = postings.find((p) => p.changeId)?.changeId;
    const author = cover.message.from;
    const titleKey = normaliseTitle(cover.tags.title);
    const id = changeId ? `b4:${changeId}` : `t:${createHash('sha256').update(`${author.email}\u0000${titleKey}`).digest('hex').slice(0, 16)}`;
    const r = reviews.get(v);
    const version: SeriesVersion = {
      version: cover.tags.version,
      coverMessageId: cover.tags.part === 0 ? cover.message.messageId : undefined,
      messageIds: postings.map((p) => p.message.messageId),
      reviewedBy: [...(r?.['reviewed-by'] ?? [])],
      ackedBy: [...(r?.['acked-by'] ?? [])],
      testedBy: [...(r?.['tested-by'] ?? [])],
      nakedBy: [...(r?.['nacked-by'] ?? [])],
    };
    const s = series.get(id);
    if (s) {
      const same = s.versions.find((x) => x.version === version.version);
      if (same) {
        // A RESEND or a second posting of the same version: one version, all its messages.
        same.messageIds.push(...version.messageIds);
        same.coverMessageId ??= version.coverMessageId;
        for (const k of ['reviewedBy', 'ackedBy', 'testedBy', 'nakedBy'] as const) same[k] = [...new Set([...same[k], ...version[k]])];
      } else s.versions.push(version);
    } else {
      series.set(id, { id, title: cover.tags.title, author, changeId, kind: cover.tags.kind, versions: [version] });
    }
  }
  for (const s of series.values()) s.versions.sort((a, b) => a.version - b.version);
  return [...series.values()];
}
