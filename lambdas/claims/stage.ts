import type { Claim, Story } from '../model.js';
import type { TopicMaterial } from '../verify/material.js';
import { normaliseSpace } from '../verify/text.js';
import { verifyStory, type VerifyResult } from '../verify/verify.js';
import { checkClaims, claimCountsOf, type ClaimCounts } from './check.js';
import { proseClaims } from './prose.js';

export interface ClaimedResult extends VerifyResult {
  /** Claims made, verified, softened, removed (the story's paragraphs carry each claim with its status). */
  claims: ClaimCounts;
}

/**
 * Quote verification, then claim verification, for one story (fail closed):
 * 1. quotes verified (verify/); the claims ride along with the sentence that states them;
 *    a claim whose sentence quote verification cut is removed;
 * 2. every declared claim checked against the mail (check.ts): its sentence kept, softened or cut;
 * 3. the prose pass (prose.ts): claims the prose states without declaring them, found by their
 *    verbs and checked the same way, whoever drafted the story;
 *    quotes cut with a claim's sentence are counted as removed.
 */
export function verifyWithClaims(drafted: Story, material: TopicMaterial): ClaimedResult {
  const verified = verifyStory(drafted, material);
  const given = drafted.paragraphs.flatMap((p) => p.claims ?? []);

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
  const prose = proseClaims(checked.story, material);
  const result = prose.story;
  if (lost.length) {
    const last = result.paragraphs[result.paragraphs.length - 1];
    if (last) last.claims = [...(last.claims ?? []), ...lost];
  }
  const removedQuotes = checked.quotesRemoved + prose.quotesRemoved;
  const counts = { ...verified.counts };
  const moved = Math.min(removedQuotes, counts.verified);
  counts.verified -= moved;
  counts.repaired -= Math.min(removedQuotes - moved, counts.repaired);
  counts.removed += removedQuotes;
  // Declared and found claims alike, as they stand on the paragraphs (a declared claim cut with a prose claim's sentence counts as removed).
  const claims = claimCountsOf(result);
  if (!result.paragraphs.length && lost.length) { claims.claims += lost.length; claims.removed += lost.length; }
  return { story: result, counts, problems: verified.problems, claims };
}
