// Shared by the claim tests (claims-property, claims-prose): the people and the invented week they
// write, parsed and threaded by the real stages. Expectations stay in the test files.
import fs from 'node:fs';
import path from 'node:path';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import { topicMaterial, type TopicMaterial } from '../lambdas/verify/material.js';
import type { Person } from '../lambdas/model.js';
import { message, mboxrd, tempDir } from './helpers.js';
import { topicOf } from './draft-fixture.js';

export const AUTHOR: Person = { name: 'Ada Author', email: 'ada@example.org' };
export const REVIEWER: Person = { name: 'Rita Reviewer', email: 'rita@example.org' };
export const OTHER: Person = { name: 'Otto Other', email: 'otto@example.org' };
export const MAINTAINER: Person = { name: 'Max Maintainer', email: 'max@example.org' };
export const BOT: Person = { name: 'kernel test robot', email: 'lkp@intel.com' };
export const addr = (p: Person) => `${p.name} <${p.email}>`;

export const MAIN = 'blk: make the frobnicator lockless';
export const SIBLING = 'blk: fix a leak in the frobnicator error path';
const PATCH_BODY = (title: string) => `${title}\n\nSigned-off-by: ${addr(AUTHOR)}\n---\n block/frob.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n\ndiff --git a/block/frob.c b/block/frob.c\n--- a/block/frob.c\n+++ b/block/frob.c\n@@ -1 +1 @@\n-old\n+new\n`;

let minute = 0;
/** One message; each a minute after the one before, so mail written later in a test is later in the thread. */
export function mail(id: string, from: Person, subject: string, body: string, inReplyTo?: string): string {
  const date = new Date(Date.UTC(2026, 0, 5, 8) + ++minute * 60_000).toUTCString().replace('GMT', '+0000');
  return message(id, body, { From: addr(from), Subject: subject, Date: date, ...(inReplyTo ? { 'In-Reply-To': `<${inReplyTo}>`, References: `<${inReplyTo}>` } : {}) });
}

/** A series (cover + one patch) as posted by AUTHOR. */
export function series(version: number, title: string, tag: string): string[] {
  const v = version > 1 ? ` v${version}` : '';
  return [
    mail(`${tag}-v${version}-0@x`, AUTHOR, `[PATCH${v} 0/1] ${title}`, `This makes it better.\n\n${AUTHOR.name} (1):\n  ${title}\n`),
    mail(`${tag}-v${version}-1@x`, AUTHOR, `[PATCH${v} 1/1] ${title}`, PATCH_BODY(title), `${tag}-v${version}-0@x`),
  ];
}

/** The story material of a week of these messages, as one topic titled MAIN. */
export async function materialOf(messages: string[]): Promise<TopicMaterial> {
  const dir = tempDir('kn-claims-');
  const file = path.join(dir, 'week.mbox');
  fs.writeFileSync(file, mboxrd(messages));
  const analysis = await analyseMboxFile(file);
  fs.rmSync(dir, { recursive: true, force: true });
  return topicMaterial(analysis, topicOf(analysis, 't', MAIN, analysis.messages.map((m) => m.messageId)));
}
