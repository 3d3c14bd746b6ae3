import type { ParsedMessage, Person, RankFeatures } from '../model.js';
import type { ThreadGroup } from './group.js';
import { isSenior, personKey, pullsMainline, rankOf, type Maintainers } from './maintainers.js';
import { isPosting, type WeekIndex } from './week-index.js';
import { foldForClaims } from '../claims/lexicon.js';

/** A reply with fewer of the author's own words than this is a tag or a nod, not discussion. */
export const SUBSTANTIVE_WORDS = 25;

/**
 * Phrases of objection, read in the author's own words only. Not objections: "I don't think I can
 * run these tests" (about oneself), "no way to test" (an impossibility), "I don't disagree", and
 * "pointless" describing a thing ("pointless wrapper functions") rather than the proposal.
 */
const OBJECTION = /^\s*(No|Nope)[.!]\s|\b(NAK|NACK|I disagree|(?<!(n'?t|not|never) )disagree|this is wrong|that'?s wrong|is just wrong|no way(?! to\b)|I don'?t think(?! I\b)|I do not think(?! I\b)|not acceptable|unacceptable|I object|doesn'?t make (any )?sense|makes no sense|not convinced|bad idea|not a good idea|please don'?t|strongly (object|prefer|disagree)|this is broken|I'?m against|nonsense|crap|(is|are|seems?|looks?|sounds?|'s|be) (completely |totally |just |rather |kind of )?pointless|I really don'?t|absolutely not|I'?d rather not|not going to (apply|take|merge)|won'?t (apply|take|merge)|(a|really a|that'?s a) non-problem|no reason (to|for the kernel)|I'?m (a bit |somewhat |rather |quite )?concerned|my concern is|the concern I|completely unrealistic|I'?m not seeing (a|the|any) (reason|point)|I don'?t see (a|the|any) (reason|point|need)|where is (your|the) problem|not the right (way|approach|place|layer)|the wrong (approach|place|layer)|show ?stopper|(is|are) not (a )?fix(es)?|(far |way |much )?too late (in the (cycle|release)|for (this|an? -?rc)))\b/i;
const DECISION = {
  applied: /^\s*(applied|queued|picked up|pushed)\b|\bI'?ve (applied|queued|picked up)\b|\bapplied to\b/im,
  merged: /\b(merged (into|for)|pulled into|has been merged|pull request .* merged)\b/i,
  reverted: /\b(has been reverted|I'?ll revert|I reverted|please revert|revert(ing)? (it|this|that|the (patch|commit|change))|should be reverted)\b/i,
  rejected: /\b(rejected|dropping (this|it|the patch)|I'?ve dropped|dropped (it|this|the patch|from))\b/i,
};
const POLICY: Array<[string, RegExp]> = [
  ['licensing', /\b(copyright|GPL|licen[cs]e|SPDX)\b/i],
  ['security', /\b(CVE-\d+|exploit\w*|vulnerabilit(y|ies)|vulnerable to|security (hole|issue|bug|fix|model|critique|concern)|privilege escalation|info(rmation)? leak|leaks? (kernel )?memory|uninitiali[sz]ed (kernel )?memory|seccomp|sandbox\w*|module signing|secure boot|post-quantum|side[- ]channel|constant[- ]time|timing attack)\b/i],
  ['process', /\b(Code of Conduct|maintainership|new maintainer|step(ping)? down as|reviewer (load|bandwidth|burnout)|nobody reviews|crickets)\b/i],
  // The use of AI tools in the work or its review, a live process question: the tool named in a
  // disclosure ("Cursor/claude used liberally", "Assisted-by: ..."), or AI named with what it did.
  ['ai tools', /\b(AI[- ](generated|assisted|written|review\w*|tools?|agents?|help)|LLMs?|large language models?|Co-developed-by: \w+ AI|Assisted-by(?=:)|claude|chatgpt|copilot|gpt-\d\w*|vibe[- ]cod\w*)\b/i],
  ['regression', /\b(regression (in|since|from|caused|introduced|report)|regressed|regzbot|introduced a regression|boot (stall|hang)|data (loss|corruption))\b/i],
];
/**
 * A performance regression told in words: one paragraph names a measure of speed and says an earlier
 * change made it worse ("commit 66fa3cedf16a effectively disabled IOCB_NOWAIT writes ... a lot of context
 * switches", "throughput dropped 30% since 6.18"). Either alone is everyday talk, and "faster"/"slower"
 * alone is a patch comparing itself with the code it replaces.
 */
const PERF_MEASURE = /\b(performance|throughput|latency|latencies|IOPS|ops\/s(ec)?|[MG]i?B\/s|context switch(es)?|sys(tem)? time|CPU time|cycles|wall[- ]clock|overhead|slowdown)\b/i;
const PERF_WORSE = /\b(regress(ed|ion|ions|es)?|(effectively|silently|accidentally) (disabled|broke|broken|lost)|no longer (works?|happens?|possible)|since (commit|v?\d\.\d+)|introduced by|caused by commit)\b/i;
/** "without being concerned about performance regressions", "make sure performance does not regress": a worry, not a report. */
const HYPOTHETICAL = /\b(without|not|no|avoid\w*|prevent\w*|make sure|ensure|don'?t|won'?t|doesn'?t|never|any|potential|possible|risk of)\b[^.]*$/i;
export function mentionsPerformanceRegression(text: string): boolean {
  return text.split(/\n\s*\n/).some((paragraph) => PERF_MEASURE.test(paragraph) && [...paragraph.matchAll(new RegExp(PERF_WORSE.source, 'gi'))].some((m) => !HYPOTHETICAL.test(paragraph.slice(Math.max(0, m.index - 80), m.index))));
}

/**
 * Words that make what follows in the sentence a denial or a condition, not a fact: "it's not an
 * actual regression in any way", "so we will not have to ... revert this", "if it breaks, revert it".
 */
const NOT_ASSERTED = /\b(not|no|never|nothing|without|if|unless|whether|would|could|might|cannot|can't|don'?t|doesn'?t|won'?t|wouldn'?t|shouldn'?t|isn'?t|wasn'?t|aren'?t|avoid\w*|prevent\w*|in case)\b/i;
/** Some match of `re` in `text` that its own sentence states as a fact, not denied or supposed. */
export function stated(text: string, re: RegExp): boolean {
  for (const m of text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))) {
    const before = text.slice(Math.max(0, m.index - 100), m.index);
    // Mail is wrapped at 72 columns: a sentence ends at its punctuation or a blank line, not at a line end.
    const ends = [...before.matchAll(/[.!?;](?=\s)|\n\s*\n/g)];
    const sentence = ends.length ? before.slice(ends[ends.length - 1].index + 1) : before;
    if (!NOT_ASSERTED.test(sentence)) return true;
  }
  return false;
}
const NOVELTY: Array<[string, RegExp]> = [
  ['announcement', /\[(ANNOUNCE|ANN)\b/i],
  ['new subsystem or tool', /\b(new (subsystem|tool|framework|api|interface|driver|daemon|syscall|system call)|introduc\w+ (a |an )?(new )?(subsystem|tool|framework|api|interface|daemon|driver)|add (a )?(new )?(driver|syscall)|initial support)\b/i],
];
const ROUTINE_SUBJECT: Array<[string, RegExp]> = [
  ['stable review', /^\s*(re:\s*)?\[PATCH\s+\d+\.\d+(\.\d+)?\s|\bstable review\b|\bstable-rc\b/i],
  ['trivial fix', /\b(typo|spelling|whitespace|trivial|cosmetic|kernel-doc|comment fix|fix (a )?warning|W=1|unused (variable|function))\b/i],
  ['cleanup', /\b(clean ?ups?(?!:)|simplify|convert to|use (the )?\w+\(\) helper|treewide|constify|scoped\(\)?)\b/i],
  ['device support', /\b(dt-bindings|devicetree|dts|arm64: dts|add (support for )?(the )?\w+ (soc|board|phy|clock|pinctrl))\b/i],
  ['resend', /\bRESEND\b/],
  ['linux-next merge note', /^\s*(re:\s*)?linux-next: (manual merge|duplicate|Tree for)/i],
  ['bug tracker', /^\s*(re:\s*)?\[Bug \d+\]/i],
];

/** A line of pasted machine output: a kernel log line, a register or stack dump, a hex dump. */
const MACHINE_LINE = /^\s*(<\d+>)?\[\s*\d+\.\d+\]|^\s*(RIP|RSP|RAX|RBX|RCX|RDX|RBP|RSI|RDI|R\d{1,2}|CR\d|Call Trace|Code|Modules linked in|Hardware name|Workqueue|Tainted|CPU: \d+)\b|\b[0-9a-f]{16}\b|^\s*\? \w+\+0x/;
/** A question in the author's own words: a sentence that ends in a question mark. */
const QUESTION = /\w[^.!?\n]*\?(\s|$)/;
const PLAIN_FIX = /\b(fix(es|ed)?|avoid|handle|correct|account for|refactor)\b/i;
/** A revert named in the subject: someone decided a merged change was wrong. */
const REVERT_SUBJECT = /^\s*((re|fwd?)\s*:\s*)*(\[[^\]]*\]\s*)*(revert\b|"?revert ")/i;
/** Timing words: a change held back or rushed in relative to the release cycle. */
const TIMING = /\b(not for this (cycle|release|merge window)|too late for|(wait|hold( it)? off|defer) (for|until|to) (the )?next (cycle|merge window|release)|for the next (cycle|merge window)|before the merge window|during the merge window|this late in the cycle|late in the (cycle|rc)|for -?rc\d|(as a fix|fixes?) for \d\.\d+-rc|(now|still) in -?rc\d)/i;
/** A version in its release-candidate phase ("6.19-rc4", "v6.19-rc1"). */
const CURRENT_RC = /\bv?\d\.\d+-rc\d*\b/i;
/** A reply this long, in this many paragraphs, quoting what it answers, argues point by point. */
export const REBUTTAL_MIN_WORDS = 120;
/** A posted change of fewer +/- lines than this is small. */
export const SMALL_CHANGE_LINES = 80;
export const REBUTTAL_MIN_PARAGRAPHS = 4;
export const REBUTTAL_MIN_QUOTED_LINES = 8;
/** Files whose change alters what user space sees. */
const USER_ABI_FILE = /^(include\/uapi\/|Documentation\/ABI\/|Documentation\/userspace-api\/|arch\/[^/]+\/entry\/syscalls\/|scripts\/syscall)/;

export interface TopicFacts {
  features: RankFeatures;
  participants: Person[];
  /** Maintainers among the people who wrote substantive replies, most active first. */
  seniorDiscussants: Person[];
  discussants: Person[];
}

/**
 * Measures one group of threads. Every figure is about people and their own words: quoted
 * text and patches are left out, so a 60-patch repost counts as one posting, not 60 voices.
 */
export function measureGroup(group: ThreadGroup, index: WeekIndex, maintainers: Maintainers, title: string): TopicFacts {
  const all = group.threads.flatMap((t) => index.messagesOf(t));
  const human = all.filter((m) => !index.isNoise(m));
  const postings = human.filter(isPosting);
  const replies = human.filter((m) => !isPosting(m));
  // By person, not address: authors often answer their reviewers from another address.
  const authorKeys = new Set(postings.map((m) => personKey(m.from)));
  const isAuthor = (p: Person) => authorKeys.has(personKey(p));

  const people = new Map<string, { person: Person; messages: number; substantive: number }>();
  let tagOnlyReplies = 0;
  let objectionMessages = 0;
  let naks = 0;
  const decisions = new Set<string>();
  const policy = new Set<string>();
  const ownText: string[] = [];
  const rebutters = new Set<string>();
  const topRebutters = new Set<string>();
  let ownerPosted = false;
  let rebuttals = 0;
  let quoteDepth = 0;
  let userAbi = false;
  let timing = false;
  let pullPushback = false;
  let changedLines = 0;
  const speakers = new Map<string, Person>();
  const nakers = new Set<string>();
  const seniorObjectors = new Set<string>();
  const pullQuestioners = new Set<string>();
  let mainlineSpoke = false;
  for (const m of human) {
    // One person often writes from two addresses: count them once, by name when it is a full name.
    const who = personKey(m.from);
    const entry = people.get(who) ?? people.set(who, { person: m.from, messages: 0, substantive: 0 }).get(who)!;
    entry.messages++;
    const raw = index.body(m.messageId);
    // Read as the claim check reads words: "don’t" is "don't" to the patterns below.
    const body = { ...raw, own: foldForClaims(raw.own) };
    naks += body.naks;
    if (body.naks > 0) nakers.add(m.from.name || m.from.email);
    if (body.files.some((f) => USER_ABI_FILE.test(f))) userAbi = true;
    if (isPosting(m)) changedLines += (body.patch.match(/^[+-](?![+-]{2} )/gm) ?? []).length;
    const timed = TIMING.test(body.own);
    if (timed) timing = true;
    const rank = rankOf(maintainers, m.from);
    const owns = rank === 'mainline' || rank === 'tree owner';
    const words = countWords(body.own);
    if (isPosting(m)) {
      if (words >= SUBSTANTIVE_WORDS) speakers.set(who, m.from);
      if (owns) ownerPosted = true;
      if (pullsMainline(m.from) && words >= SUBSTANTIVE_WORDS) mainlineSpoke = true;
      if (/\b0+\/\d+\]|^\s*\[(RFC|ANNOUNCE)[^\]]*\]/i.test(m.subject) || !/\d+\/\d+\]/.test(m.subject)) ownText.push(body.own);
      continue;
    }
    const objects = OBJECTION.test(body.own);
    const asks = QUESTION.test(body.own);
    if (words >= SUBSTANTIVE_WORDS) {
      entry.substantive++;
      speakers.set(who, m.from);
    } else if (body.trailers.some((t) => t.kind === 'reviewed-by' || t.kind === 'acked-by' || t.kind === 'tested-by')) tagOnlyReplies++;
    // A NAK or an objection is a position however short: its author's rank counts ("NAK. Drivers have no business ...").
    if (body.naks > 0 || objects) speakers.set(who, m.from);
    // Heat in the authors' own words: a long answer that quotes and rebuts, paragraph by paragraph.
    const quotedLines = body.quoted.split('\n').filter((l) => /^\s*>/.test(l) && /\w/.test(l)).length;
    const paragraphs = body.own.split(/\n\s*\n/).filter((p) => countWords(p) >= 5).length;
    // Point by point under a patch (a posting with a diff) is a review of it, however long; under
    // someone's answer, an argument or a proposal without code, it is heat.
    const parent = m.inReplyTo ? index.byId.get(m.inReplyTo) : undefined;
    const reviewsCode = parent !== undefined && isPosting(parent) && index.body(parent.messageId).patch.trim() !== '';
    if (words >= REBUTTAL_MIN_WORDS && paragraphs >= REBUTTAL_MIN_PARAGRAPHS && quotedLines >= REBUTTAL_MIN_QUOTED_LINES && !reviewsCode) {
      rebuttals++;
      if (rank !== 'none') rebutters.add(who);
      if (owns) topRebutters.add(who);
    }
    quoteDepth = Math.max(quoteDepth, depthOfQuotes(body.quoted));
    if (/\[GIT PULL\]/i.test(m.subject) && !isAuthor(m.from)) {
      // Pushback on a pull: an objection, a NAK, or the timing questioned ("far too late in the cycle") by someone other than its sender.
      if (objects || body.naks > 0 || timed) pullPushback = true;
      // The person who pulls the tree asking about a pull ("Why is a cleanup in an -rc5 pull?") is news
      // by itself, however mildly put; a question from anyone else is a question.
      if (rank === 'mainline' && asks) {
        pullPushback = true;
        pullQuestioners.add(m.from.name || m.from.email);
      }
    }
    if (pullsMainline(m.from) && (words >= SUBSTANTIVE_WORDS || asks || objects)) mainlineSpoke = true;
    if (objects) {
      objectionMessages++;
      // Only those whose word carries: a tree owner or the person who pulls it.
      if (owns && !isAuthor(m.from)) seniorObjectors.add(m.from.name || m.from.email);
    }
    for (const [kind, re] of Object.entries(DECISION)) if (stated(body.own, re)) decisions.add(kind);
    ownText.push(body.own);
  }
  const subjects = [...new Set(group.threads.map((t) => t.subject))];
  // Pasted logs are the machine's words: a boot log's "Secure boot disabled" or a module's GPL taint is no matter anyone raised.
  const text = `${subjects.join('\n')}\n${ownText.join('\n').split('\n').filter((line) => !MACHINE_LINE.test(line)).join('\n')}`;
  // A regression or a security hole is news only when someone says there is one, not that there is none.
  for (const [label, re] of POLICY) if (label === 'regression' || label === 'security' ? stated(text, re) : re.test(text)) policy.add(label);
  if (!policy.has('regression') && mentionsPerformanceRegression(text)) policy.add('performance');
  const novelty = NOVELTY.filter(([, re]) => subjects.some((s) => re.test(s)) || re.test(ownText[0] ?? '')).map(([label]) => label);
  if (subjects.some((s) => /\[[^\]]*\bRFC\b/i.test(s))) novelty.push('RFC');
  const versions = versionNumbers(subjects);
  if (postings.length > 0 && versions.length > 0 && Math.min(...versions) === 1) novelty.push('first version');
  // Judged on the story's own subject: one routine reply subject does not make a debate routine.
  const routine = ROUTINE_SUBJECT.filter(([, re]) => re.test(title)).map(([label]) => label);
  const angles: string[] = [];
  // A revert posted as such, or one argued over; a maintainer quietly dropping a patch from a queue is not one.
  if (subjects.some((s) => REVERT_SUBJECT.test(s)) || (decisions.has('reverted') && (objectionMessages > 0 || rebuttals > 0))) angles.push('revert');
  if (naks > 0) angles.push('NAK');
  if (pullPushback) angles.push('pull request questioned');
  if (timing) angles.push('release timing');
  // A regression in the release being stabilised right now is more urgent than one in an old kernel.
  if (policy.has('regression') && CURRENT_RC.test(text)) angles.push('regression in the current -rc');
  // Two of the people who own trees, answering each other point by point.
  if (topRebutters.size >= 2) angles.push('tree owners argue');
  // A new interface or tool posted by the tree owner who will merge it.
  if (ownerPosted && (userAbi || novelty.includes('new subsystem or tool'))) angles.push("from the tree's owner");
  if (userAbi) novelty.push('user-visible ABI');
  const heated = objectionMessages > 0 || rebuttals > 0 || naks > 0;
  // A bug fix is everyday work unless it is a regression, a security hole, a policy matter, a revert
  // or an argument: a loud exchange under a "fix" subject is still an argument.
  if (policy.size === 0 && angles.length === 0 && !heated && PLAIN_FIX.test(title)) routine.push('bug fix');
  // However many people sign off or bikeshed, a few lines with nothing at stake are not a story.
  // Something is at stake when there is a policy matter, an angle, something new, two maintainers
  // arguing, a tree owner (or the person who pulls the tree) objecting to someone else's work, or
  // the person who pulls mainline writing in it at all.
  const atStake = policy.size > 0 || angles.length > 0 || novelty.some((n) => n !== 'first version') || rebutters.size >= 2 || seniorObjectors.size > 0 || mainlineSpoke;
  if (postings.length > 0 && changedLines > 0 && changedLines < SMALL_CHANGE_LINES && !atStake) routine.push('small change');

  const participants = [...people.values()].sort((a, b) => b.messages - a.messages);
  const discussants = participants.filter((p) => p.substantive > 0);
  const seniorDiscussants = discussants.filter((p) => isSenior(maintainers, p.person));
  const reviewers = discussants.filter((p) => !isAuthor(p.person));
  const ranked = [...speakers.values()].map((p) => ({ person: p, rank: rankOf(maintainers, p) }));
  const lists = new Set(all.flatMap((m) => m.lists));

  const features: RankFeatures = {
    threads: group.threads.length,
    messages: all.length,
    botMessages: all.length - human.length,
    postings: postings.length,
    replies: replies.length,
    substantiveReplies: discussants.reduce((n, p) => n + p.substantive, 0),
    tagOnlyReplies,
    participants: participants.length,
    discussants: discussants.length,
    reviewers: reviewers.length,
    seniorDiscussants: seniorDiscussants.map((p) => p.person.name),
    naks,
    objections: objectionMessages,
    rebuttals,
    rebutters: [...rebutters].length,
    quoteDepth,
    changedLines,
    gatekeepers: ranked.filter((r) => r.rank === 'mainline').map((r) => r.person.name),
    treeOwners: ranked.filter((r) => r.rank === 'tree owner').map((r) => r.person.name),
    angles,
    nakers: [...nakers],
    seniorObjectors: [...seniorObjectors],
    pullQuestioners: [...pullQuestioners],
    // The person who pulls mainline wrote in the thread (not only a tag or a thank-you).
    mainlinePuller: mainlineSpoke,
    longestExchange: longestExchange(replies, index),
    lists: lists.size,
    versions: versions.length ? Math.max(...versions) : 0,
    versionsInWeek: new Set(versions).size,
    novelty,
    policy: [...policy],
    decisions: [...decisions],
    routine,
    linkedBy: [...new Set(group.links)],
    ...(group.themes?.length ? { themes: group.themes } : {}),
    // A theme people took up in replies under other subjects: its phrase, and how many people, threads and lists.
    ...(group.replyThemes?.length ? { replyThemes: group.replyThemes.map((x) => x.phrase), themeReactors: Math.max(...group.replyThemes.map((x) => x.people)), themeReactionThreads: Math.max(...group.replyThemes.map((x) => x.threads)), themeReactionLists: Math.max(...group.replyThemes.map((x) => x.lists)) } : {}),
    ...(group.alsoInThemes?.length ? { alsoInThemes: group.alsoInThemes.map((x) => x.phrase) } : {}),
    atStake,
  };
  return {
    features,
    participants: participants.map((p) => p.person),
    seniorDiscussants: seniorDiscussants.map((p) => p.person),
    discussants: discussants.map((p) => p.person),
  };
}

/** How many times the quoted text nests (">>>" is 3): the rounds an exchange has gone, this week or before. */
function depthOfQuotes(quoted: string): number {
  let depth = 0;
  for (const line of quoted.split('\n')) {
    const marks = /^\s*((?:>\s?)+)/.exec(line);
    if (marks && /\w/.test(line.slice(marks[0].length))) depth = Math.max(depth, (marks[1].match(/>/g) ?? []).length);
  }
  return depth;
}

function countWords(text: string): number {
  return (text.match(/[A-Za-z]{2,}/g) ?? []).length;
}

function versionNumbers(subjects: string[]): number[] {
  const out: number[] = [];
  for (const s of subjects) {
    const tag = /\[([^\]]*(PATCH|RFC)[^\]]*)\]/i.exec(s);
    if (!tag) continue;
    out.push(Number(/\bv(\d+)\b/i.exec(tag[1])?.[1] ?? 1));
  }
  return out;
}

/**
 * The longest chain of replies that alternates between the same two people (A answers B answers
 * A ...): the shape of a real argument, as opposed to one reviewer going through patches.
 */
function longestExchange(replies: ParsedMessage[], index: WeekIndex): number {
  let best = 0;
  const chain = new Map<string, number>();
  const sorted = [...replies].sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  for (const m of sorted) {
    const parent = m.inReplyTo ? index.byId.get(m.inReplyTo) : undefined;
    if (!parent || parent.from.email === m.from.email) continue;
    const grand = parent.inReplyTo ? index.byId.get(parent.inReplyTo) : undefined;
    const length = grand && grand.from.email === m.from.email ? (chain.get(parent.messageId) ?? 1) + 1 : 1;
    chain.set(m.messageId, length);
    best = Math.max(best, length);
  }
  return best;
}
