import { normaliseSpace, sentenceSpans, words } from '../verify/text.js';
import { foldForClaims } from '../claims/lexicon.js';

/** A quote shorter than this says too little; longer ones are speeches. */
export const MIN_QUOTE_WORDS = 8;
export const MAX_QUOTE_WORDS = 40;

export interface Candidate {
  text: string;
  /** Position among the message's prose sentences (0 = first). */
  position: number;
  score: number;
  stance: Stance;
  /** The sentence gives ground ("Ah, I was overlooking ...", "You're right"): told as a concession, never as a point. */
  concedes?: boolean;
  /** The sentence is about the conversation itself (quoting, replies, mail), not the matter. */
  meta?: boolean;
}

export type Stance = 'question' | 'objection' | 'doubt' | 'fault' | 'agreement' | 'suggestion' | 'statement';

const GREETING = /^(hi|hello|hey|dear|thanks|thank you|cheers|regards|best|ack|nak|sure|yes|no|ok|okay|right|agreed)\b[\s,!.]*$/i;
/** Lines that are code, logs, commit lists, headers or tables rather than prose. */
const NOT_PROSE_LINE = /[{};]\s*$|^\s{2,}\S|^\t|^#|^[-+@]{1,3}\s|^\[\s*\d+\.\d+\]|\b[0-9a-f]{12,40}\b|^\s*[|>]|^(Link|Fixes|Cc|Subject|From|Date|To|Author|Committer|Parent|Child|Branch|Signed-off-by|Reviewed-by|Acked-by|Tested-by|Reported-by|Closes|Suggested-by|base-commit|change-id|prerequisite-[a-z-]+):|={3,}|-{3,}|_{3,}|\*{3,}|\s\|\s|^\s*[-*]\s|^\s*\d+[.)]\s|^v\d+:|^Changes (in|since)|^Changelog/i;
const CODE_IN_SENTENCE = /[{};<>=]|->|::|\+\+|&&|\|\||\/\*|\bhttps?:|@\S+\.\S+|\bwrote:|\b0x[0-9a-f]+|\[\s*\d+\.\d+\]|\[\d+\]|`/i;

const OBJECTION = /\b(NAK|nack|disagree|(?:feels|seems|is|was) (?:wrong|backwards)|(?:is|was) not (?:a|the) (?:right |correct |proper )?(?:solution|fix|answer|way to go)|the wrong (?:approach|way|place|layer)|don't think|do not think|not (?:a good idea|acceptable)|impractical|doesn't work|does not work|won't work|please stop|object to|I don't like|rather not|show ?stopper|utterly|nonsense|cannot (?:permit|accept|allow)|unacceptable)\b/i;
const DOUBT = /\b(not (?:sure|convinced)|doubt|I wonder|unclear|I'm concerned|concerned (?:about|that)|my concern|the concern)\b/i;
const AGREEMENT = /^(?!.*\b(?:but|if|however|depends|and then|regress\w*|break\w*|worse|slower|wrong)\b).*\b(agree|agreed|makes sense|sounds (?:good|fine|reasonable)|good idea|looks (?:good|fine|sane)|fine with|I like|nice work|happy with|LGTM)\b/i;
/** A fault found in the work: it breaks something, regresses, is wrong. A reviewer's finding, short of objecting to the idea. */
export const FAULT = /\b(?:this|that|it|the (?:patch|change|series)|patch \d+)\s+(?:breaks|will break|would break|is broken|regresses|causes? (?:a |an )?(?:regression|crash|deadlock|leak|hang|warning|oops|build failure|bisection hazard))\b|\b(?:is|looks|seems) (?:wrong|buggy|racy|broken)\b|\b(?:introduced|introduces) (?:a|the|another) (?:bug|regression|leak|race|deadlock)\b|\bcan be (?:exploited|abused)\b|\b(?:use-after-free|null pointer dereference|double free|bisection hazard|memory leak|data corruption)\b/i;
/** A request for something to be done differently; "should be fine" is an opinion, not a request. */
const SUGGESTION = /\b(should(?! (?:be|still be|now be) (?:fine|ok|okay|safe|good|correct|enough|sufficient|possible)\b)|shouldn't|how about|why not|instead|could we|can we|would be better|suggest|I'd prefer|I would prefer|better to|propose)\b/i;
const SUBSTANCE = /\b(because|since|so that|which means|the problem|the issue|the reason|this series|this patch|this patchset|we|I think|I believe|in practice|performance|security|regression|users?|API|ABI|design|approach)\b/gi;

/** Words that carry an argument: reasons, consequences, comparisons, claims about what breaks. */
const ARGUMENT = /\b(because|since|so that|which means|that means|otherwise|the (?:problem|issue|point|reason|risk|cost|downside|trade-?off)|rather than|instead of|than|breaks?|broken|wrong|unsafe|racy|races?|regress(?:ion|es)?|overhead|faster|slower|simpler|cleaner|worse|better|never|always|must|cannot|can't|won't|doesn't|isn't|only|every|without|whereas|in practice|the whole point|makes? (?:it|no) sense)\b/gi;
/**
 * Sentences about the review process rather than the matter: offers to resend, version numbers,
 * thanks, pointers to trees and tags. They say what happened, never why; the outcome says it better.
 */
export const PROCEDURE = /\b(would you (?:like|prefer)|do you want me|shall I|should I (?:send|post|resend|respin|fold|split|drop)|let me know|I(?:'ll| will) (?:send|post|resend|respin|fix|update|fold|rebase|drop|add)|v\d+|resend|respin|next (?:version|revision|spin)|new version|thanks for (?:the |your )?(?:review|testing|report|patch|comments?|feedback)|applied|queued|picked (?:it |them )?up|please (?:add|cc|apply|pick|take|review|test|ignore|drop)|feel free|sorry for|typo|nit\b|fixes tag|rebased?|which tree|merge window|the following tag|reported-by|trailers?|for-next|linux-next|changelog|commit (?:message|log)|cover letter|(?:end(?:ed|s)? up|landed|lands) in (?:the|my|your|his|her|their) tree|(?:were|was|get|got) (?:sent|pushed) (?:out )?but)\b/i;

/**
 * Talk about the conversation rather than the matter: how someone quoted, replied or mailed, what a
 * reader scrolled past or missed. General mailing-list words, said of any thread.
 */
export const META = /\b(scroll(?:ed|ing)? (?:through|down|past)|full quote|quot(?:e|ed|ing) (?:relevant|the whole|everything|all)|no (?:actual )?reply|(?:your|my|the) (?:e-?mail|mail|reply|message) (?:client|got|was|is)|email protocol|top-?post(?:ing|ed)?|trim (?:the |your )?quotes?|in-?line replies|resent? (?:the|this|my) mail|mail(?:er)? (?:ate|mangled|broke)|(?:my|the) (?:wifi|train|flight|vacation|holiday)|heading out|out of (?:the )?office|missed (?:your|this|that) (?:mail|message|reply))\b/i;
/** Giving ground on a point: an admission of having missed or misread something, or "you're right". */
export const CONCESSION = /^(?:ah|oh|ahh|hmm|ok|okay|right)\b[,!. ]|\b(?:admittedly|I was (?:overlooking|wrong|mistaken|confused)|I (?:overlooked|missed|misread|misunderstood)|you(?:'re| are) (?:right|correct)|I stand corrected|my (?:bad|mistake)|fair enough|good point|point taken|that (?:explains|makes sense now))\b/i;

export function stanceOf(written: string): Stance {
  // Read as the claim check reads narration: "You’re right" is "You're right" (quotes keep the original).
  const sentence = foldForClaims(written);
  if (/\?\s*$/.test(sentence)) return 'question';
  if (/^(yes|yeah|yep|agreed|right|sure|indeed|exactly)\b/i.test(sentence)) return 'agreement';
  if (OBJECTION.test(sentence)) return 'objection';
  if (DOUBT.test(sentence)) return 'doubt';
  if (FAULT.test(sentence)) return 'fault';
  if (AGREEMENT.test(sentence)) return 'agreement';
  if (SUGGESTION.test(sentence)) return 'suggestion';
  return 'statement';
}

/**
 * Prose blocks of a message's own words: blank-line separated blocks in which every line is prose,
 * each whitespace-normalised. A block with a code or log line is skipped whole, so that a sentence
 * taken from a block is always a verbatim substring of the whitespace-normalised own words.
 */
export function proseBlocks(own: string): string[] {
  return own.replace(/\r\n/g, '\n').split(/\n\s*\n/).filter((block) => {
    const lines = block.split('\n').filter((l) => l.trim().length > 0);
    return lines.length > 0 && lines.every((l) => !NOT_PROSE_LINE.test(l));
  }).map(normaliseSpace);
}

/** Whole sentences of a message suitable as quotes, scored (higher is more worth quoting). */
export function quoteCandidates(own: string): Candidate[] {
  const out: Candidate[] = [];
  let position = 0;
  for (const block of proseBlocks(own)) {
    for (const [a, b] of sentenceSpans(block)) {
      const text = block.slice(a, b).trim();
      const n = words(text).length;
      position++;
      if (n < MIN_QUOTE_WORDS || n > MAX_QUOTE_WORDS) continue;
      if (!/^["'(]?[\p{Lu}\p{N}]/u.test(text) || !/[.!?]["')]?$/.test(text)) continue;
      if (CODE_IN_SENTENCE.test(text) || GREETING.test(text)) continue;
      if (/["\u201c\u201d]|\.\.\.|\u2026/.test(text) || /^\(|\(\d\)/.test(text)) continue; // nested quotes, ellipses, list references
      if (/^(thanks|thank you|hi|hello|cheers|regards)\b/i.test(text)) continue;
      if ((text.match(/\w+_\w+|\w+\(\)/g) ?? []).length > 2) continue; // identifier soup reads as code
      if ((text.match(/\(/g) ?? []).length !== (text.match(/\)/g) ?? []).length) continue; // cut inside a parenthesis ("mmap(!")
      const plain = foldForClaims(text);
      const stance = stanceOf(text);
      const concedes = CONCESSION.test(plain) && stance !== 'objection' && stance !== 'question';
      const meta = META.test(plain);
      let score = Math.min(n, 28) / 28; // longer, up to a point, carries more
      score += Math.min(3, (plain.match(SUBSTANCE) ?? []).length) * 0.35;
      if (stance === 'objection') score += 1;
      if (stance === 'doubt') score += 0.5;
      if (stance === 'suggestion') score += 0.4;
      if (stance === 'fault') score += 0.8;
      // An argument is worth more than a question, and a question about procedure is worth nothing.
      const argument = Math.min(3, (plain.match(ARGUMENT) ?? []).length);
      score += argument * 0.45;
      if (stance === 'question') score += argument > 0 ? 0 : -0.6;
      if (PROCEDURE.test(plain)) score -= 1.6;
      if (/\b(I|I'm|I've|we|we're)\b/.test(plain)) score += 0.3; // first person carries the voice
      if (/^(This|The)\b/.test(plain)) score += 0.1;
      if (/\bpatch(es)? \d+\b|\bv\d+\b/i.test(plain)) score -= 0.3;
      if (/^(but|and|also|or|then|though|however|still|otherwise)\b/i.test(plain)) score -= 0.4; // reads as half a thought when quoted alone
      if (/!$/.test(plain)) score += 0.4; // strong voice
      if (/^[\p{L}-]+:\s/u.test(plain)) score -= 0.6; // a label ("Examples: ..."), not a sentence
      if (/\*\w+\*/.test(plain)) score += 0.3; // emphasis
      if (/^(So, |Well, )?\p{Lu}\p{Ll}+, /u.test(plain) && /\b(you|your|please)\b/i.test(plain)) score += 0.3; // addressed to someone
      if (/\b(please (add|cc|apply)|the following tag|below tag|let me know)\b/i.test(plain)) score -= 0.6; // boilerplate
      score -= position * 0.03;
      score -= Math.max(0, (plain.match(/\S*[/_]\S*|\w+\(\)/g) ?? []).length - 1) * 0.4; // paths and identifiers
      // Meta talk and concessions carry no argument: never quoted as one (a concession is told in words).
      if (meta) score -= 2;
      if (concedes) score -= 1.5;
      out.push({ text, position: position - 1, score, stance, ...(concedes ? { concedes } : {}), ...(meta ? { meta } : {}) });
    }
  }
  return out;
}

/** The own words of a message, as prose sentences (for counting and for map-reduce notes). */
export function proseWordCount(own: string): number {
  return proseBlocks(own).reduce((n, b) => n + words(b).length, 0);
}
