import type { Thread } from '../model.js';
import type { ParsedMessage } from '../model.js';
import { cosine, documentFrequencies, MAX_TEXT_CHARS_PER_MESSAGE, normalizeSubject, tfidfVector, tokenize } from './text.js';
import { findReplyThemes, findThemes, type Theme } from './theme.js';
import { isPosting, type WeekIndex } from './week-index.js';

/** A reference (commit id, CVE, bug, subject) shared by more threads than this is a common cause, not one story. */
export const MAX_REFERENCE_FANOUT = 4;
/** Subjects shorter than this ("fix", "v2") are too generic to join threads on. */
export const MIN_SUBJECT_CHARS = 12;
/**
 * Subjects written from a template, the same for unrelated problems: linux-next's build and merge
 * notices ("linux-next: build warning after merge of the tip tree" is sent for every new warning).
 */
const TEMPLATE_SUBJECT = /^linux-next: (build (failure|warning)s?|manual merge|duplicate patch|tree for|runtime warning)/i;
const PULL_REQUEST = /\[GIT PULL/i;
/** Fuzzy links (text similarity, shared references) never grow a topic past this many threads. */
export const MAX_FUZZY_TOPIC_THREADS = 8;
/** Cosine similarity of two threads' own words (TF-IDF) needed to call them one subject... */
export const TEXT_SIMILARITY_MIN = 0.5;
/** ...together with this share (Jaccard) of their human participants. */
export const PARTICIPANT_OVERLAP_MIN = 0.3;

/** Threads that reply into the same message missing from the archive are one thread cut apart; up to this many. */
export const MAX_SHARED_ANCESTOR_THREADS = 40;

/** A message naming this many different postings is a list (work in flight, a changelog), not a pointer to one story. */
export const MAX_POSTINGS_NAMED_BY_ONE_MESSAGE = 2;
/**
 * Two patches naming the same commit in Fixes: are one story only when the patches themselves are
 * about one thing (this cosine of their own words): a feature commit collects unrelated fixes over
 * the releases. A report naming the commit (not a patch) joins the fix without this bar.
 */
export const SAME_FIX_SIMILARITY_MIN = 0.2;
/** An identifier (hook, function, flag) joins two threads only when this few threads name it (in subjects, and in their own words). */
export const MAX_IDENTIFIER_THREADS = 3;

export type LinkKind = 'series' | 'was' | 'thread' | 'reference' | 'subject' | 'similar' | 'named' | 'theme';

export interface ThreadGroup {
  threads: Thread[];
  /** How the threads were joined, one entry per join. */
  links: LinkKind[];
  /** Ids of the series whose versions are in this group. */
  seriesIds: string[];
  /** Themes (shared phrases) that joined threads of this group otherwise apart ("context analysis"). */
  themes?: string[];
  /** Of those, the themes found in replies under unrelated subjects, with who took them up and where. */
  replyThemes?: Array<{ phrase: string; people: number; threads: number; lists: number }>;
  /** Themes from replies that one of this group's threads takes part in, though the group stays a story of its own. */
  alsoInThemes?: Array<{ phrase: string; people: number; threads: number; lists: number }>;
}

class UnionFind {
  private parent = new Map<string, string>();
  private size = new Map<string, number>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    for (let y = x; y !== root; ) {
      const next = this.parent.get(y)!;
      this.parent.set(y, root);
      y = next;
    }
    return root;
  }
  sizeOf(x: string): number {
    return this.size.get(this.find(x)) ?? 1;
  }
  union(a: string, b: string): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    // Sizes read before the link: once ra points at rb, sizeOf(ra) would read rb's size.
    const joined = this.sizeOf(ra) + this.sizeOf(rb);
    this.parent.set(ra, rb);
    this.size.set(rb, joined);
    return true;
  }
}

const LORE_LINK = /lore\.kernel\.org\/(?:[\w.-]+\/)?([^\s/<>"]+@[^\s/<>"]+?)(?=[/\s>")\]]|$)/g;
const CVE = /\bCVE-\d{4}-\d{4,}\b/g;
const COMMIT_WITH_TITLE = /\b([0-9a-f]{12,40})\s*\(["“]/g;
const BUG = /bugzilla\.kernel\.org\/show_bug\.cgi\?id=(\d+)|^\[Bug (\d+)\]/g;

/**
 * The things a message points at that another thread can point at too: message ids (lore links),
 * CVEs, commits named with their title ("abcdef123456 ("foo: bar")", as in Fixes: tags), bugs.
 * Only the author's own words, subject and trailers are read: quoted text belongs to someone else.
 */
export function referencesOf(index: WeekIndex, messageId: string): string[] {
  const m = index.byId.get(messageId);
  if (!m) return [];
  const body = index.body(messageId);
  const text = [m.subject, body.own.slice(0, MAX_TEXT_CHARS_PER_MESSAGE), ...body.trailers.filter((t) => t.kind === 'fixes' || t.kind === 'link' || t.kind === 'closes').map((t) => t.value)].join('\n');
  const refs = new Set<string>();
  for (const x of text.matchAll(LORE_LINK)) refs.add(`msg:${decodeURIComponent(x[1])}`);
  for (const x of text.matchAll(CVE)) refs.add(`cve:${x[0].toUpperCase()}`);
  for (const x of text.matchAll(COMMIT_WITH_TITLE)) refs.add(`commit:${x[1].slice(0, 12)}`);
  for (const x of text.matchAll(BUG)) refs.add(`bug:${x[1] ?? x[2]}`);
  for (const t of body.trailers) if (t.kind === 'fixes') {
    const id = /^[0-9a-f]{12,40}/i.exec(t.value.trim());
    if (id) refs.add(`commit:${id[0].slice(0, 12).toLowerCase()}`);
  }
  return [...refs];
}

/**
 * Groups the week's threads into stories.
 * 1. every version of a series is one story (the threads stage links versions);
 * 2. a "(was: ...)" offshoot joins the thread it split from;
 * 3. threads that reply into the same missing message are one; threads that name the same message (lore link), commit, CVE or bug join, unless many do
 *    (two patches fixing one commit join only when alike); a thread named in another by the same people joins it
 *    (its subject is a patch of the other's series, or the hook or function it is about is the subject of one of the other's patches);
 * 4. threads with the same subject (cross-list copies, resends) join, unless many do;
 * 5. threads whose authors' own words are alike (TF-IDF cosine) and whose people overlap join;
 * 6. threads that take up one theme (a rare phrase in their subjects, or in several people's replies
 *    under unrelated subjects, see theme.ts) join.
 * Steps 3-6 never build a group larger than MAX_FUZZY_TOPIC_THREADS: a catch-all topic would
 * swallow several stories and tell none.
 */
export function groupThreads(index: WeekIndex): ThreadGroup[] {
  const threads = index.analysis.threads;
  const uf = new UnionFind();
  const links = new Map<string, LinkKind[]>();
  const note = (a: string, b: string, kind: LinkKind, fuzzy: boolean) => {
    if (fuzzy && uf.sizeOf(a) + uf.sizeOf(b) > MAX_FUZZY_TOPIC_THREADS) return;
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (!uf.union(a, b)) return;
    const merged = [...(links.get(ra) ?? []), ...(links.get(rb) ?? []), kind];
    links.delete(ra);
    links.delete(rb);
    links.set(uf.find(a), merged);
  };

  const seriesOfThread = new Map<string, Set<string>>();
  for (const series of index.analysis.series) {
    let first: string | undefined;
    for (const version of series.versions) {
      for (const id of [version.coverMessageId, ...version.messageIds]) {
        const thread = id ? index.threadOfMessage.get(id) : undefined;
        if (!thread) continue;
        (seriesOfThread.get(thread.id) ?? seriesOfThread.set(thread.id, new Set()).get(thread.id)!).add(series.id);
        if (first === undefined) first = thread.id;
        else note(first, thread.id, 'series', false);
      }
    }
  }
  for (const t of threads) if (t.parentThreadId && index.threadById.has(t.parentThreadId)) note(t.id, t.parentThreadId, 'was', false);

  // 3a. replies into the same message that is not in the archive (a cover letter sent only to LKML)
  const threadsByAncestor = new Map<string, Set<string>>();
  for (const t of threads) {
    for (const m of index.messagesOf(t)) {
      for (const ref of [...m.references, ...(m.inReplyTo ? [m.inReplyTo] : [])]) {
        if (index.byId.has(ref)) continue;
        // Replies to different patches of one posting (cover and patches all missing) are one thread too.
        const key = postingOf(ref);
        (threadsByAncestor.get(key) ?? threadsByAncestor.set(key, new Set()).get(key)!).add(t.id);
      }
    }
  }
  for (const set of threadsByAncestor.values()) {
    if (set.size < 2 || set.size > MAX_SHARED_ANCESTOR_THREADS) continue;
    const [first, ...rest] = set;
    for (const other of rest) note(first, other, 'thread', false);
  }

  // The threads' words and people, for the joins below that need more than a shared pointer.
  const humans = (t: Thread) => index.messagesOf(t).filter((m) => !index.isNoise(m));
  const people = threads.map((t) => new Set(humans(t).map((m) => m.from.email)));
  const formReplies = formRepliesOf(index);
  const textOf = (m: ParsedMessage) => `${normalizeSubject(m.subject)}\n${formReplies.has(m.messageId) ? '' : index.body(m.messageId).own.slice(0, MAX_TEXT_CHARS_PER_MESSAGE)}`;
  const docs = threads.map((t) => tokenize(humans(t).map(textOf).join('\n')));
  const df = documentFrequencies(docs);
  const vectors = docs.map((doc) => tfidfVector(doc, df, docs.length));
  const threadIndex = new Map(threads.map((t, i) => [t.id, i]));
  const shareAPerson = (i: number, j: number) => [...people[i]].some((p) => people[j].has(p));
  // A thread about a patch or series (its cover letter may be missing: a reply is then its root).
  const aboutPatches = (t: Thread) => /\[[^\]]*\b(PATCH|RFC|PATCHSET)\b[^\]]*\]/i.test(t.subject);

  // 3b. shared references
  const threadsByRef = new Map<string, Set<string>>();
  // commit -> thread -> the messages naming it, for the fix-to-fix check
  const carriersOfCommit = new Map<string, Map<string, ParsedMessage[]>>();
  for (const t of threads) {
    for (const id of t.messageIds) {
      let refs = referencesOf(index, id);
      // A message pointing at many postings lists work in flight (or a changelog): none of them is its story.
      const postings = new Set(refs.filter((r) => r.startsWith('msg:')).map((r) => postingOf(r.slice(4))));
      if (postings.size > MAX_POSTINGS_NAMED_BY_ONE_MESSAGE) refs = refs.filter((r) => !r.startsWith('msg:'));
      // A reply under one patch series pointing at another series ("see the discussion at ...") is a
      // citation, not one story: two pieces of work stay two. A posting's own pointer (the work it
      // builds on, the review that prompted it) and a pointer to or from a report still join.
      if (aboutPatches(t) && !isPosting(index.byId.get(id)!)) {
        refs = refs.filter((r) => {
          if (!r.startsWith('msg:')) return true;
          const target = index.threadOfMessage.get(r.slice(4));
          return target !== undefined && (target.id === t.id || !aboutPatches(target));
        });
      }
      for (const ref of refs) {
        const set = threadsByRef.get(ref) ?? threadsByRef.set(ref, new Set()).get(ref)!;
        set.add(t.id);
        if (ref.startsWith('msg:')) {
          const target = index.threadOfMessage.get(ref.slice(4));
          if (target) set.add(target.id);
        }
        if (ref.startsWith('commit:')) {
          const byThread = carriersOfCommit.get(ref) ?? carriersOfCommit.set(ref, new Map()).get(ref)!;
          (byThread.get(t.id) ?? byThread.set(t.id, []).get(t.id)!).push(index.byId.get(id)!);
        }
      }
    }
  }
  const messageVector = (m: ParsedMessage) => tfidfVector(tokenize(`${normalizeSubject(m.subject)}\n${index.body(m.messageId).own.slice(0, MAX_TEXT_CHARS_PER_MESSAGE)}`), df, docs.length);
  for (const [ref, set] of threadsByRef) {
    const carriers = carriersOfCommit.get(ref);
    if (!carriers) {
      joinAll(set, 'reference');
      continue;
    }
    if (set.size < 2 || set.size > MAX_REFERENCE_FANOUT) continue;
    // Two patches fixing one commit: one story only when the patches are about one thing.
    const ids = [...set];
    const fixesOnly = (id: string) => (carriers.get(id) ?? []).every(isPosting);
    for (let x = 0; x < ids.length; x++) {
      for (let y = x + 1; y < ids.length; y++) {
        const [a, b] = [ids[x], ids[y]];
        const alike = () => (carriers.get(a) ?? []).some((ma) => (carriers.get(b) ?? []).some((mb) => cosine(messageVector(ma), messageVector(mb)) >= SAME_FIX_SIMILARITY_MIN));
        if (!fixesOnly(a) || !fixesOnly(b) || alike()) note(a, b, 'reference', true);
      }
    }
  }

  // 3c. one thread named in another, among the same people: its subject is a patch of the other's
  // series (the infrastructure patch a series carries along), or the hook/function/flag its subject
  // is about is what one of the other's patches is about too, and hardly anything else this week.
  const threadsBySubjectWithin = new Map<string, Set<string>>();
  const threadsByIdentifier = new Map<string, Set<string>>();
  for (const t of threads) {
    for (const m of humans(t)) {
      const subject = normalizeSubject(m.subject);
      (threadsBySubjectWithin.get(subject) ?? threadsBySubjectWithin.set(subject, new Set()).get(subject)!).add(t.id);
      // Subjects only: a cover letter's prose names what the work touches (a flag, a struct), a subject what it is about.
      if (PULL_REQUEST.test(m.subject)) continue;
      for (const identifier of identifiersIn(subjectPoint(m.subject))) (threadsByIdentifier.get(identifier) ?? threadsByIdentifier.set(identifier, new Set()).get(identifier)!).add(t.id);
    }
  }
  for (const t of threads) {
    const i = threadIndex.get(t.id)!;
    const subject = normalizeSubject(t.subject);
    const namers = new Set<string>();
    if (subject.length >= MIN_SUBJECT_CHARS && !TEMPLATE_SUBJECT.test(subject)) {
      const holders = threadsBySubjectWithin.get(subject);
      if (holders && holders.size <= MAX_REFERENCE_FANOUT) holders.forEach((id) => namers.add(id));
    }
    for (const identifier of identifiersIn(subjectPoint(t.subject))) {
      const holders = threadsByIdentifier.get(identifier);
      // Rare in the whole week's own words too: a struct every patch of a subsystem touches is not a story's name.
      if (holders && Math.max(holders.size, df.get(identifier) ?? 0) <= MAX_IDENTIFIER_THREADS) holders.forEach((id) => namers.add(id));
    }
    for (const other of namers) if (other !== t.id && shareAPerson(i, threadIndex.get(other)!)) note(t.id, other, 'named', true);
  }

  // 4. same subject
  const threadsBySubject = new Map<string, Set<string>>();
  for (const t of threads) {
    const subject = normalizeSubject(t.subject);
    if (subject.length < MIN_SUBJECT_CHARS || TEMPLATE_SUBJECT.test(subject)) continue;
    (threadsBySubject.get(subject) ?? threadsBySubject.set(subject, new Set()).get(subject)!).add(t.id);
  }
  for (const set of threadsBySubject.values()) joinAll(set, 'subject');

  // 5. alike in words and people; only pairs that share a person are compared
  const threadsOfPerson = new Map<string, number[]>();
  people.forEach((set, i) => set.forEach((p) => (threadsOfPerson.get(p) ?? threadsOfPerson.set(p, []).get(p)!).push(i)));
  const compared = new Set<number>();
  for (const list of threadsOfPerson.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const [i, j] = [list[x], list[y]];
        const key = i * threads.length + j;
        if (compared.has(key)) continue;
        compared.add(key);
        if (jaccard(people[i], people[j]) < PARTICIPANT_OVERLAP_MIN) continue;
        if (cosine(vectors[i], vectors[j]) >= TEXT_SIMILARITY_MIN) note(threads[i].id, threads[j].id, 'similar', true);
      }
    }
  }

  // 6. one theme across threads: only when the theme joins groups still apart does it say anything
  const themeOfRoot = new Map<string, Theme[]>();
  // A theme from replies gathers the threads that are stories of nothing else: a reaction posted
  // under a patch that is part of a larger story stays in that story, which names the theme instead.
  const attachedThemes = new Map<string, Theme>();
  const replyThemes = findReplyThemes(index, df, docs.length, formReplies).map((theme) => {
    const alone = theme.threadIds.filter((id) => uf.sizeOf(id) === 1);
    // One lone thread is no gathering: then every thread just names the theme.
    const lone = alone.length >= 2 ? alone : [];
    for (const id of theme.threadIds) if (!lone.includes(id)) attachedThemes.set(id, theme);
    return { ...theme, threadIds: lone };
  });
  for (const theme of [...findThemes(index), ...replyThemes]) {
    const [first, ...rest] = theme.threadIds;
    if (!first) continue;
    let joined = false;
    for (const other of rest) {
      if (uf.find(first) === uf.find(other)) continue;
      note(first, other, 'theme', true);
      if (uf.find(first) === uf.find(other)) joined = true;
    }
    if (joined) {
      const root = uf.find(first);
      themeOfRoot.set(root, [...(themeOfRoot.get(root) ?? []), theme]);
    }
  }

  function joinAll(set: Set<string>, kind: LinkKind) {
    if (set.size < 2 || set.size > MAX_REFERENCE_FANOUT) return;
    const [first, ...rest] = set;
    for (const other of rest) note(first, other, kind, true);
  }

  const groups = new Map<string, ThreadGroup>();
  for (const t of threads) {
    const root = uf.find(t.id);
    const found = [...themeOfRoot].filter(([r]) => uf.find(r) === root).flatMap(([, list]) => list);
    const themes = [...new Set(found.map((x) => x.phrase))];
    const replyThemesHere = found.filter((x) => x.from === 'replies' && x.reactions).map((x) => ({ phrase: x.phrase, ...x.reactions! }));
    const group = groups.get(root) ?? groups.set(root, { threads: [], links: links.get(root) ?? [], seriesIds: [], ...(themes.length ? { themes } : {}), ...(replyThemesHere.length ? { replyThemes: replyThemesHere } : {}) }).get(root)!;
    group.threads.push(t);
    const attached = attachedThemes.get(t.id);
    if (attached?.reactions && !group.alsoInThemes?.some((x) => x.phrase === attached.phrase)) group.alsoInThemes = [...(group.alsoInThemes ?? []), { phrase: attached.phrase, ...attached.reactions }];
    for (const s of seriesOfThread.get(t.id) ?? []) if (!group.seriesIds.includes(s)) group.seriesIds.push(s);
  }
  return [...groups.values()];
}

/**
 * The posting a message id belongs to, when the id says: git send-email numbers the messages of one
 * send "<date>.<pid>-<n>-<sender>", b4 "<date>-<topic>-v<k>-<n>-<hash>@<host>". Any other id stands alone.
 */
export function postingOf(messageId: string): string {
  const sendEmail = /^(\d{14}\.\d+)-\d+-(.+@.+)$/.exec(messageId);
  if (sendEmail) return `${sendEmail[1]}-*-${sendEmail[2]}`;
  const b4 = /^(\d{8}-.+-v\d+)-\d+-([0-9a-f]{6,}@.+)$/.exec(messageId);
  if (b4) return `${b4[1]}-*-${b4[2]}`;
  return messageId;
}

/**
 * Replies one person sends word for word in several threads ("Applied as 6.20 material, thanks!"):
 * they say nothing about what a thread is about, so they must not make two threads look alike.
 */
function formRepliesOf(index: WeekIndex): Set<string> {
  const threadsOfText = new Map<string, { threads: Set<string>; ids: string[] }>();
  for (const m of index.analysis.messages) {
    const own = index.body(m.messageId).own.replace(/\s+/g, ' ').trim().toLowerCase();
    if (!own) continue;
    const key = `${m.from.email}\n${own}`;
    const entry = threadsOfText.get(key) ?? threadsOfText.set(key, { threads: new Set(), ids: [] }).get(key)!;
    entry.threads.add(index.threadOfMessage.get(m.messageId)?.id ?? m.messageId);
    entry.ids.push(m.messageId);
  }
  const ids = new Set<string>();
  for (const entry of threadsOfText.values()) if (entry.threads.size > 1) entry.ids.forEach((id) => ids.add(id));
  return ids;
}

/** "lsm: Add hook unix_path_connect" -> "Add hook unix_path_connect": the subject without its subsystem prefixes. */
export function subjectPoint(subject: string): string {
  const s = subject.replace(/^\s*((re|fwd?|aw|sv)\s*:\s*|\[[^\]]*\]\s*)+/gi, '');
  return s.slice(s.lastIndexOf(': ') + 1);
}

/**
 * Kernel identifiers a subject can be about: names with an underscore (unix_path_connect,
 * UBLK_F_INTEGRITY), at least 8 characters so that short prefixes (io_uring is a subsystem) rarely count.
 */
export function identifiersIn(text: string): Set<string> {
  return new Set((text.match(/\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*[A-Za-z0-9]\b/g) ?? []).filter((w) => w.length >= 8).map((w) => w.toLowerCase()));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  const all = a.size + b.size - shared;
  return all === 0 ? 0 : shared / all;
}
