import fs from 'node:fs';
import path from 'node:path';
import { Feed } from 'feed';
import type { IssueDocument } from '../model.js';
import type { BlobStore, Table } from '../storage/index.js';
import { escapeHtml } from '../web/http.js';
import { issueTitle, NEWSLETTER_NAME, renderIssue } from '../render/render.js';

export interface PublishDeps {
  site: BlobStore;
  table: Table;
  /** Absolute URL the site bucket is served under. */
  siteUrl: string;
  /** Locally, also mirror the site into this folder (OUT/site). */
  mirrorDir?: string;
}

const ARCHIVE_PK = 'ARCHIVE';

/**
 * Publishes an approved issue. Steps: render the web page and the mail variant; write both with the
 * text, MJML and JSON under issues/<week>/; record the issue in the archive list; rebuild the index
 * page and the Atom feed from that list. Safe to repeat: every write replaces the same keys.
 */
export async function publishIssue(deps: PublishDeps, doc: IssueDocument, approvedAt = new Date().toISOString()): Promise<string[]> {
  const site = deps.siteUrl.replace(/\/+$/, '');
  const web = await renderIssue(doc, { siteUrl: site, variant: 'web' });
  const mail = await renderIssue(doc, { siteUrl: site, variant: 'mail' });
  const dir = `issues/${doc.week}`;
  const files: Array<[string, string, string]> = [
    [`${dir}/index.html`, web.html, 'text/html; charset=utf-8'],
    [`${dir}/issue.html`, mail.html, 'text/html; charset=utf-8'],
    [`${dir}/issue.txt`, mail.text, 'text/plain; charset=utf-8'],
    [`${dir}/issue.mjml`, mail.mjml, 'text/plain; charset=utf-8'],
    [`${dir}/issue.json`, JSON.stringify(doc, null, 2), 'application/json'],
  ];
  await deps.table.put({
    pk: ARCHIVE_PK, sk: doc.week, type: 'archive-entry', week: doc.week, approvedAt,
    headlines: doc.topics.map((t) => t.headline), summary: doc.topics[0]?.paragraphs[0]?.text.slice(0, 400) ?? '',
  });
  const entries: Array<{ week: string; approvedAt: string; headlines: string[]; summary: string }> = [];
  for await (const item of deps.table.query(ARCHIVE_PK)) entries.push({ week: String(item.week), approvedAt: String(item.approvedAt), headlines: (item.headlines as string[]) ?? [], summary: String(item.summary ?? '') });
  entries.sort((a, b) => b.week.localeCompare(a.week));
  files.push(['index.html', indexPage(entries), 'text/html; charset=utf-8'], ['feed.atom', atomFeed(site, entries), 'application/atom+xml; charset=utf-8']);
  for (const [key, body, type] of files) {
    await deps.site.put(key, body, type);
    if (deps.mirrorDir) {
      const file = path.join(deps.mirrorDir, key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, body);
    }
  }
  return files.map(([key]) => key);
}

function indexPage(entries: Array<{ week: string; headlines: string[] }>): string {
  const items = entries.map((e) => `<li><a href="issues/${escapeHtml(e.week)}/index.html">Week ${escapeHtml(e.week)}</a><ul>${e.headlines.map((h) => `<li>${escapeHtml(h)}</li>`).join('')}</ul></li>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${NEWSLETTER_NAME}: archive</title>
<link rel="alternate" type="application/atom+xml" title="${NEWSLETTER_NAME}" href="feed.atom"></head>
<body style="font-family:Georgia,serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d232a">
<h1 style="color:#9a3412">${NEWSLETTER_NAME}</h1><p>Weekly stories from the Linux kernel mailing lists. <a href="feed.atom">Atom feed</a> · <a href="subscribe">Subscribe</a></p>
<ul>${items}</ul></body></html>`;
}

function atomFeed(site: string, entries: Array<{ week: string; approvedAt: string; headlines: string[]; summary: string }>): string {
  const feed = new Feed({
    title: NEWSLETTER_NAME,
    description: 'Weekly stories from the Linux kernel mailing lists',
    id: `${site}/`,
    link: `${site}/index.html`,
    feedLinks: { atom: `${site}/feed.atom` },
    updated: entries[0] ? new Date(entries[0].approvedAt) : new Date(0),
    copyright: 'Quoted messages remain their authors\'.',
  });
  for (const e of entries) {
    feed.addItem({
      title: issueTitle({ week: e.week } as IssueDocument),
      id: `${site}/issues/${e.week}/`,
      link: `${site}/issues/${e.week}/index.html`,
      // The feed package marks these type="html" and does not escape: mail text must be escaped first.
      description: escapeHtml(e.headlines.join(' · ')),
      content: escapeHtml(e.summary),
      date: new Date(e.approvedAt),
    });
  }
  return feed.atom1();
}
