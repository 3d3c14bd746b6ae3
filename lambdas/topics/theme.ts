import { eng } from 'stopword';
import { stemmer } from 'stemmer';
import type { ParsedMessage, Thread } from '../model.js';
import { cosine, MAX_TEXT_CHARS_PER_MESSAGE, tfidfVector, tokenize } from './text.js';
import { isPosting, type WeekIndex } from './week-index.js';

/**
 * A theme: one matter (a new tool, a new practice) that several threads of the week take up under
 * different subjects, by different people: "context analysis" in a review thread and in a
 * linux-next build warning. Found from phrases, not from people: the people who react to a new
 * practice on one list are often not those on another.
 */
export interface Theme {
  /** The shared phrase as written in one of the threads ("context analysis"). */
  phrase: string;
  threadIds: string[];
  /**
   * 'replies' when the theme was found in people's answers under unrelated subjects (reactions
   * to one practice or tool), with who reacted where; absent for a theme found in subjects.
   */
  from?: 'replies';
  /** For a theme from replies: the people who took it up, the threads they did it in, the lists. */
  reactions?: { people: number; threads: number; lists: number };
}

/**
 * A phrase in more of the week's threads than this is the week's common vocabulary ("page cache"),
 * not one matter. Counted over all threads, discussed or not.
 */
export const MAX_THEME_PHRASE_THREADS = 6;
/** Two threads alone make a theme only when the phrase is rarer still (in hardly any other thread). */
export const MAX_PAIR_PHRASE_THREADS = 4;
/** A thread takes part in a theme only with a discussion: this many people, other than bots. */
export const MIN_THEME_THREAD_PEOPLE = 2;
/** A theme never carries more threads than this (a bigger one would be a catch-all, not a story). */
export const MAX_THEME_THREADS = 6;

/**
 * Words that are kernel-process boilerplate or generic engineering vocabulary: a phrase made of
 * them ("build warning", "memory leak", "error path") names a kind of work, never one matter.
 * General kernel-process words, not this week's.
 */
const GENERIC_WORDS = new Set([
  // mail and process
  'patch', 'patches', 'patchset', 'series', 'version', 'rfc', 'resend', 'pull', 'request', 'tree', 'trees', 'merge', 'merged', 'merging',
  'branch', 'next', 'linux', 'kernel', 'mainline', 'stable', 'backport', 'review', 'reviewed', 'signed', 'acked', 'tested', 'reported',
  'suggested', 'developed', 'fixes', 'fix', 'fixed', 'fixing', 'link', 'closes', 'commit', 'commits', 'changelog', 'cover', 'letter',
  'thanks', 'regards', 'mailing', 'list', 'lists', 'maintainer', 'maintainers', 'subsystem', 'today', 'tomorrow', 'week', 'release',
  'cycle', 'window', 'queue', 'queued', 'applied', 'apply', 'upstream', 'downstream', 'update', 'updates', 'updated', 'cleanup', 'cleanups',
  'change', 'changes', 'changed', 'add', 'added', 'adds', 'adding', 'remove', 'removed', 'removes', 'removing', 'support', 'supports',
  'use', 'uses', 'using', 'used', 'make', 'makes', 'allow', 'allows', 'introduce', 'introduces', 'introduced', 'new', 'old', 'drop',
  'dropped', 'move', 'moves', 'rework', 'refactor', 'convert', 'improve', 'improvements', 'minor', 'small', 'simple', 'various',
  'missing', 'unused', 'possible', 'potential', 'correct', 'correctly', 'proper', 'properly', 'wrong', 'instead', 'also', 'first', 'second',
  // build and test
  'build', 'builds', 'built', 'warning', 'warnings', 'error', 'errors', 'failure', 'failures', 'failed', 'fails', 'fail', 'compile',
  'compiler', 'config', 'test', 'tests', 'testing', 'selftest', 'selftests', 'kselftest', 'result', 'results', 'run', 'running', 'boot',
  'htmldocs', 'allmodconfig', 'defconfig', 'documentation', 'docs', 'doc', 'comment', 'comments', 'typo', 'header', 'headers', 'file', 'files',
  'function', 'functions', 'code', 'driver', 'drivers', 'device', 'devices', 'module', 'modules', 'struct', 'structure', 'helper', 'helpers',
  // generic bug classes
  'memory', 'leak', 'leaks', 'null', 'pointer', 'dereference', 'race', 'condition', 'deadlock', 'overflow', 'underflow', 'bounds',
  'uninitialized', 'crash', 'panic', 'oops', 'bug', 'bugs', 'issue', 'issues', 'problem', 'problems', 'regression', 'regressions', 'path',
  'handling', 'check', 'checks', 'value', 'values', 'return', 'case', 'cases', 'data', 'size', 'type', 'types', 'flag', 'flags', 'state',
  // generic code vocabulary
  'declaration', 'declarations', 'definition', 'variable', 'variables', 'static', 'inline', 'macro', 'macros', 'const', 'zero', 'copy',
  'buffer', 'buffers', 'page', 'pages', 'cache', 'lock', 'locks', 'locking', 'mutex', 'interrupt', 'interrupts', 'callback', 'callbacks',
  'pointer', 'pointers', 'array', 'list', 'entry', 'entries', 'field', 'fields', 'member', 'parameter', 'parameters', 'argument', 'arguments',
]);

const GENERIC_STEMS = new Set([...GENERIC_WORDS].map((w) => stemmer(w)));

/** Words that say nothing whatever the context, besides English stop words. */
const FILLER = new Set([
  ...eng, 'hi', 'hello', 'ok', 'okay', 'yes', 'no', 'non', 'would', 'could', 'should', 'will', 'might', 'may', 'can', 'just', 'like', 'think',
  'get', 'got', 'one', 'two', 'via', 'etc', 'when', 'while', 'where', 'during', 'inside', 'outside', 'within', 'without', 'doing', 'done',
  'being', 'since', 'until', 'upon', 'onto', 'across', 'along', 'among', 'per', 'ever', 'never', 'always', 'already', 'even', 'yet', 'now',
  'instead', 'rather', 'whether', 'though', 'although', 'unless', 'because', 'happen', 'happens', 'happened', 'seems', 'seem', 'need', 'needs',
]);

/**
 * What patches do to things ("add", "fix", "drop"): a phrase with one of them ("add hook", "fix
 * regulator") says what kind of change a patch is, and recurs between unrelated patches.
 */
const ACTION_WORDS = new Set([
  'add', 'adds', 'fix', 'fixes', 'remove', 'drop', 'ensure', 'enable', 'disable', 'reduce', 'use', 'make', 'allow', 'introduce', 'move',
  'convert', 'improve', 'avoid', 'handle', 'set', 'clean', 'simplify', 'update', 'rework', 'refactor', 'support', 'prevent', 'check', 'return',
  'skip', 'let', 'switch', 'replace', 'rename', 'export', 'implement', 'extend', 'adjust', 'initialize', 'init', 'free', 'release', 'call',
  'pass', 'mark', 'reject', 'restore', 'report', 'stop', 'start', 'keep', 'split', 'factor', 'unify', 'document', 'describe', 'correct',
  'enforce', 'limit', 'bump', 'revert', 'apply', 'redundant', 'unnecessary', 'proper', 'explicit', 'explicitly', 'always', 'instead',
]);

/**
 * A piece of text in the phrases' words: lower case, split where a phrase cannot run on. A trailer's
 * name stays one word ("Assisted-by", "Co-developed-by", its colon dropped): people reacting to a new
 * tag write "the Assisted-by: tag".
 */
function chunksOf(text: string): string[][] {
  return text
    .toLowerCase()
    // paths, addresses, identifiers and version strings are no phrase words (identifiers have their own join)
    .replace(/\S*[/@_]\S*|\bv?\d+(\.\d+)*(-rc\d+)?\b|\S*\d\S*/g, ' | ')
    .replace(/\b([a-z]+(?:-[a-z]+)*-by):/g, '$1')
    .split(/[^a-z\s-]+|\s-\s|\n\s*\n/)
    .map((chunk) => chunk.split(/\s+|-(?![a-z]+-by\b|by\b)/).filter(Boolean));
}

/** Two-letter words written in capitals ("AI", "ML"): acronyms, which may name a matter ("AI review"). */
function acronymsIn(text: string): Set<string> {
  return new Set((text.match(/\b[A-Z]{2}\b/g) ?? []).map((w) => w.toLowerCase()));
}

/** Adjacent pairs of words that can name a matter, keyed by stems ("context analyses" = "context analysis"). */
export function phrasesIn(text: string, excluded: Set<string>): Map<string, string> {
  const phrases = new Map<string, string>();
  const acronyms = acronymsIn(text);
  const usable = (w: string) => (w.length >= 3 || acronyms.has(w)) && !FILLER.has(w) && !excluded.has(w);
  for (const words of chunksOf(text)) {
    for (let i = 0; i + 1 < words.length; i++) {
      const [a, b] = [words[i], words[i + 1]];
      if (!usable(a) || !usable(b) || ACTION_WORDS.has(a) || ACTION_WORDS.has(b)) continue;
      // "the mm-nonmm-unstable tree": a tree's name says where a patch goes, not what it is about.
      if (/^(tree|trees|branch|repo)$/.test(words[i + 2] ?? '')) continue;
      // One generic word may qualify a specific one ("context analysis"); two generic ones name a kind of work.
      if (GENERIC_WORDS.has(a) && GENERIC_WORDS.has(b)) continue;
      if (a === b) continue;
      const key = `${stemmer(a)} ${stemmer(b)}`;
      if (!phrases.has(key)) phrases.set(key, `${a} ${b}`);
    }
  }
  return phrases;
}

/** "Re: [PATCH v2 3/5] mm: slub: fix foo" -> "fix foo": the subject without tags and subsystem prefixes. */
function subjectPoint(subject: string): string {
  const s = subject.replace(/^\s*((re|fwd?|aw|sv)\s*:\s*|\[[^\]]*\]\s*)+/gi, '');
  return s.slice(s.lastIndexOf(': ') + 1).replace(/\(was:?[^)]*\)?/i, '');
}

/**
 * Names of the week's people (display-name parts and address local parts), list names and
 * subsystem prefixes: they recur across a person's or a subsystem's threads and would make
 * unrelated work look like one matter.
 */
export function namesOfTheWeek(messages: ParsedMessage[]): Set<string> {
  const names = new Set<string>();
  const add = (p: { name: string; email: string }) => {
    for (const part of p.name.toLowerCase().split(/[^a-z]+/)) if (part.length >= 2) names.add(part);
    for (const part of p.email.toLowerCase().split('@')[0].split(/[^a-z]+/)) if (part.length >= 2) names.add(part);
  };
  for (const m of messages) {
    // Subsystem prefixes ("power: sequencing: ...", "thermal/drivers: ..."): a subsystem is where work happens, not a matter.
    const tags = m.subject.replace(/^\s*((re|fwd?|aw|sv)\s*:\s*|\[[^\]]*\]\s*)+/gi, '');
    const prefix = tags.slice(0, Math.max(0, tags.lastIndexOf(': ')));
    // An identifier in a prefix ("mm/memcontrol,alloc_tag") stays whole: "tag" is no subsystem.
    for (const part of prefix.toLowerCase().split(/[^a-z0-9_]+/)) if (part.length >= 2) names.add(part);
    add(m.from);
    // Messages built by hand (tests, stored analyses) may lack the recipient lists.
    (m.to ?? []).forEach(add);
    (m.cc ?? []).forEach(add);
    for (const list of m.lists ?? []) for (const part of list.toLowerCase().split('@')[0].split(/[^a-z]+/)) if (part.length >= 2) names.add(part);
  }
  return names;
}

/** A commit named with its title, as in Fixes: tags and linux-next notices: `5e256db9325e ("kref: Add ...")`. */
const CITED_COMMIT_TITLE = /\b[0-9a-f]{12,40}\s*\(["“]([^"”\n]{8,200})["”]\)/g;

/**
 * The titles a thread carries: its subjects, and the titles of commits its opening message names
 * (a build report names the commit that broke the build: that commit's subject is what it is about).
 */
function citedTitlesOf(opening: string): string[] {
  return [...opening.matchAll(CITED_COMMIT_TITLE)].map((x) => subjectPoint(x[1]));
}

/**
 * The week's themes. A phrase of two words (neither a name, a list, an action word, nor both
 * generic) makes a theme of the threads that carry it when
 * - each thread is a discussion (MIN_THEME_THREAD_PEOPLE people), not a notice nobody answered;
 * - it is rare in the week: in the titles or opening messages of at most MAX_THEME_PHRASE_THREADS threads;
 * - two threads, when hardly any other thread has it (MAX_PAIR_PHRASE_THREADS): one is about it (its
 *   subject) and the other, a report rather than a patch, names a commit whose title has it (a build
 *   warning naming the commit that caused it: the fallout of a change reaches other people);
 * - three or more: two carry it in a subject, the others at least in their opening message, neither
 *   word is generic, and every thread shares a person with another one.
 * Each thread joins at most one theme: the one with the rarest phrase.
 */
export function findThemes(index: WeekIndex): Theme[] {
  const threads = index.analysis.threads;
  const excluded = namesOfTheWeek(index.analysis.messages);
  const humans = (t: Thread) => index.messagesOf(t).filter((m) => !index.isNoise(m));
  const inSubject = new Map<string, Set<string>>();
  const inCited = new Map<string, Set<string>>();
  const inOpening = new Map<string, Set<string>>();
  const written = new Map<string, string>();
  const people = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string, id: string) => (map.get(key) ?? map.set(key, new Set()).get(key)!).add(id);
  for (const t of threads) {
    const ms = humans(t);
    people.set(t.id, new Set(ms.map((m) => m.from.email)));
    const opening = ms[0] ? index.body(ms[0].messageId).own.slice(0, MAX_TEXT_CHARS_PER_MESSAGE) : '';
    for (const subject of new Set(ms.map((m) => subjectPoint(m.subject)))) {
      for (const [key, text] of phrasesIn(subject, excluded)) {
        add(inSubject, key, t.id);
        if (!written.has(key)) written.set(key, text);
      }
    }
    // Only a report names a commit as its cause; a patch naming one (a revert, a Fixes: tag) is work of its own.
    if (ms[0] && !isPosting(ms[0])) for (const title of citedTitlesOf(opening)) for (const key of phrasesIn(title, excluded).keys()) add(inCited, key, t.id);
    for (const key of phrasesIn(opening, excluded).keys()) add(inOpening, key, t.id);
  }

  const candidates: { key: string; threads: string[]; weekCount: number }[] = [];
  for (const [key, subjectThreads] of inSubject) {
    const cited = inCited.get(key) ?? new Set<string>();
    const carriers = new Set([...subjectThreads, ...cited, ...(inOpening.get(key) ?? [])]);
    if (carriers.size > MAX_THEME_PHRASE_THREADS) continue;
    const discussed = [...carriers].filter((id) => (people.get(id)?.size ?? 0) >= MIN_THEME_THREAD_PEOPLE);
    if (discussed.length < 2 || discussed.length > MAX_THEME_THREADS) continue;
    if (!discussed.some((id) => subjectThreads.has(id))) continue;
    const shares = (id: string) => discussed.some((other) => other !== id && [...people.get(id)!].some((p) => people.get(other)!.has(p)));
    const generic = key.split(' ').some((w) => GENERIC_STEMS.has(w));
    if (discussed.length === 2) {
      // A pair is one matter when one thread is about it and the other reports on a commit of it
      // (the fallout of a change reaches other people). Two subjects sharing a phrase are not
      // enough, even among the same people: a revert and the next fix of one feature are two stories.
      const [a, b] = discussed;
      const fallout = (subjectThreads.has(a) && cited.has(b)) || (subjectThreads.has(b) && cited.has(a));
      if (carriers.size > MAX_PAIR_PHRASE_THREADS || !fallout) continue;
    } else if ([...subjectThreads].filter((id) => discussed.includes(id)).length < 2 || !discussed.every(shares) || generic) continue;
    candidates.push({ key, threads: discussed, weekCount: carriers.size });
  }
  // Rarest phrase first; a thread belongs to one theme.
  candidates.sort((a, b) => a.weekCount - b.weekCount || b.threads.length - a.threads.length || a.key.localeCompare(b.key));
  const taken = new Set<string>();
  const themes: Theme[] = [];
  for (const c of candidates) {
    if (c.threads.some((id) => taken.has(id))) continue;
    c.threads.forEach((id) => taken.add(id));
    themes.push({ phrase: written.get(c.key)!, threadIds: c.threads });
  }
  return themes;
}

/** A phrase in the own words of more of the week's threads than this is common talk, not one matter. */
export const MAX_REPLY_THEME_PHRASE_THREADS = 8;
/** Reactions in at least this many threads whose patches are about something else make a theme... */
export const MIN_REPLY_THEME_THREADS = 3;
/** ...from at least this many people (or two people on two lists or more). */
export const MIN_REPLY_THEME_PEOPLE = 3;
/**
 * A reaction echoes another when its paragraph, the phrase's own words left out, is this alike
 * (TF-IDF cosine) to a paragraph another person wrote in another thread: people taking up one matter
 * use its words ("the AI review flagged a false positive"); an idiom ("side effect", "years ago")
 * recurs in paragraphs about unrelated things (measured on the shared week: 0.01-0.10).
 */
export const REPLY_ECHO_MIN = 0.15;
/** Paragraphs this alike are one text pasted twice (a report template, a re-sent cover letter), not two reactions. */
export const REPLY_COPY_MIN = 0.9;
/** The thread about the practice itself (its subject carries the phrase) joins the reactions when there are at most this many. */
export const MAX_REPLY_THEME_ORIGINS = 2;

/**
 * A pasted log, oops or register dump ("RBX: ffffffffffffffda", "[  12.345678] ..."): the machine's
 * words, alike wherever they are pasted, not anyone's reaction.
 */
const PASTED_LOG = /\b[0-9a-f]{12,}\b|^\s*\[\s*\d+\.\d+\]|\b(RIP|RSP|RAX|RBX|Call Trace|Code):/im;

interface Reaction {
  threadId: string;
  person: string;
  lists: string[];
  vector: Map<string, number>;
}

/**
 * Themes found in replies: one matter (a new practice, tool, tag or policy) that people take up in
 * their own words while answering patches about other things, on several lists. A phrase of two
 * words (phrasesIn's filters: no names, lists, action words, two generic words) makes one when
 * - it is rare in the week (own words and subjects of at most MAX_REPLY_THEME_PHRASE_THREADS threads);
 * - it is in replies of MIN_REPLY_THEME_THREADS threads or more whose patches are not about it:
 *   not in their postings' words, neither of its words in their subjects;
 * - the replies echo each other: each such thread's paragraph is alike (REPLY_ECHO_MIN) to one
 *   another person wrote in another thread, without being a copy of it;
 * - the echoing reactions come from MIN_REPLY_THEME_PEOPLE people, or two on two lists or more.
 * The thread about the matter (the phrase in its subject), when there is one or two, joins too.
 * Quoted text, bots and one person's form reply sent to several threads are nobody's reaction.
 * `df`/`documents`: the week's thread-level document frequencies, for the paragraphs' vectors.
 */
export function findReplyThemes(index: WeekIndex, df: Map<string, number>, documents: number, formReplies: Set<string>): Theme[] {
  const excluded = namesOfTheWeek(index.analysis.messages);
  const anywhere = new Map<string, Set<string>>();
  const inPostings = new Map<string, Set<string>>();
  const inSubjects = new Map<string, Set<string>>();
  const subjectWords = new Map<string, Set<string>>();
  const reactions = new Map<string, Array<Reaction & { paragraph: string }>>();
  const written = new Map<string, string>();
  const add = (map: Map<string, Set<string>>, key: string, id: string) => (map.get(key) ?? map.set(key, new Set()).get(key)!).add(id);
  for (const t of index.analysis.threads) {
    const words = new Set<string>();
    for (const m of index.messagesOf(t)) {
      if (index.isNoise(m)) continue;
      for (const w of subjectPoint(m.subject).toLowerCase().match(/[a-z]+/g) ?? []) words.add(stemmer(w));
      for (const key of phrasesIn(subjectPoint(m.subject), excluded).keys()) {
        add(inSubjects, key, t.id);
        add(anywhere, key, t.id);
      }
      const own = index.body(m.messageId).own.slice(0, MAX_TEXT_CHARS_PER_MESSAGE);
      // A posting, or a thread's opening report ("I found the following issue"), says what the thread is about: only answers react.
      if (isPosting(m) || m.messageId === t.rootMessageId || !m.inReplyTo) {
        for (const key of phrasesIn(own, excluded).keys()) {
          add(inPostings, key, t.id);
          add(anywhere, key, t.id);
        }
        continue;
      }
      for (const paragraph of own.split(/\n\s*\n/)) {
        if (PASTED_LOG.test(paragraph)) continue;
        for (const [key, text] of phrasesIn(paragraph, excluded)) {
          add(anywhere, key, t.id);
          if (formReplies.has(m.messageId)) continue;
          // As written: "LLM review", not "llm review".
          if (!written.has(key)) written.set(key, asWritten(paragraph, text));
          const list = reactions.get(key) ?? reactions.set(key, []).get(key)!;
          list.push({ threadId: t.id, person: m.from.email.toLowerCase(), lists: m.lists ?? [], vector: new Map(), paragraph });
        }
      }
    }
    subjectWords.set(t.id, words);
  }

  const themes: (Theme & { rarity: number })[] = [];
  for (const [key, all] of reactions) {
    const weekCount = anywhere.get(key)?.size ?? 0;
    if (weekCount > MAX_REPLY_THEME_PHRASE_THREADS) continue;
    const stems = key.split(' ');
    // Reactions under patches about something else: the phrase is not what the thread's patches say.
    const aside = all.filter((r) => !inPostings.get(key)?.has(r.threadId) && !stems.some((w) => subjectWords.get(r.threadId)?.has(w)));
    if (new Set(aside.map((r) => r.threadId)).size < MIN_REPLY_THEME_THREADS) continue;
    for (const r of aside) r.vector = tfidfVector(tokenize(r.paragraph).filter((w) => !stems.includes(w)), df, documents);
    const echoes = aside.filter((r) => aside.some((o) => o.threadId !== r.threadId && o.person !== r.person && alike(r.vector, o.vector)));
    const threads = new Set(echoes.map((r) => r.threadId));
    const people = new Set(echoes.map((r) => r.person));
    const lists = new Set(echoes.flatMap((r) => r.lists));
    if (threads.size < MIN_REPLY_THEME_THREADS) continue;
    if (people.size < MIN_REPLY_THEME_PEOPLE && !(people.size >= 2 && lists.size >= 2)) continue;
    if (threads.size > MAX_THEME_THREADS) continue;
    const origins = [...(inSubjects.get(key) ?? [])].filter((id) => !threads.has(id));
    const threadIds = [...threads, ...(origins.length <= MAX_REPLY_THEME_ORIGINS ? origins : [])];
    themes.push({ phrase: written.get(key)!, threadIds, from: 'replies', reactions: { people: people.size, threads: threads.size, lists: lists.size }, rarity: weekCount });
  }
  // The phrase most reactions share first ("LLM review" over "bot comments" said in fewer of them),
  // then the rarest; a thread takes part in one theme.
  themes.sort((a, b) => (b.reactions?.threads ?? 0) - (a.reactions?.threads ?? 0) || (b.reactions?.people ?? 0) - (a.reactions?.people ?? 0) || a.rarity - b.rarity || b.threadIds.length - a.threadIds.length || a.phrase.localeCompare(b.phrase));
  const taken = new Set<string>();
  const kept: Theme[] = [];
  for (const { rarity: _rarity, ...theme } of themes) {
    if (theme.threadIds.some((id) => taken.has(id))) continue;
    theme.threadIds.forEach((id) => taken.add(id));
    kept.push(theme);
  }
  return kept;
}

function asWritten(paragraph: string, phrase: string): string {
  const [a, b] = phrase.split(' ');
  // A trailer's name may be written with its colon: "the Assisted-by: tag".
  return new RegExp(`\\b${a}:?[\\s-]+${b}\\b`, 'i').exec(paragraph)?.[0].replace(/\s+/g, ' ') ?? phrase;
}

function alike(a: Map<string, number>, b: Map<string, number>): boolean {
  const c = cosine(a, b);
  return c >= REPLY_ECHO_MIN && c < REPLY_COPY_MIN;
}
