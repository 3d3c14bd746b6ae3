import type { Person, RankFeatures } from '../model.js';
import type { TopicFacts } from './features.js';

/** Weights of the score. Each feature is capped so that no single one can carry a topic alone. */
export const WEIGHTS = {
  /** per log2(1 + people who wrote substantive replies): several voices are what make a discussion. */
  discussants: 3,
  /** per log2(1 + everyone who wrote, tags included): a change many maintainers sign off is news too. */
  participants: 0.5,
  /** per maintainer among them; a top-level tree owner and a mainline gatekeeper weigh more (at most MAX_SENIOR_POINTS in all). */
  senior: 1.5,
  treeOwner: 1.5,
  gatekeeper: 2.5,
  /** when the person who pulls mainline wrote in the thread: rare on the subsystem lists, news by itself. */
  mainlinePuller: 8,
  /** per person who answered point by point at length (at most MAX_REBUTTERS). */
  rebutter: 1.5,
  /** per angle: a revert, pushback on a pull request, a NAK; release timing weighs less. */
  revert: 2,
  pullPushback: 3,
  /** for a NAK: someone refused the work outright. */
  nak: 2,
  timing: 1,
  currentRc: 2,
  ownersArgue: 2,
  fromOwner: 2,
  /** for a change to what user space sees (uapi headers, ABI docs, syscall tables). */
  userAbi: 2,
  /** per objection or NAK (at most MAX_DISAGREEMENT). */
  disagreement: 1,
  /** when two people go back and forth at least LONG_EXCHANGE times. */
  longExchange: 1,
  /** per novelty label (announcement, RFC). */
  novelty: 1,
  /** for a new subsystem, tool, driver or interface. */
  newThing: 3,
  /** per policy label (licensing, security, process, AI tools, regression, performance regression). */
  policy: 3.5,
  /** per decision (applied, merged, reverted, rejected) that came with discussion. */
  decision: 0.5,
  /** for one matter several people took up in replies under unrelated subjects (a new practice, tool or tag). */
  replyTheme: 2,
  /** per log2 of the number of lists. */
  breadth: 0.4,
  /** per routine label (stable review, cleanup, trivial fix, bot report, ...). */
  routine: -4,
  /** for a bug fix that is not a regression, security or policy matter. */
  plainFix: -1.5,
  /** for a small change with nothing at stake (no policy, angle, novelty or argument between maintainers). */
  smallChange: -2.5,
  /** subtracted per log2 of postings per substantive reply: a huge series with little talk. */
  volumeWithoutTalk: -1.5,
  /** when bots sent most of the messages. */
  botStorm: -4,
  /**
   * The share of the argument's weight (objections, heat, long exchanges) kept when nothing is at
   * stake: no policy matter, angle, new thing, maintainers arguing or tree owner objecting. Two
   * people going back and forth over a helper's return convention is a bikeshed, not a debate.
   */
  argumentWithoutStakes: 0.5,
} as const;
/** The weights' shape, for a bench that varies them (the sensitivity figure of `npm run bench -- topics`). */
export type Weights = { [K in keyof typeof WEIGHTS]: number };
export const MAX_SENIORS = 4;
export const MAX_SENIOR_POINTS = 6;
/**
 * Senior names in a thread with nothing at stake (no policy matter, angle, new thing or argument
 * between maintainers) make a bikeshed, not a story: their weight stops at one tree owner's.
 */
export const MAX_SENIOR_POINTS_NOTHING_AT_STAKE = 3;
export const MAX_REBUTTERS = 3;
/** Quotes nested this deep mean the same people have gone several rounds (before or during the week). */
export const DEEP_QUOTES = 4;
export const MAX_DISAGREEMENT = 5;
export const LONG_EXCHANGE = 3;

/** The weight of each angle the features name (features.ts labels them). */
const ANGLE_WEIGHT: Record<string, keyof Weights> = {
  'revert': 'revert', 'pull request questioned': 'pullPushback', 'NAK': 'nak', 'release timing': 'timing',
  'regression in the current -rc': 'currentRc', 'tree owners argue': 'ownersArgue', "from the tree's owner": 'fromOwner',
};

const num = (f: RankFeatures, key: string) => (typeof f[key] === 'number' ? (f[key] as number) : 0);
const list = (f: RankFeatures, key: string) => (Array.isArray(f[key]) ? (f[key] as string[]) : []);

/** Each part of the score, so that the reasons can name what counted most. */
export function scoreParts(f: RankFeatures, w: Weights = WEIGHTS): Record<string, number> {
  const substantive = num(f, 'substantiveReplies');
  const disagreement = Math.min(num(f, 'naks') * 2 + num(f, 'objections'), MAX_DISAGREEMENT);
  const argument = f.atStake === false ? w.argumentWithoutStakes : 1;
  return {
    discussants: w.discussants * Math.log2(1 + num(f, 'discussants')),
    senior: Math.min(f.atStake === false ? MAX_SENIOR_POINTS_NOTHING_AT_STAKE : MAX_SENIOR_POINTS, seniorPoints(f, w)),
    mainlinePuller: f.mainlinePuller === true ? w.mainlinePuller : 0,
    disagreement: argument * w.disagreement * disagreement,
    heat: argument * w.rebutter * Math.min(num(f, 'rebutters'), MAX_REBUTTERS),
    longExchange: num(f, 'longestExchange') >= LONG_EXCHANGE || num(f, 'quoteDepth') >= DEEP_QUOTES ? argument * w.longExchange : 0,
    angle: list(f, 'angles').reduce((sum, a) => sum + (ANGLE_WEIGHT[a] ? w[ANGLE_WEIGHT[a]] : 0), 0),
    userAbi: list(f, 'novelty').includes('user-visible ABI') ? w.userAbi : 0,
    participants: w.participants * Math.log2(1 + num(f, 'participants')),
    novelty: w.novelty * list(f, 'novelty').filter((n) => n === 'announcement' || n === 'RFC').length,
    newThing: list(f, 'novelty').includes('new subsystem or tool') ? w.newThing : 0,
    policy: w.policy * list(f, 'policy').length,
    decision: substantive > 0 ? w.decision * list(f, 'decisions').length : 0,
    replyTheme: list(f, 'replyThemes').length ? w.replyTheme : 0,
    breadth: w.breadth * Math.log2(Math.max(num(f, 'lists'), 1)),
    routine: w.routine * list(f, 'routine').filter((r) => r !== 'bug fix' && r !== 'small change').length + (list(f, 'routine').includes('bug fix') ? w.plainFix : 0) + (list(f, 'routine').includes('small change') ? w.smallChange : 0),
    // An Acked-by from another maintainer is half a reply: a treewide change many sign off is not "no talk".
    // A short series with two or three replies is not "volume": the first doubling is free.
    volumeWithoutTalk: w.volumeWithoutTalk * Math.max(0, Math.log2(num(f, 'postings') / (1 + substantive + num(f, 'tagOnlyReplies') / 2)) - 1),
    botStorm: num(f, 'botMessages') > num(f, 'messages') / 2 ? w.botStorm : 0,
  };
}

/** Each senior person once, at the weight of their rank. */
function seniorPoints(f: RankFeatures, w: Weights): number {
  const gatekeepers = new Set(list(f, 'gatekeepers'));
  const owners = new Set(list(f, 'treeOwners').filter((n) => !gatekeepers.has(n)));
  const others = list(f, 'seniorDiscussants').filter((n) => !gatekeepers.has(n) && !owners.has(n));
  return w.gatekeeper * gatekeepers.size + w.treeOwner * owners.size + w.senior * Math.min(others.length, MAX_SENIORS);
}

export function score(f: RankFeatures, w: Weights = WEIGHTS): number {
  const total = Object.values(scoreParts(f, w)).reduce((a, b) => a + b, 0);
  return Math.round(total * 100) / 100;
}

const POLICY_REASON: Record<string, string> = {
  security: 'security angle',
  licensing: 'licensing question',
  process: 'process or maintainership matter',
  'ai tools': 'AI tools used in the work or its review',
  regression: 'regression',
  performance: 'performance regression',
};

/** "Linus Torvalds and 6 others debated; 2 NAKs; first posting of a new subsystem". */
export function reasonsFor(facts: TopicFacts): string[] {
  const f = facts.features;
  const reasons: string[] = [];
  const discussants = num(f, 'discussants');
  // Maintainers first, then the most active of the others: the two names a reader should see.
  const named = [...facts.seniorDiscussants, ...facts.discussants.filter((p) => !facts.seniorDiscussants.includes(p))];
  const names = named.slice(0, 2).map((p: Person) => p.name);
  if (discussants >= 2) {
    const others = discussants - names.length;
    const verb = num(f, 'objections') + num(f, 'naks') > 0 ? 'debated' : 'discussed';
    reasons.push(`${names.join(' and ')}${others > 0 ? ` and ${others} other${others > 1 ? 's' : ''}` : ''} ${verb}`);
  } else if (discussants === 1) {
    reasons.push(`only ${names[0]} wrote more than a short reply`);
  } else {
    reasons.push('no discussion beyond tags and short replies');
  }
  // Why several threads are one story: the phrase they share, in the editor's words.
  const replyThemes = list(f, 'replyThemes');
  for (const phrase of list(f, 'themes')) {
    if (!replyThemes.includes(phrase)) reasons.push(`one theme across ${num(f, 'threads')} threads: '${phrase}'`);
    else {
      const lists = num(f, 'themeReactionLists');
      reasons.push(`one theme across ${num(f, 'threads')} threads: '${phrase}', taken up by ${num(f, 'themeReactors')} people in replies to unrelated patches${lists >= 2 ? ` on ${lists} lists` : ''}`);
    }
  }
  // A reaction in this story belongs to a wider theme: said, not scored (the theme is the other story).
  for (const phrase of list(f, 'alsoInThemes')) reasons.push(`its replies take part in a theme of the week: '${phrase}'`);
  const naks = num(f, 'naks');
  if (naks) reasons.push(`${naks} NAK${naks > 1 ? 's' : ''}`);
  const objections = num(f, 'objections');
  if (objections) reasons.push(`${objections} message${objections > 1 ? 's' : ''} objecting`);
  if (num(f, 'longestExchange') >= LONG_EXCHANGE) reasons.push(`a ${num(f, 'longestExchange')}-round back-and-forth`);
  else if (num(f, 'quoteDepth') >= DEEP_QUOTES) reasons.push(`replies quote ${num(f, 'quoteDepth')} rounds of the exchange`);
  const rebutters = num(f, 'rebutters');
  if (rebutters) reasons.push(`${rebutters === 1 ? 'a maintainer' : `${rebutters} maintainers`} answered point by point at length`);
  const gatekeepers = list(f, 'gatekeepers');
  if (gatekeepers.length) reasons.push(`${gatekeepers.join(' and ')} (who ${gatekeepers.length > 1 ? 'take' : 'takes'} trees into mainline) took part`);
  if (f.mainlinePuller === true) reasons.push('the person who pulls mainline wrote in it');
  const owners = list(f, 'treeOwners').filter((n) => !gatekeepers.includes(n));
  if (owners.length) reasons.push(`tree owner${owners.length > 1 ? 's' : ''} ${owners.slice(0, 3).join(', ')}${owners.length > 3 ? ` and ${owners.length - 3} more` : ''} took part`);
  for (const a of list(f, 'angles')) if (a !== 'NAK') reasons.push(a);
  for (const n of list(f, 'novelty')) reasons.push(n === 'first version' ? 'first posting' : n);
  for (const p of list(f, 'policy')) reasons.push(POLICY_REASON[p] ?? p);
  for (const d of list(f, 'decisions')) reasons.push(d);
  const lists = num(f, 'lists');
  if (lists >= 3) reasons.push(`on ${lists} lists`);
  if (num(f, 'versionsInWeek') >= 2) reasons.push(`${num(f, 'versionsInWeek')} versions this week`);
  for (const r of list(f, 'routine')) reasons.push(`routine: ${r}`);
  const tags = num(f, 'tagOnlyReplies');
  if (tags >= 5) reasons.push(`${tags} acks and reviews`);
  const postings = num(f, 'postings');
  if (postings >= 10 && num(f, 'substantiveReplies') + tags / 2 < postings / 4) reasons.push(`${postings} postings, little discussion`);
  if (num(f, 'botMessages') > num(f, 'messages') / 2) reasons.push(`mostly bot traffic (${num(f, 'botMessages')} of ${num(f, 'messages')} messages)`);
  return reasons;
}
