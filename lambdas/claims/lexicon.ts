/**
 * Kernel-process words the claim check reads mail with. General list vocabulary, nothing keyed to
 * one thread or person. Each pattern is applied to a sender's own words only (lambdas/verify/material).
 */

/** A rejection: "NAK", "Hard NAK", "NACK", "Nacked-by:" (upper case: "nak" in prose is rare and ambiguous). */
export const NAK = /(^|[^\w-])(NAK|NACK|Nak|Nack)(ed)?([^\w-]|$)|\bNacked-by\b/m;

/**
 * Approval in prose. Short on purpose: a claim "X agreed" or "X approved the new version" needs words
 * that say so, not a friendly tone.
 */
export const APPROVAL = /\b(looks? (good|fine|ok|okay|reasonable|sane)|sounds? (good|fine|reasonable|right)|LGTM|I like (it|this|that|the)|now I like|makes sense|fine (with|by) me|no (more )?objections?|I'?m (ok|okay|fine|happy) with|agreed|I agree|works for me)\b/i;

/** Objection in prose (beyond a NAK). */
export const OBJECTION = /\b(I (don'?t|do not) (think|like|agree|see why)|I disagree|this is wrong|not acceptable|won'?t work|doesn'?t work|I object|(strongly )?against|no way|broken|not the right (way|approach)|please don'?t|we should not|we shouldn'?t|NAK|NACK)\b/i;

/** A note that a maintainer took the work: a line that starts with it, or names a tree or branch. */
const APPLIED_LINE = /^\s*(thanks[,!.]*\s*)?(now\s+|and\s+)?(applied|queued( up)?|picked (it |them |this |these )?up|pulled|merged|taken)\b/i;
const APPLIED_TO_TREE = /\b(applied|queued( up)?|picked (it |them |this |these )?up|pulled|merged|taken)\b.{0,60}\b(to|into|in|via|for)\b.{0,60}(tree|branch|for-[\w.-]+|-next\b|next\b|queue|git\b|mainline|fixes)/i;
const NEGATED = /\b(not|n'?t|never|cannot|can'?t|once|when|if|before|after|until|be)\s+(be\s+)?(applied|queued|picked|pulled|merged|taken)\b/i;

/** Lines of own words that say the work was applied/queued/merged by the sender. */
export function appliedLines(own: string): string[] {
  return own.split('\n').filter((line) => (APPLIED_LINE.test(line) || APPLIED_TO_TREE.test(line)) && !NEGATED.test(line));
}

/** A revert: "reverted", "I'll revert", "Revert ..." as a statement of the sender. */
export const REVERTED = /\b(reverted|I('ll| will| have)? revert(ed)?|dropp(ed|ing) (it|this|the (patch|series)) from)\b/i;

/** A promise of a new version. */
export const PROMISE = /\b(I'?ll|I will|will) (send|post|respin|spin|submit|do)\b.{0,40}\b(v\d+|new version|next version|another version|updated (version|series|patch)|respin|fix(ed)?)\b|\b(in|for) (the )?(next|new) (version|revision|spin|iteration|respin)\b|\bwill (be )?(fix|fixed|address|addressed)\b.{0,20}\b(v\d+|next version|next spin)\b|\b(I'?ll|I will|will|we'?ll)\b[^.?!]{0,40}\b(in|for) v\d+\b/i;

/** A question: a sentence ending in "?". */
export const QUESTION = /\?(\s|$)/;
