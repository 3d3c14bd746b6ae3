import { UNSUBSCRIBE_PLACEHOLDER, type IssueDocument, type Paragraph } from '../model.js';
import { escapeHtml } from '../web/http.js';

/**
 * The light half of rendering, shared by the review page, the sender and the subscription pages:
 * names, escaping and quote markup, without MJML (which is most of a Lambda bundle).
 */
export const NEWSLETTER_NAME = 'Kernel News';
export const COLORS = { ink: '#1d232a', muted: '#5b6570', accent: '#9a3412', rule: '#e5e7eb', quoteBg: '#f8f5f0' };

/** Mail-safe attribute value: escaped, and only http(s) URLs survive. */
export function safeUrl(url: string): string {
  return /^https?:\/\//i.test(url) || url === UNSUBSCRIBE_PLACEHOLDER ? escapeHtml(url) : '#';
}

/** A paragraph's prose as HTML, each quote's text linked to its message and styled as a quote. */
export function paragraphHtml(p: Paragraph): string {
  const spans: Array<{ start: number; end: number; url: string; claim?: boolean }> = [];
  for (const q of p.quotes) {
    const start = p.text.indexOf(q.text);
    if (start < 0 || !q.text) continue;
    const end = start + q.text.length;
    if (spans.some((s) => start < s.end && end > s.start)) continue;
    spans.push({ start, end, url: q.url });
  }
  // A claim the check kept links its evidence the way a quote links its message.
  for (const c of p.claims ?? []) {
    if ((c.status !== 'verified' && c.status !== 'softened') || !c.urls?.[0] || !c.sentence) continue;
    const start = p.text.indexOf(c.sentence);
    if (start < 0) continue;
    const end = start + c.sentence.length;
    if (spans.some((s) => start < s.end && end > s.start)) continue;
    spans.push({ start, end, url: c.urls[0], claim: true });
  }
  spans.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of spans) {
    out += escapeHtml(p.text.slice(at, s.start));
    out += `<a href="${safeUrl(s.url)}" style="color:${COLORS.accent};${s.claim ? '' : 'font-style:italic;'}text-decoration:none;border-bottom:1px dotted ${COLORS.accent}">${escapeHtml(p.text.slice(s.start, s.end))}</a>`;
    at = s.end;
  }
  return out + escapeHtml(p.text.slice(at));
}

const MASTHEAD_LISTS = 6;

/** "a, b and 3 more lists": the masthead names the main lists, not every Cc. */
export function listsLine(lists: string[]): string {
  const names = lists.map((l) => l.replace(/@vger\.kernel\.org$/, ''));
  if (names.length <= MASTHEAD_LISTS) return names.join(', ');
  return `${names.slice(0, MASTHEAD_LISTS).join(', ')} and ${names.length - MASTHEAD_LISTS} more lists`;
}

export function issueTitle(doc: IssueDocument): string {
  return `${NEWSLETTER_NAME}, week ${doc.week}`;
}

