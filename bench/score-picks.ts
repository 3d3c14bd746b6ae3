/**
 * Scores a ranking of topics against the two editors' picks for 2026-W02
 * (../shared/corpus/2026-W02.editor-picks.json), one-to-one: a topic stands for a story when they
 * share messages, and each topic can stand for at most one story, so a catch-all topic that
 * swallows several stories counts once.
 */
import fs from 'node:fs';
import { z } from 'zod';

export const CONSENSUS_CUTOFF = 15;
export const AVOID_CUTOFF = 10;

const picksSchema = z.object({
  week: z.string(),
  consensus: z.array(z.object({ headline: z.string(), messageIds: z.array(z.string()) })),
  avoid: z.array(z.object({ subject: z.string(), messageIds: z.array(z.string()) })),
});
export type EditorPicks = z.infer<typeof picksSchema>;

export function readPicks(file: string): EditorPicks {
  return picksSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

export interface PickScore {
  /** Consensus stories matched by a topic in the top CONSENSUS_CUTOFF. */
  consensusInTop: number;
  consensusTotal: number;
  /** Distinct "avoid" threads matched by a topic in the top AVOID_CUTOFF. */
  avoidInTop: number;
  avoidTotal: number;
  /** For each consensus story, the rank (1-based) of the topic matched to it, or null. */
  storyRanks: Array<{ headline: string; rank: number | null }>;
}

/** Maximum one-to-one matching (Kuhn's augmenting paths) of the first `cutoff` topics to targets. */
function matchOneToOne(topics: Array<{ messageIds: string[] }>, targets: Array<Set<string>>, cutoff: number): Map<number, number> {
  const edges = topics.slice(0, cutoff).map((t) => targets.map((set, j) => (t.messageIds.some((id) => set.has(id)) ? j : -1)).filter((j) => j >= 0));
  const targetOwner = new Map<number, number>();
  const tryAssign = (i: number, seen: Set<number>): boolean => {
    for (const j of edges[i]) {
      if (seen.has(j)) continue;
      seen.add(j);
      const owner = targetOwner.get(j);
      if (owner === undefined || tryAssign(owner, seen)) {
        targetOwner.set(j, i);
        return true;
      }
    }
    return false;
  };
  edges.forEach((_, i) => tryAssign(i, new Set()));
  return targetOwner;
}

export function scoreRanking(topics: Array<{ messageIds: string[] }>, picks: EditorPicks): PickScore {
  const stories = picks.consensus.map((c) => new Set(c.messageIds));
  const storyMatch = matchOneToOne(topics, stories, CONSENSUS_CUTOFF);
  // The two editors' avoid lists overlap: the same thread flagged twice is one thread.
  const avoidSets: Array<Set<string>> = [];
  for (const a of picks.avoid) {
    const set = new Set(a.messageIds);
    if (!avoidSets.some((s) => [...set].some((id) => s.has(id)))) avoidSets.push(set);
  }
  const avoidMatch = matchOneToOne(topics, avoidSets, AVOID_CUTOFF);
  return {
    consensusInTop: storyMatch.size,
    consensusTotal: stories.length,
    avoidInTop: avoidMatch.size,
    avoidTotal: avoidSets.length,
    storyRanks: picks.consensus.map((c, j) => ({ headline: c.headline, rank: storyMatch.has(j) ? storyMatch.get(j)! + 1 : null })),
  };
}
