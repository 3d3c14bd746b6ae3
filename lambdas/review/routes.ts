import { z } from 'zod';
import type { IssueDocument } from '../model.js';
import type { Storage } from '../storage/index.js';
import { crossSite, form as rawForm, HttpError, html, parseForm, redirect, type HttpRequest, type Route } from '../web/http.js';
import { checkCsrf, checkReviewLink, csrfToken, makeReviewLink, reviewUrl, type ReviewLink } from './links.js';
import { reviewPage } from './page.js';
import { approveVersion, getIssueRecord, getIssueVersion, IssueConflictError, publishedDocument, saveNextVersion, type ReviewDocument } from './store.js';

export interface ReviewDeps {
  storage: Storage;
  signingKey: Buffer;
  /** Writes a new draft of one story (the drafting stage); absent: the button says it is unavailable. */
  regenerate?: (week: string, topic: ReviewDocument['topics'][number]) => Promise<IssueDocument['topics'][number]>;
  /**
   * Checks an edited story against its source messages (quotes verbatim in their author's own words,
   * attributed to the right person, nobody named who did not take part); returns what fails.
   */
  verify?: (week: string, topic: ReviewDocument['topics'][number]) => Promise<string[]>;
  /** Runs after approval: render, publish the archive, resume the cloud workflow. */
  onApproved?: (week: string, doc: IssueDocument) => Promise<void>;
}

const MAX_TEXT = 20_000;
const ActionForm = z.discriminatedUnion('action', [
  z.object({ action: z.literal('approve'), csrf: z.string() }),
  z.object({ action: z.literal('intro'), csrf: z.string(), intro: z.string().max(MAX_TEXT) }),
  z.object({ action: z.literal('drop'), csrf: z.string(), topicId: z.string().min(1) }),
  z.object({ action: z.literal('restore'), csrf: z.string(), topicId: z.string().min(1) }),
  z.object({ action: z.literal('regenerate'), csrf: z.string(), topicId: z.string().min(1) }),
  z.object({ action: z.literal('move'), csrf: z.string(), topicId: z.string().min(1), direction: z.enum(['up', 'down']) }),
  z.object({ action: z.literal('edit'), csrf: z.string(), topicId: z.string().min(1), headline: z.string().min(1).max(300) }).passthrough(),
]);

const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();
const hasQuoteMarks = (s: string) => /["“”]/.test(s);

/** Quotes whose words are no longer in their paragraph: the editor must restore them or drop the marks. */
export function quoteFlags(doc: ReviewDocument): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (const t of doc.topics) {
    if (t.dropped) continue;
    const problems: string[] = [];
    for (const p of t.paragraphs) {
      for (const q of p.quotes) {
        if (!normalise(p.text).includes(normalise(q.text))) problems.push(`The quote from ${q.author.name} is no longer verbatim: "${q.text}". Restore the quoted words exactly, or remove the quotation marks to make it reported speech.`);
      }
    }
    if (problems.length === 0) problems.push(...(t.problems ?? []));
    flags.set(t.id, problems);
  }
  return flags;
}

/** Approval refused because flagged stories remain; nothing was approved. */
export class ApprovalBlockedError extends Error {
  constructor(readonly flagged: number) {
    super(`${flagged} flagged quote problem(s) remain; fix them before approving. Nothing was approved.`);
    this.name = 'ApprovalBlockedError';
  }
}

/**
 * Approval, the same from the review link and from the terminal: refused while anything is flagged,
 * once only (a conditional write), then the published document goes to `onApproved`.
 */
export async function approveIssue(deps: Pick<ReviewDeps, 'storage' | 'onApproved'>, week: string, version: number, doc: ReviewDocument, via: string): Promise<IssueDocument> {
  const flagged = [...quoteFlags(doc).values()].flat().length;
  if (flagged) throw new ApprovalBlockedError(flagged);
  await approveVersion(deps.storage, week, version, via);
  const published = publishedDocument(doc);
  await deps.onApproved?.(week, published);
  return published;
}

function linkFrom(request: HttpRequest, week: string): ReviewLink {
  // A link we issued names each of these once; a repeated one was added by someone else.
  if (['v', 'exp', 'sig'].some((name) => request.query.getAll(name).length > 1)) throw new HttpError(403, 'This review link is not valid: it was changed or not issued by this server.');
  const version = Number(request.query.get('v'));
  const expires = Number(request.query.get('exp'));
  const sig = request.query.get('sig') ?? '';
  if (!Number.isInteger(version) || version <= 0 || !Number.isInteger(expires) || !sig) throw new HttpError(403, 'This review link is incomplete. Open the link from the review email exactly as sent.');
  return { week, version, expires, sig };
}

/**
 * The editor's review link. GET shows the issue and changes nothing (mail scanners open links);
 * every change is a POST carrying the CSRF token, makes a new version, and redirects to its link.
 */
export function reviewRoutes(deps: ReviewDeps): Route[] {
  const path = /^\/review\/(?<week>\d{4}-W\d{2})$/;

  async function load(request: HttpRequest, week: string) {
    const link = linkFrom(request, week);
    const check = checkReviewLink(deps.signingKey, link);
    if (!check.ok) throw new HttpError(403, check.reason === 'expired' ? 'This review link has expired. Run the pipeline again (or `kernel-news review-link`) for a fresh one.' : 'This review link is not valid: it was changed or not issued by this server.');
    const record = await getIssueRecord(deps.storage, week);
    if (!record) throw new HttpError(404, `There is no issue for week ${week}.`);
    const doc = await getIssueVersion(deps.storage, week, link.version);
    if (!doc) throw new HttpError(404, `Issue ${week} has no version ${link.version}.`);
    return { link, record, doc };
  }

  return [
    {
      method: 'GET',
      path,
      async handle(request, params) {
        const { link, record, doc } = await load(request, params.week);
        const current = record.status === 'approved' ? record.approvedVersion : record.draftVersion;
        if (link.version !== current) {
          throw new HttpError(403, `This link shows version ${link.version}, but the issue is now at version ${current}${record.status === 'approved' ? ' and approved' : ''}. Use the newest review link.`);
        }
        const done = request.query.get('done');
        return html(reviewPage({ doc, record, actionUrl: reviewUrl('', link), csrf: csrfToken(deps.signingKey, link), flags: quoteFlags(doc), notice: done ? `Saved: ${done}.` : undefined }));
      },
    },
    {
      method: 'POST',
      path,
      async handle(request, params) {
        const { link, record, doc } = await load(request, params.week);
        // The token first: a cross-site form without it is refused as such, whatever else it sends.
        if (!checkCsrf(deps.signingKey, link, rawForm(request).get('csrf') ?? undefined)) throw new HttpError(403, 'This form did not come from the review page (missing or wrong token). Nothing was changed.');
        if (crossSite(request)) throw new HttpError(403, 'Cross-site request refused. Nothing was changed.');
        if (record.status === 'approved') throw new HttpError(403, 'This issue is already approved; approval links work once. Nothing was changed.');
        if (link.version !== record.draftVersion) throw new HttpError(403, `This page shows version ${link.version}, but the issue is now at version ${record.draftVersion}. Nothing was changed; reload the newest link.`);
        const form = parseForm(request, ActionForm);

        const next: ReviewDocument = structuredClone(doc);
        const topic = 'topicId' in form ? next.topics.find((t) => t.id === form.topicId) : undefined;
        if ('topicId' in form && !topic) throw new HttpError(400, 'No such story in this issue.');
        let detail = '';
        try {
          switch (form.action) {
            case 'approve': {
              try {
                await approveIssue(deps, params.week, link.version, doc, 'review link');
              } catch (err) {
                if (err instanceof ApprovalBlockedError) throw new HttpError(409, 'Some quotes are no longer verbatim; fix them before approving. Nothing was approved.');
                throw err;
              }
              return redirect(`${reviewUrl('', link)}&done=approved`);
            }
            case 'intro':
              next.intro = form.intro.trim() || undefined;
              detail = 'opening note';
              break;
            case 'drop':
            case 'restore':
              topic!.dropped = form.action === 'drop';
              detail = topic!.headline;
              break;
            case 'move': {
              const i = next.topics.indexOf(topic!);
              const j = form.direction === 'up' ? i - 1 : i + 1;
              if (j < 0 || j >= next.topics.length) throw new HttpError(400, 'That story cannot move further.');
              [next.topics[i], next.topics[j]] = [next.topics[j], next.topics[i]];
              detail = `${topic!.headline} ${form.direction}`;
              break;
            }
            case 'edit': {
              const fields = form as Record<string, unknown>;
              topic!.headline = form.headline.trim();
              topic!.paragraphs = topic!.paragraphs.map((p, j) => {
                const text = typeof fields[`p${j}`] === 'string' ? String(fields[`p${j}`]).slice(0, MAX_TEXT).replace(/\r\n/g, '\n').trim() : p.text;
                // A quote whose words and quotation marks are both gone was turned into reported speech.
                const quotes = p.quotes.filter((q) => normalise(text).includes(normalise(q.text)) || hasQuoteMarks(text));
                // A claim the drafter's check kept stays declared (its series and version) while its sentence is left as it was; it is checked again.
                const claims = (p.claims ?? []).filter((c) => c.status !== 'removed' && c.sentence && normalise(text).includes(normalise(c.sentence)));
                return { text, quotes, ...(claims.length ? { claims } : {}) };
              });
              if (deps.verify) topic!.problems = await deps.verify(params.week, topic!);
              detail = topic!.headline;
              break;
            }
            case 'regenerate': {
              if (!deps.regenerate) throw new HttpError(501, 'Regenerating a story is not available on this server.');
              const fresh = await deps.regenerate(params.week, topic!);
              Object.assign(topic!, fresh, { dropped: topic!.dropped });
              detail = topic!.headline;
              break;
            }
          }
          const version = await saveNextVersion(deps.storage, params.week, link.version, next, form.action, detail);
          return redirect(`${reviewUrl('', makeReviewLink(deps.signingKey, params.week, version))}&done=${form.action}`);
        } catch (err) {
          if (err instanceof IssueConflictError) throw new HttpError(409, `${err.message}. Nothing was changed.`);
          throw err;
        }
      },
    },
  ];
}
