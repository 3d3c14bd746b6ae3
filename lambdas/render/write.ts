import fs from 'node:fs';
import path from 'node:path';
import type { IssueDocument } from '../model.js';
import { renderIssue, type RenderOptions } from './render.js';

export interface RenderedFiles {
  json: string;
  html: string;
  text: string;
  mjml: string;
}

/**
 * Writes the draft issue's preview files next to each other: OUT/<week>/issue.{json,html,txt,mjml}.
 * The mail variant by default, so the preview is what subscribers get (placeholder unsubscribe link).
 */
export async function writeRenderedIssue(outDir: string, doc: IssueDocument, options: RenderOptions = { siteUrl: 'http://127.0.0.1:8025', variant: 'mail' }): Promise<RenderedFiles> {
  const rendered = await renderIssue(doc, options);
  const dir = path.join(outDir, doc.week);
  fs.mkdirSync(dir, { recursive: true });
  const files: RenderedFiles = {
    json: path.join(dir, 'issue.json'),
    html: path.join(dir, 'issue.html'),
    text: path.join(dir, 'issue.txt'),
    mjml: path.join(dir, 'issue.mjml'),
  };
  fs.writeFileSync(files.json, JSON.stringify(doc, null, 2));
  fs.writeFileSync(files.html, rendered.html);
  fs.writeFileSync(files.text, rendered.text);
  fs.writeFileSync(files.mjml, rendered.mjml);
  return files;
}
