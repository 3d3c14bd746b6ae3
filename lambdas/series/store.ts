import type { Series } from '../model.js';
import type { Item, Storage } from '../storage/index.js';

const pad = (n: number) => String(n).padStart(4, '0');

/** Stores each version of each series with the week it was posted in (`SERIES#<id>` / `VERSION#<n>`). */
export async function storeSeries(storage: Storage, series: Series[], week: string): Promise<void> {
  const items: Item[] = [];
  for (const s of series) {
    for (const v of s.versions) {
      if (v.week && v.week !== week) continue; // versions loaded from earlier weeks are stored already
      items.push({
        pk: `SERIES#${s.id}`, sk: `VERSION#${pad(v.version)}`, type: 'series-version',
        title: s.title, author: s.author, kind: s.kind, changeId: s.changeId, week,
        version: v.version, coverMessageId: v.coverMessageId, messageIds: v.messageIds.slice(0, 200),
        reviewedBy: v.reviewedBy, ackedBy: v.ackedBy, testedBy: v.testedBy, nakedBy: v.nakedBy,
      });
    }
  }
  await storage.table.batchPut(items);
}

/**
 * Adds the versions of this week's series that earlier weeks stored, each marked with its week, so
 * a v4 this week knows v3 came the week before. This week's versions get `week` set too.
 * `sameWeek`: also this week's stored versions the given series lack: a load of one topic's messages
 * (lambdas/thread/topic-loader.ts) sees only the versions posted in that topic's threads.
 */
export async function withEarlierVersions(storage: Storage, series: Series[], week: string, options: { sameWeek?: boolean } = {}): Promise<Series[]> {
  const out: Series[] = [];
  for (const s of series) {
    const versions = s.versions.map((v) => ({ ...v, week: v.week ?? week }));
    for await (const item of storage.table.query(`SERIES#${s.id}`, 'VERSION#')) {
      if ((item.week === week && !options.sameWeek) || versions.some((v) => v.version === item.version)) continue;
      versions.push({
        version: Number(item.version), coverMessageId: item.coverMessageId as string | undefined, messageIds: (item.messageIds as string[]) ?? [],
        week: String(item.week), reviewedBy: (item.reviewedBy as string[]) ?? [], ackedBy: (item.ackedBy as string[]) ?? [],
        testedBy: (item.testedBy as string[]) ?? [], nakedBy: (item.nakedBy as string[]) ?? [],
      });
    }
    out.push({ ...s, versions: versions.sort((a, b) => a.version - b.version) });
  }
  return out;
}
