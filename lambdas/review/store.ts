import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { IssueDocument, IssueRecord } from '../model.js';
import type { Storage } from '../storage/index.js';

export const issuePk = (week: string) => `ISSUE#${week}`;
const versionSk = (n: number) => `VERSION#${String(n).padStart(6, '0')}`;

const IssueRecordSchema = z.object({
  week: z.string(),
  status: z.enum(['draft', 'approved']),
  draftVersion: z.number().int().positive(),
  approvedVersion: z.number().int().positive().optional(),
  approvedAt: z.string().optional(),
});

/**
 * What the review page keeps per story beyond the contract: whether the editor dropped it, and what
 * checking an edited story against its source messages found.
 */
export type ReviewTopic = IssueDocument['topics'][number] & { dropped?: boolean; problems?: string[] };
export type ReviewDocument = Omit<IssueDocument, 'topics'> & { topics: ReviewTopic[] };

export class IssueConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssueConflictError';
  }
}

export async function getIssueRecord(storage: Storage, week: string): Promise<IssueRecord | undefined> {
  const item = await storage.table.get({ pk: issuePk(week), sk: 'ISSUE' });
  return item ? IssueRecordSchema.parse(item) : undefined;
}

export async function getIssueVersion(storage: Storage, week: string, version: number): Promise<ReviewDocument | undefined> {
  const item = await storage.table.get({ pk: issuePk(week), sk: versionSk(version) });
  return item ? (JSON.parse(String(item.doc)) as ReviewDocument) : undefined;
}

/**
 * Stores a freshly drafted issue as a new draft version (a re-run of `run` for a week that is still a
 * draft starts a new version; an approved issue is never replaced).
 */
export async function createDraftIssue(storage: Storage, doc: IssueDocument): Promise<IssueRecord> {
  const current = await getIssueRecord(storage, doc.week);
  if (current?.status === 'approved') throw new IssueConflictError(`issue ${doc.week} is already approved; it is not replaced`);
  const version = (current?.draftVersion ?? 0) + 1;
  await storage.table.put({ pk: issuePk(doc.week), sk: versionSk(version), type: 'issue-version', doc: JSON.stringify(doc), createdAt: new Date().toISOString() });
  const record: IssueRecord = { week: doc.week, status: 'draft', draftVersion: version };
  const ok = current
    ? await storage.table.put({ pk: issuePk(doc.week), sk: 'ISSUE', type: 'issue', ...record }, { ifEquals: { draftVersion: current.draftVersion, status: 'draft' } })
    : await storage.table.put({ pk: issuePk(doc.week), sk: 'ISSUE', type: 'issue', ...record }, { ifAbsent: true });
  if (!ok) throw new IssueConflictError(`issue ${doc.week} changed while it was being stored; run again`);
  await recordAction(storage, doc.week, version, 'drafted', `version ${version}`);
  return record;
}

/** Saves an edited document as the next version, only if nobody moved the issue on meanwhile. */
export async function saveNextVersion(storage: Storage, week: string, fromVersion: number, doc: ReviewDocument, action: string, detail: string): Promise<number> {
  const version = fromVersion + 1;
  await storage.table.put({ pk: issuePk(week), sk: versionSk(version), type: 'issue-version', doc: JSON.stringify(doc), createdAt: new Date().toISOString() });
  const ok = await storage.table.put(
    { pk: issuePk(week), sk: 'ISSUE', type: 'issue', week, status: 'draft', draftVersion: version },
    { ifEquals: { draftVersion: fromVersion, status: 'draft' } },
  );
  if (!ok) throw new IssueConflictError('this page is out of date: the issue was changed or approved meanwhile');
  await recordAction(storage, week, version, action, detail);
  return version;
}

/** Approves one version, once: the conditional write makes a second approval (or a stale page) fail. */
export async function approveVersion(storage: Storage, week: string, version: number, via: string): Promise<IssueRecord> {
  const approvedAt = new Date().toISOString();
  const record: IssueRecord = { week, status: 'approved', draftVersion: version, approvedVersion: version, approvedAt };
  const ok = await storage.table.put({ pk: issuePk(week), sk: 'ISSUE', type: 'issue', ...record }, { ifEquals: { draftVersion: version, status: 'draft' } });
  if (!ok) throw new IssueConflictError('this issue was already approved, or changed since this page was loaded');
  await recordAction(storage, week, version, 'approved', via);
  return record;
}

/** Every editor action, in order: what, when, on which version. */
export async function recordAction(storage: Storage, week: string, version: number, action: string, detail: string): Promise<void> {
  const at = new Date().toISOString();
  await storage.table.put({ pk: issuePk(week), sk: `ACTION#${at}#${randomBytes(3).toString('hex')}`, type: 'issue-action', action, detail: detail.slice(0, 500), version, at });
}

export async function listActions(storage: Storage, week: string): Promise<Array<{ action: string; detail: string; version: number; at: string }>> {
  const out = [];
  for await (const item of storage.table.query(issuePk(week), 'ACTION#')) out.push({ action: String(item.action), detail: String(item.detail), version: Number(item.version), at: String(item.at) });
  return out;
}

/** The approved issue as readers get it: dropped stories left out, the editor's order kept. */
export function publishedDocument(doc: ReviewDocument): IssueDocument {
  return { ...doc, topics: doc.topics.filter((t) => !t.dropped).map(({ dropped: _dropped, problems: _problems, ...t }) => t) };
}
