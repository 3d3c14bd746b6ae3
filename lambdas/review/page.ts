import type { IssueRecord } from '../model.js';
import { escapeHtml } from '../web/http.js';
import { paragraphHtml } from '../render/html.js';
import type { ReviewDocument } from './store.js';

export interface ReviewPageInput {
  doc: ReviewDocument;
  record: IssueRecord;
  /** The action URL (same signed link) and the CSRF token every form carries. */
  actionUrl: string;
  csrf: string;
  /** Stories whose edited text no longer contains a quote verbatim: topicId -> problems. */
  flags: Map<string, string[]>;
  notice?: string;
}

const STYLE = `
body{font-family:system-ui,-apple-system,sans-serif;margin:0;color:#1d232a;background:#fafafa;overflow-wrap:anywhere}
main{max-width:52rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}
.story{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:1rem;margin:1rem 0}
.story.dropped{opacity:.55}
.story h2{font-size:1.2rem;margin:.2rem 0 .6rem}
.reasons{color:#5b6570;font-size:.85rem;margin:.2rem 0 .6rem}
.flag{background:#fef2f2;border:1px solid #fca5a5;color:#991b1b;padding:.5rem;border-radius:6px;margin:.5rem 0}
.claims{background:#fffbeb;border:1px solid #fcd34d;padding:.5rem;border-radius:6px;margin:.5rem 0;font-size:.9rem}
.notice{background:#ecfdf5;border:1px solid #6ee7b7;padding:.5rem;border-radius:6px}
form{display:inline}
button{font:inherit;padding:.35rem .7rem;margin:.15rem .15rem .15rem 0;border:1px solid #9ca3af;border-radius:6px;background:#fff;cursor:pointer}
button.primary{background:#9a3412;color:#fff;border-color:#9a3412}
textarea,input[type=text]{font:inherit;width:100%;box-sizing:border-box;padding:.4rem;border:1px solid #9ca3af;border-radius:6px}
details{margin:.4rem 0}
p{line-height:1.55;overflow-wrap:anywhere}
`;

function hidden(csrf: string, fields: Record<string, string>) {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">` + Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
}

function button(input: ReviewPageInput, label: string, fields: Record<string, string>, extra = '') {
  return `<form method="post" action="${escapeHtml(input.actionUrl)}">${hidden(input.csrf, fields)}<button type="submit" ${extra}>${escapeHtml(label)}</button></form>`;
}

/** Which drafter wrote a story and, when the model was asked but did not, why (the run's `drafts` entries). */
function drafterLine(doc: ReviewDocument, topicId: string): string {
  const drafts = (doc as { drafts?: Array<{ topicId: string; drafter: string; fallback?: string }> }).drafts;
  const d = drafts?.find((x) => x.topicId === topicId);
  if (!d) return '';
  const text = d.drafter === 'model' ? 'Written by the model.' : `Written by the offline drafter${d.fallback ? `; the model was not used: ${d.fallback}` : '.'}`;
  return `<div class="reasons drafter">${escapeHtml(text)}</div>`;
}

/** What the claim check took out of a story or softened, and why (the reader sees only the result). */
function claimsChecked(paragraphs: ReviewDocument['topics'][number]['paragraphs']): string {
  const changed = paragraphs.flatMap((p) => p.claims ?? []).filter((c) => c.status === 'removed' || c.status === 'softened');
  if (changed.length === 0) return '';
  const item = (c: (typeof changed)[number]) => c.status === 'removed'
    ? `<li>Removed: &ldquo;${escapeHtml(c.sentence)}&rdquo; &mdash; ${escapeHtml(c.note ?? '')}</li>`
    : `<li>Softened to &ldquo;${escapeHtml(c.sentence)}&rdquo; &mdash; ${escapeHtml(c.note ?? '')}</li>`;
  return `<div class="claims"><strong>Claims checked against the mail</strong><ul>${changed.map(item).join('')}</ul></div>`;
}

/** The editor's review page: every mail-derived string escaped; every change is a POST form. */
export function reviewPage(input: ReviewPageInput): string {
  const { doc, record } = input;
  const approved = record.status === 'approved';
  const blocking = [...input.flags.values()].some((f) => f.length > 0);
  const stories = doc.topics.map((t, i) => {
    const flags = input.flags.get(t.id) ?? [];
    const controls = approved ? '' : [
      i > 0 ? button(input, 'Move up', { action: 'move', topicId: t.id, direction: 'up' }, `aria-label="Move up: ${escapeHtml(t.headline)}"`) : '',
      i < doc.topics.length - 1 ? button(input, 'Move down', { action: 'move', topicId: t.id, direction: 'down' }, `aria-label="Move down: ${escapeHtml(t.headline)}"`) : '',
      t.dropped ? button(input, 'Restore', { action: 'restore', topicId: t.id }) : button(input, 'Drop', { action: 'drop', topicId: t.id }, `aria-label="Drop: ${escapeHtml(t.headline)}"`),
      button(input, 'Regenerate', { action: 'regenerate', topicId: t.id }),
    ].join('');
    const editor = approved ? '' : `<details><summary>Edit this story</summary>
      <form method="post" action="${escapeHtml(input.actionUrl)}">${hidden(input.csrf, { action: 'edit', topicId: t.id })}
        <label>Headline <input type="text" name="headline" value="${escapeHtml(t.headline)}"></label>
        ${t.paragraphs.map((p, j) => `<label>Paragraph ${j + 1}<textarea name="p${j}" rows="6">${escapeHtml(p.text)}</textarea></label>`).join('')}
        <button type="submit">Save story</button>
      </form></details>`;
    return `<section class="story${t.dropped ? ' dropped' : ''}" data-topic="${escapeHtml(t.id)}">
      <h2>${i + 1}. ${escapeHtml(t.headline)}${t.dropped ? ' <small>(dropped)</small>' : ''}</h2>
      <div class="reasons">${escapeHtml(t.reasons.join('; '))}</div>
      ${drafterLine(doc, t.id)}
      ${flags.map((f) => `<div class="flag" role="alert">${escapeHtml(f)}</div>`).join('')}
      ${t.paragraphs.map((p) => `<p>${paragraphHtml(p)}</p>`).join('')}
      ${claimsChecked(t.paragraphs)}
      ${controls}${editor}
    </section>`;
  }).join('\n');
  const header = approved
    ? `<p class="notice">Approved (version ${record.approvedVersion}, ${escapeHtml(record.approvedAt ?? '')}). Nothing here can change any more.</p>`
    : `<form method="post" action="${escapeHtml(input.actionUrl)}">${hidden(input.csrf, { action: 'intro' })}
        <label>Opening note<textarea name="intro" rows="3">${escapeHtml(doc.intro ?? '')}</textarea></label>
        <button type="submit">Save note</button></form>
       <p>${blocking ? '<strong>Fix the flagged quotes before approving.</strong>' : ''}</p>
       ${button(input, `Approve version ${record.draftVersion}`, { action: 'approve' }, `class="primary"${blocking ? ' disabled' : ''}`)}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Review: Kernel News ${escapeHtml(doc.week)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Review: Kernel News, week ${escapeHtml(doc.week)}</h1>
<p>Draft version ${record.draftVersion}. ${doc.topics.filter((t) => !t.dropped).length} of ${doc.topics.length} stories in the issue.</p>
${input.notice ? `<p class="notice" role="status">${escapeHtml(input.notice)}</p>` : ''}
${header}
${stories}
</main></body></html>`;
}
