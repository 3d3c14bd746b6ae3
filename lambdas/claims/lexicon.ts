import type { ClaimKind } from '../model.js';

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
export const APPROVAL = /\b(looks? (good|fine|ok|okay|reasonable|sane)|sounds? (good|fine|reasonable|right)|LGTM|I like (it|this|that|the)|now I like|makes sense|fine (with|by) me|no (more )?objections?|I'?m (ok|okay|fine|happy) with|agreed|I agree|works for me|good idea|nice (work|cleanup|catch|idea|improvement|series)|in favou?r|happy with (it|this|that|the))\b/i;

/** Objection in prose (beyond a NAK). */
export const OBJECTION = /\b(I (don'?t|do not) (think|like|agree|see why)|I disagree|this is wrong|not acceptable|won'?t work|doesn'?t work|I object|(strongly )?against|no way|broken|not the right (way|approach)|please don'?t|we should not|we shouldn'?t|NAK|NACK|I'?d rather not|I don'?t like|not a good idea|unacceptable|cannot accept|show ?stopper|nonsense)\b/i;

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

/** Doubt in prose: a stance against, short of an objection ("was not convinced", "had doubts"). */
export const DOUBT = /\b(not (sure|convinced)|I doubt|I'?m (concerned|worried|skeptical|sceptical)|my concern|concerned (about|that)|I wonder|unclear|unconvinced|I'?m not a fan)\b/i;

/**
 * A request in prose: what the sender asks someone to do (beside a plain question). "Should" and
 * "must" count only said of "you" or "we": "inheritance should be managed carefully" states a view.
 */
export const REQUEST = /\b(please|could (you|we)|can (you|we)|would you|shall we|let'?s|I'?d like|I would like|how about|why not|instead|I'?d (prefer|rather|suggest)|I would (prefer|rather|suggest)|suggest|better to|would be (better|nicer|cleaner))\b|\b(you|we)\s+(\w+\s+)?(should(n'?t)?|must|need to|have to|ought to)\b/i;

/** A reply that opens by agreeing: "Yes, ...", "Agreed.", "Exactly." */
export const AGREES_OPENING = /^(yes|yeah|yep|agreed|right|sure|indeed|exactly|true)\b/i;

/** Words that undo an approval said in the same sentence before it ("I don't think this looks good"). */
export const UNDOES_APPROVAL = /\b(not|n'?t|never|hardly|unless|if)\b/i;

// ---- Narration: the verbs by which a story says what a person did (lambdas/claims/prose.ts) ----

export type NarrationKind = ClaimKind;

const GIVE = String.raw`(?:gave|sent|issued|added|offered|provided|posted|replied with|responded with)\s+(?:it\s+|them\s+|the\s+[\p{L}-]+\s+|this\s+|that\s+)?(?:an?\s+|his\s+|her\s+|their\s+)?(?:hard\s+|firm\s+|clear\s+|strong\s+|flat\s+)?`;

/**
 * Claim verbs of narration, read from a story's prose with quotes blanked and unicode folded
 * (foldForClaims). General kernel-process vocabulary; each maps to the claim it states.
 */
export const NARRATION_VERBS: Array<{ kind: NarrationKind; re: RegExp }> = [
  { kind: 'nak', re: new RegExp(String.raw`\bvetoed\b|\bnac?k(?:ed|'d|s)\b|\bnacked-by\b|\b${GIVE}nac?k\b`, 'giu') },
  { kind: 'ack', re: new RegExp(String.raw`\back(?:ed|'d|s)\b|\b${GIVE}(?:ack|acked-by)\b`, 'giu') },
  { kind: 'review', re: new RegExp(String.raw`\breviewed(?:-by)?\b|\b${GIVE}review(?:ed-by)? tag\b`, 'giu') },
  { kind: 'test', re: new RegExp(String.raw`\btested(?:-by)?\b`, 'giu') },
  { kind: 'applied', re: /\b(?:applied|queued(?: up)?|picked (?:up|it up|them up|the [\p{L}-]+ up)|accepted (?:the |this |these |both |all )?(?:series|patch(?:es|set)?|fix(?:es)?|changes?|pull)|took (?:the |this |these |both |all )?(?:series|patch(?:es|set)?|fix(?:es)?))\b/giu },
  { kind: 'merged', re: /\b(?:merged|pulled(?! back| out)(?: in)?|landed|went in(?:to)?|made it in(?:to)?)\b/giu },
  { kind: 'reverted', re: /\b(?:reverted|backed out|dropped (?:it|them|the [\p{L}-]+|this|these) from|pulled (?:it|them|the [\p{L}-]+) (?:back|out))\b/giu },
  { kind: 'new-version-posted', re: /\b(?:posted|sent|submitted|published|followed up with|came back with|put out)\s+(?:a |an )?(?:new|updated|revised|another|fresh|second|third|fourth|next|v\d+|version \d+)\b|\brespun\b|\bresp[iu]n (?:the|it)\b/giu },
  { kind: 'new-version-promised', re: /\b(?:promised|pledged|vowed|offered|agreed|said (?:he|she|they) would|would|will|planned to|plans to|intends to|intended to)\s+(?:to\s+)?(?:send|post|respin|submit|spin)\s+(?:out\s+)?(?:a |an |the )?(?:new|updated|next|revised|another|fixed|v\d+|version)\b|\bpromised (?:a |an )?(?:new|updated|next|revised|v\d+|fixed)\b/giu },
  { kind: 'objects', re: /\b(?:objected|objects|disagreed|disagrees|pushed back|opposed|rejected|critici[sz]ed|balked|had (?:some |strong |serious )?objections|raised (?:an )?objections?|(?:was|were) (?:against|opposed)|argued against|took issue|went further|blocked|shot down|rebuffed|dismissed)\b/giu },
  { kind: 'doubts', re: /\b(?:(?:was|were|remained) (?:not |un)convinced|wasn'?t convinced|had (?:some |strong |serious )?(?:doubts|reservations|concerns|misgivings)|raised (?:concerns?|doubts)|(?:was|were) (?:skeptical|sceptical|unsure|not sure)|expressed (?:doubts|concerns|reservations)|questioned (?:whether|if|the need))\b/giu },
  { kind: 'supports', re: /\b(?:agreed(?!\s+to\s+(?:send|post|respin|submit|spin))|agrees|supported|supports|backed(?!\s+out)|endorsed|approved|welcomed|praised|conceded|(?:was|were) (?:in favou?r|supportive|happy with|fine with)|spoke (?:up )?in favou?r|liked (?:it|the|this|that)|came around|signed off on|blessed|sided with|cheered)\b/giu },
  { kind: 'asks', re: /\b(?:asked|requested|wanted to know|wondered|inquired|enquired|suggested|proposed|wanted it done differently|called for|urged|demanded|insisted)\b/giu },
  { kind: 'answers', re: /\b(?:answered|replied|responded|countered|retorted|shot back|fired back|wrote back|asked in return)\b/giu },
];

/**
 * Words before a verb that deny it ("Jan did not object", "has not been applied", "never acked"):
 * the sentence claims the person did NOT do it, and the mail must not show that they did.
 */
export const NEGATION_BEFORE = /(?:\b(?:(?:did|does|do|has|have|had|was|were|is|are|would|will)\s+)?(?:not|never)|\b[\p{L}]+n't|\bcannot|\bno longer|\byet to)\s+(?:(?:yet|been|be|ever|even|really|actually|publicly|explicitly|formally|once)\s+)*$/iu;

/** Base forms of claim verbs, read only right after a negation ("did not object", "never replied"). */
export const NEGATED_BASE_VERBS: Array<{ kind: NarrationKind; re: RegExp }> = [
  { kind: 'nak', re: /\bnac?k\b/giu },
  { kind: 'ack', re: /\back\b/giu },
  { kind: 'review', re: /\breview\b/giu },
  { kind: 'objects', re: /\b(?:object|disagree|oppose|push back|reject)\b/giu },
  { kind: 'supports', re: /\b(?:agree|support|approve|endorse)\b/giu },
  { kind: 'answers', re: /\b(?:reply|respond|answer)\b/giu },
  { kind: 'applied', re: /\b(?:apply|queue|take)\b/giu },
  { kind: 'merged', re: /\b(?:merge|pull)\b/giu },
  { kind: 'reverted', re: /\brevert\b/giu },
];

/** A subject that says nobody did it: "No one objected", "none of the reviewers had acked it". */
export const NOBODY_BEFORE = /(?:^|[^\p{L}])(?:no[- ]?one|nobody|none(?:\s+of\s+(?:them|those|the(?:\s+[\p{L}-]+)?))?|no\s+(?:other\s+)?(?:reviewers?|maintainers?|developers?|participants?|one\s+else))\s+(?:(?:else|had|has|have|ever|yet|really|actually|publicly|openly|then|so\s+far)\s+)*$/iu;

/**
 * A flat rejection: a reply that opens with "No." (or "Nope."), then gives its reasons, none of them
 * approval ("No. This is exactly the kind of heuristic that ..."). "No, that's fine" answers a
 * question; "No. It works as is." is no rejection either.
 */
export function opensWithRejection(own: string): boolean {
  const m = /^\s*(?:No|Nope)[.!]\s+(\S[\s\S]*)$/.exec(own);
  if (!m) return false;
  const rest = m[1].split(/(?<=[.!?])\s+/)[0];
  // What follows must not be approval: "No. It works as is.", "No. That's fine.", "No. Thanks, agreed."
  const approves = /^(?:(?:it|this|that|the \w+)\s*(?:'s|\u2019s|is|looks|seems|works|was)\s+(?:(?:just|still|all)\s+)?(?:fine|good|ok|okay|correct|right|as is|expected)|thanks|sure|agreed|I agree|I'm fine|fine)\b/i;
  return !/\?\s*$/.test(rest) && !approves.test(rest);
}

/**
 * "There were no objections", "without objection", "went unopposed": the story says nobody objected,
 * whoever it names. Only these forms: "X had no objections" is X's own stance, not everyone's.
 */
export const NO_OBJECTION_NOUN = /(?:^\s*|\bthere\s+(?:were|was|had\s+been|have\s+been|has\s+been)\s+|\b(?:drew|drawing|met|meeting|received|receiving|got|saw|faced|with)\s+)no\s+(?:(?:further|real|serious)\s+)?(?:objections?|opposition|pushback|push-back|naks?|nacks?|dissent|disagreement)\b|\bwithout\s+(?:any\s+)?(?:objections?|opposition|pushback|dissent)\b|\b(?:went|was|were|remained|passed)\s+un(?:opposed|challenged|contested)\b/iu;

/** Verbs whose stance is about the work itself, not about another person's argument. */
export const ABOUT_THE_WORK = /\b(?:wanted it done differently|asked for changes|rejected|objected to the (?:patch|series|change|work|proposal|idea))\b/i;

/** Words before a verb that make it passive ("the series was merged"): its person follows "by". */
export const PASSIVE_BEFORE = /\b(?:was|were|been|being|got|gets|is|are)\s+(?:(?:now|then|already|also|finally|eventually|quickly|promptly|later|not)\s+)?$/i;

/** Words allowed in a run of names before a verb ("A, B and C also quickly ..."). */
export const RUN_GLUE = /^(and|also|then|later|quickly|promptly|immediately|eventually|finally|again|too|both|all|had|has|have|already|soon|swiftly|firmly|flatly|publicly|strongly|clearly|simply|just|only|still|in|turn|reply|response|return|subsequently|at|first|once|himself|herself|themselves)$/i;

/** Capitalised words that open a sentence or name a time, not a person. */
export const NOT_A_NAME = /^(on|earlier|later|then|the|after|before|in|meanwhile|however|but|and|when|while|since|also|finally|eventually|this|that|it|its|version|patch|series|linux|kernel|an?|by|with|for|as|at|to|of|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|yesterday|today|here|there|so|yet|still|thus|instead|both|each|some|most|many|several|no|none|nobody|everyone)$/i;

/** People named by role, not by name: a claim about them cannot be matched to anyone (fail closed). */
export const ROLE = /^(maintainer|maintainers|reviewer|reviewers|developer|developers|someone|somebody|everyone|everybody|others|people|critics|folks)$/i;

const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff\u202a-\u202e\u2066-\u2069]/g;
/** Latin look-alikes from Cyrillic and Greek that a hostile text could hide a verb behind. */
const CONFUSABLE: Record<string, string> = {
  'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S',
  'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'к': 'k', 'і': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'һ': 'h',
  'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X', 'ο': 'o', 'ν': 'v',
  '\u2018': "'", '\u2019': "'", '\u02bc': "'", '\u2010': '-', '\u2011': '-', '\u2013': '-', '\u00a0': ' ',
};

/** Text as the narration check reads it: invisible characters gone, NFKC, look-alike letters Latin (case kept). */
export function foldForClaims(text: string): string {
  // Plain ASCII has nothing to fold (NFKC leaves it as it is): most mail, read on every message by the ranker.
  if (!/[^\x00-\x7f]/.test(text)) return text;
  return text.replace(INVISIBLE, '').normalize('NFKC').replace(CONFUSABLE_CHAR, (ch) => CONFUSABLE[ch]);
}
/** Any one of the look-alikes (every key is a single UTF-16 unit). */
const CONFUSABLE_CHAR = new RegExp(`[${Object.keys(CONFUSABLE).join('')}]`, 'g');
