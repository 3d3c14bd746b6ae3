import mjml2html from 'mjml';
import { UNSUBSCRIBE_PLACEHOLDER, type IssueDocument } from '../model.js';
import { escapeHtml } from '../web/http.js';
import { COLORS, issueTitle, listsLine, NEWSLETTER_NAME, paragraphHtml, safeUrl } from './html.js';

export { issueTitle, listsLine, NEWSLETTER_NAME, paragraphHtml } from './html.js';

export interface RenderOptions {
  /** Absolute URL of the public web archive (index.html and feed.atom live there). */
  siteUrl: string;
  /**
   * 'mail': the unsubscribe link is the per-recipient placeholder the sender fills in.
   * 'web': the archive page, which links to the subscribe page instead.
   */
  variant: 'mail' | 'web';
}

export interface RenderedIssue {
  mjml: string;
  html: string;
  text: string;
}

const TEXT_WIDTH = 72;

/** The issue as MJML: masthead, opening note, contents, stories, footer. All mail text escaped. */
export function issueMjml(doc: IssueDocument, options: RenderOptions): string {
  const site = options.siteUrl.replace(/\/+$/, '');
  const lists = listsLine(doc.lists ?? []);
  const unsubscribe = options.variant === 'mail' ? UNSUBSCRIBE_PLACEHOLDER : `${site}/subscribe`;
  const stories = doc.topics.map((t, i) => {
    const follow = t.followUpOf
      ? `<mj-text font-size="13px" color="${COLORS.muted}" padding="0 0 6px 0">Follow-up of ${t.followUpOf.url ? `<a href="${safeUrl(t.followUpOf.url)}" style="color:${COLORS.muted}">` : ''}${escapeHtml(t.followUpOf.headline ?? 'an earlier story')} (${escapeHtml(t.followUpOf.week)})${t.followUpOf.url ? '</a>' : ''}</mj-text>`
      : '';
    const paragraphs = t.paragraphs.map((p) => `<mj-text font-size="16px" line-height="1.6" color="${COLORS.ink}" padding="0 0 12px 0">${paragraphHtml(p)}</mj-text>`).join('\n');
    return `
    <mj-section padding="8px 16px 16px 16px" border-top="1px solid ${COLORS.rule}">
      <mj-column>
        <mj-text font-size="22px" font-weight="700" line-height="1.3" color="${COLORS.ink}" padding="12px 0 8px 0"><a id="story-${i + 1}" name="story-${i + 1}" style="color:${COLORS.ink};text-decoration:none">${escapeHtml(t.headline)}</a></mj-text>
        ${follow}
        ${paragraphs}
      </mj-column>
    </mj-section>`;
  }).join('\n');
  const contents = doc.topics.map((t, i) => `<li style="margin:0 0 4px 0"><a href="#story-${i + 1}" style="color:${COLORS.ink}">${escapeHtml(t.headline)}</a></li>`).join('');
  return `<mjml lang="en">
  <mj-head>
    <mj-title>${escapeHtml(issueTitle(doc))}</mj-title>
    <mj-preview>${escapeHtml(doc.topics.map((t) => t.headline).slice(0, 3).join(' · '))}</mj-preview>
    <mj-attributes><mj-all font-family="Georgia, 'Times New Roman', serif" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#ffffff" width="640px">
    <mj-section padding="24px 16px 8px 16px">
      <mj-column>
        <mj-text font-size="30px" font-weight="700" color="${COLORS.accent}" padding="0">${NEWSLETTER_NAME}</mj-text>
        <mj-text font-size="14px" color="${COLORS.muted}" padding="4px 0 0 0">Week ${escapeHtml(doc.week)}${lists ? ` · from ${escapeHtml(lists)}` : ''}</mj-text>
      </mj-column>
    </mj-section>
    ${doc.intro ? `<mj-section padding="8px 16px"><mj-column><mj-text font-size="16px" line-height="1.6" color="${COLORS.ink}" padding="0">${escapeHtml(doc.intro).replace(/\n/g, '<br />')}</mj-text></mj-column></mj-section>` : ''}
    <mj-section padding="8px 16px">
      <mj-column background-color="${COLORS.quoteBg}" padding="12px">
        <mj-text font-size="15px" font-weight="700" color="${COLORS.ink}" padding="0 0 6px 0">In this issue</mj-text>
        <mj-text font-size="15px" line-height="1.5" color="${COLORS.ink}" padding="0"><ol style="margin:0;padding-left:20px">${contents}</ol></mj-text>
      </mj-column>
    </mj-section>
    ${stories}
    <mj-section padding="16px" border-top="1px solid ${COLORS.rule}">
      <mj-column>
        <mj-text font-size="13px" line-height="1.5" color="${COLORS.muted}" padding="0">
          Quotes link to the messages they come from on lore.kernel.org.
          <a href="${safeUrl(`${site}/index.html`)}" style="color:${COLORS.muted}">Archive</a> ·
          <a href="${safeUrl(`${site}/feed.atom`)}" style="color:${COLORS.muted}">Feed</a> ·
          <a href="${safeUrl(unsubscribe)}" style="color:${COLORS.muted}">${options.variant === 'mail' ? 'Unsubscribe' : 'Subscribe'}</a>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

/** Renders MJML (strict validation: an invalid template is a bug, not a warning) and the plain text. */
export async function renderIssue(doc: IssueDocument, options: RenderOptions): Promise<RenderedIssue> {
  const mjml = issueMjml(doc, options);
  const out = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false });
  if (out.errors.length) throw new Error(`MJML template invalid: ${out.errors.map((e) => e.formattedMessage).join('; ')}`);
  return { mjml, html: out.html, text: issueText(doc, options) };
}

/** Plain-text alternative, written for reading (not a dump of the HTML): numbered links per story. */
export function issueText(doc: IssueDocument, options: RenderOptions): string {
  const site = options.siteUrl.replace(/\/+$/, '');
  const lines: string[] = [issueTitle(doc), '='.repeat(issueTitle(doc).length), ''];
  if (doc.lists?.length) lines.push(...wrap(`From ${listsLine(doc.lists)}.`), '');
  if (doc.intro) lines.push(...doc.intro.split('\n').flatMap((l) => wrap(l)), '');
  lines.push('In this issue:', ...doc.topics.map((t, i) => `  ${i + 1}. ${t.headline}`), '');
  doc.topics.forEach((t, i) => {
    const head = `${i + 1}. ${t.headline}`;
    lines.push(head, '-'.repeat(Math.min(head.length, TEXT_WIDTH)), '');
    if (t.followUpOf) lines.push(...wrap(`Follow-up of "${t.followUpOf.headline ?? 'an earlier story'}" (${t.followUpOf.week}).`), '');
    const links: string[] = [];
    for (const p of t.paragraphs) {
      let text = p.text;
      for (const q of p.quotes) {
        if (!links.includes(q.url)) links.push(q.url);
        const n = links.indexOf(q.url) + 1;
        const at = text.indexOf(q.text);
        if (at >= 0) {
          const close = text.indexOf('"', at + q.text.length) === at + q.text.length ? at + q.text.length + 1 : at + q.text.length;
          text = `${text.slice(0, close)} [${n}]${text.slice(close)}`;
        }
      }
      lines.push(...wrap(text), '');
    }
    links.forEach((url, j) => lines.push(`  [${j + 1}] ${url}`));
    lines.push('');
  });
  const unsubscribe = options.variant === 'mail' ? UNSUBSCRIBE_PLACEHOLDER : `${site}/subscribe`;
  lines.push('--', `Archive: ${site}/index.html`, `Feed: ${site}/feed.atom`, `${options.variant === 'mail' ? 'Unsubscribe' : 'Subscribe'}: ${unsubscribe}`, '');
  return lines.join('\n');
}

function wrap(text: string, width = TEXT_WIDTH): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
