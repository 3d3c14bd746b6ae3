import type { Claim, Story } from '../model.js';
import type { TopicMaterial } from '../verify/material.js';
import { normaliseSpace } from '../verify/text.js';
import { verifyStory, type VerifyResult } from '../verify/verify.js';
import { checkClaims, emptyClaimCounts, type ClaimCounts } from './check.js';

export interface ClaimedResult extends VerifyResult {
  /** Claims made, verified, softened, removed (the story's paragraphs carry each claim with its status). */
  claims: ClaimCounts;
}

/**
 * Quote verification, then claim verification, for one story (fail closed):
 * 1. quotes verified (verify/); the claims ride along with the sentence that states them;
 *    a claim whose sentence quote verification cut is removed;
 * 2. every claim checked against the mail (check.ts): its sentence kept, softened or cut;
 *    quotes cut with a claim's sentence are counted as removed.
 */
export function verifyWithClaims(drafted: Story, material: TopicMaterial): ClaimedResult {
  const verified = verifyStory(drafted, material);
  const given = drafted.paragraphs.flatMap((p) => p.claims ?? []);
  if (given.length === 0) return { ...verified, claims: emptyClaimCounts() };

  // Put each claim back on the verified paragraph that still holds its sentence.
  const paragraphs = verified.story.paragraphs.map((p) => ({ ...p, claims: [] as Claim[] }));
  const lost: Claim[] = [];
  for (const claim of given) {
    const sentence = normaliseSpace(claim.sentence ?? '');
    const home = sentence ? paragraphs.find((p) => p.text.includes(sentence)) : undefined;
    if (home) home.claims.push({ ...claim, sentence });
    else lost.push({ ...claim, status: 'removed', note: 'its sentence did not survive quote verification' });
  }
  const checked = checkClaims({ ...verified.story, paragraphs: paragraphs.map((p) => (p.claims.length ? p : { text: p.text, quotes: p.quotes })) }, material);
  const result = checked.story;
  if (lost.length) {
    const last = result.paragraphs[result.paragraphs.length - 1];
    if (last) last.claims = [...(last.claims ?? []), ...lost];
  }
  const counts = { ...verified.counts };
  const moved = Math.min(checked.quotesRemoved, counts.verified);
  counts.verified -= moved;
  counts.repaired -= Math.min(checked.quotesRemoved - moved, counts.repaired);
  counts.removed += checked.quotesRemoved;
  const claims = { ...checked.counts, claims: checked.counts.claims + lost.length, removed: checked.counts.removed + lost.length };
  return { story: result, counts, problems: verified.problems, claims };
}
