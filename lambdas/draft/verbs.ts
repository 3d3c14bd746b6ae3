/**
 * Reporting verbs chosen by what the quoted sentence does (asks, objects, doubts, suggests, agrees,
 * concedes, reports numbers, finds a fault, explains a reason, notes), varied within a story: each
 * verb at most once while another true one is left, never more than twice. A verb the claim check
 * reads as a claim ("objected", "asked", "agreed", "answered") is used only when the quoted words show
 * it the way the check reads them (its own lexicon); otherwise a plain verb that claims nothing.
 */
import { APPROVAL, AGREES_OPENING, DOUBT, OBJECTION, QUESTION, REQUEST, UNDOES_APPROVAL } from '../claims/lexicon.js';
import type { Candidate } from './sentences.js';

export type Act = 'asks' | 'objects' | 'doubts' | 'suggests' | 'agrees' | 'concedes' | 'numbers' | 'fault' | 'reason' | 'notes';

/** What a quoted sentence does, read from its words. */
export function actOf(c: Pick<Candidate, 'text' | 'stance' | 'concedes'>): Act {
  const t = c.text;
  if (c.concedes) return 'concedes';
  if (c.stance === 'question') return 'asks';
  if (c.stance === 'objection') return 'objects';
  if (c.stance === 'doubt') return 'doubts';
  // "should be carefully managed" states a view; a suggestion asks someone to do something.
  if (c.stance === 'suggestion' && wordsShow('suggests', t)) return 'suggests';
  if (c.stance === 'agreement') return 'agrees';
  if (c.stance === 'fault') return 'fault';
  if (/\b\d+(?:\.\d+)?\s*(?:%|percent|x\b|times|ms|us|ns|seconds?|minutes?|hours?|[KMGT]i?B\b|patches|cycles|ops|IOPS|files|lines)/i.test(t)) return 'numbers';
  if (/\b(breaks?|broken|regress(?:ion|es)?|crash(?:es)?|deadlocks?|leaks?|races?|racy|corrupt(?:s|ion)?|fails? to|bug|wrong|hazard|overflow|use-after-free|UAF)\b/i.test(t)) return 'fault';
  if (/\b(because|since|so that|which means|that means|otherwise|the (?:problem|issue|point|reason)|rather than|instead of)\b/i.test(t)) return 'reason';
  return 'notes';
}

/** Claim-free verbs for each act, and claim verbs to use when the words show the claim. */
const PLAIN: Record<Act, string[]> = {
  asks: ['asked'],
  objects: ['argued', 'warned', 'said'],
  doubts: ['hesitated', 'cautioned'],
  suggests: ['recommended', 'thought it better'],
  agrees: ['was positive', 'said'],
  concedes: ['took the point', 'gave ground'],
  numbers: ['reported', 'gave numbers'],
  fault: ['found a problem', 'warned', 'spotted an issue'],
  reason: ['argued', 'explained', 'reasoned'],
  notes: ['noted', 'observed', 'added', 'remarked', 'pointed out', 'said'],
};
const CLAIMED: Partial<Record<Act, string[]>> = {
  asks: ['asked', 'wanted to know'],
  objects: ['objected', 'pushed back', 'disagreed'],
  doubts: ['was not convinced', 'had doubts'],
  suggests: ['suggested', 'proposed'],
  agrees: ['agreed', 'was in favour'],
  concedes: ['conceded'],
};

/** Verbs that end with a colon rather than a comma before the quote ("found a problem: "..."). */
const COLON = new Set(['found a problem', 'spotted an issue', 'gave numbers', 'gave ground', 'took the point']);

/** Whether the claim check, reading the quoted words, would find the claim a verb of this act states. */
export function wordsShow(act: Act, text: string): boolean {
  const question = QUESTION.test(`${text} `);
  switch (act) {
    case 'asks': return question;
    case 'suggests': return question || REQUEST.test(text);
    case 'objects': return !question && OBJECTION.test(text);
    case 'doubts': return !question && (DOUBT.test(text) || OBJECTION.test(text));
    case 'agrees': case 'concedes': {
      if (question) return false;
      const hit = APPROVAL.exec(text);
      return (!!hit && !UNDOES_APPROVAL.test(text.slice(0, hit.index))) || (AGREES_OPENING.test(text) && !/^\S+,?\s+but\b/i.test(text));
    }
    default: return false;
  }
}

/** One story's verbs: how often each was used. */
export class Verbs {
  private readonly used = new Map<string, number>();

  /** A verb for a quoted sentence: a claim verb when the words show it, else a plain one; the least used first. */
  forQuote(c: Pick<Candidate, 'text' | 'stance' | 'concedes'>, allowClaim = true): { verb: string; lead: string } {
    const act = actOf(c);
    const claimed = allowClaim && wordsShow(act, c.text) ? CLAIMED[act] ?? [] : [];
    const verb = this.pick([...claimed, ...PLAIN[act]]);
    return { verb, lead: `${verb}${COLON.has(verb) ? ':' : ','}` };
  }

  /** The least used of the options, first among equals; each use counted. */
  pick(options: string[]): string {
    let best = options[0];
    for (const o of options) if ((this.used.get(o) ?? 0) < (this.used.get(best) ?? 0)) best = o;
    this.used.set(best, (this.used.get(best) ?? 0) + 1);
    return best;
  }

  /** Count a verb used outside forQuote (an answer's "countered"), so that forQuote avoids it. */
  note(verb: string): void { this.used.set(verb, (this.used.get(verb) ?? 0) + 1); }
}
