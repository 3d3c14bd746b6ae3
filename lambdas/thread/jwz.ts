import type { ParsedMessage, Thread } from '../model.js';
import { collapseWhitespace } from '../mail/text.js';

/** References chains longer than this are cut (oldest dropped): real threads never come close. */
export const MAX_REFERENCES = 256;

/**
 * A Message-ID seen, as a message or only referenced. Children are not kept: nothing walks down a
 * thread, and the threads are the members grouped by root.
 */
interface Container {
  id: string;
  message: ParsedMessage | undefined;
  parent: Container | undefined;
}

/** Subject without reply/forward markers and list tags, lower-cased: for joining and (was:) detection. */
export function baseSubject(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^\s*((re|fwd?|aw|sv|antw)(\[\d+\])?\s*:|\[[^\]]*\])\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return collapseWhitespace(s).toLowerCase();
}

export const isReplySubject = (subject: string) => /^\s*(re|aw|sv|antw)(\[\d+\])?\s*:/i.test(subject);

/** The new subject of a "(was: old subject)" message, when it has one. */
export function wasSplit(subject: string): { now: string; was: string } | undefined {
  // The full pattern backtracks over the whole subject: tried only when "(was" or "[was" is there.
  if (!/[([]\s*was/i.test(subject)) return undefined;
  const m = /^(.*?)\s*[([]\s*was\s*:?\s*(.*?)\s*[)\]]?\s*$/i.exec(subject);
  if (!m || !m[2]) return undefined;
  return { now: baseSubject(m[1]), was: baseSubject(m[2]) };
}

/** An ISO-8601 UTC timestamp as toISOString writes it: "2026-01-05T10:11:12.000Z". */
const isIsoTimestamp = (s: string) => s.length === 24 && s.charCodeAt(10) === 0x54 && s.charCodeAt(23) === 0x5a;

/**
 * a.localeCompare(b) for dates. Two toISOString timestamps differ only in digits at the same places,
 * where code-unit order is the collation's: compared directly, without the collator, which was a
 * large part of sorting a month. Anything else goes to localeCompare as before.
 */
export function compareDates(a: string, b: string): number {
  if (isIsoTimestamp(a) && isIsoTimestamp(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

function isAncestor(candidate: Container, of: Container): boolean {
  // Bounded walk: the parent chain is acyclic by construction, but never trust that blindly.
  let c: Container | undefined = of;
  for (let steps = 0; c && steps < 100_000; steps++, c = c.parent) if (c === candidate) return true;
  return false;
}

function setParent(child: Container, parent: Container): void {
  if (child === parent || isAncestor(child, parent)) return; // would make a loop
  child.parent = parent;
}

function rootOf(c: Container): Container {
  let r = c;
  for (let steps = 0; r.parent && steps < 100_000; steps++) r = r.parent;
  return r;
}

/**
 * Each message's date as a dense rank: equal dates (compareDates 0) share one, later dates have
 * higher ones. Only the distinct dates are sorted with compareDates; everything after compares
 * small integers, or needs no comparison at all (a counting sort).
 */
function dateRanks(messages: ParsedMessage[]): Int32Array {
  const rankOf = new Map<string, number>();
  for (const m of messages) rankOf.set(m.date ?? '', 0);
  const distinct = [...rankOf.keys()];
  // Timestamps as toISOString writes them (and the empty stand-in) are ordered by code units,
  // which the default sort compares without calling back into JavaScript.
  if (distinct.every((d) => d === '' || isIsoTimestamp(d))) distinct.sort();
  else distinct.sort(compareDates);
  let rank = 0;
  for (let k = 0; k < distinct.length; k++) {
    if (k > 0 && compareDates(distinct[k - 1], distinct[k]) !== 0) rank++;
    rankOf.set(distinct[k], rank);
  }
  const ranks = new Int32Array(messages.length);
  for (let i = 0; i < messages.length; i++) ranks[i] = rankOf.get(messages[i].date ?? '')!;
  return ranks;
}

/**
 * Sorts, in place and stably, each run of neighbouring items of `items` that share a rank by
 * `compare`: items already in rank order come out in rank, then `compare`, order.
 */
function sortRunsOfEqualRank<T>(items: T[], rankOf: (item: T) => number, compare: (a: T, b: T) => number): void {
  for (let start = 0; start < items.length; ) {
    let end = start + 1;
    while (end < items.length && rankOf(items[end]) === rankOf(items[start])) end++;
    if (end - start > 1) {
      const run = items.slice(start, end).sort(compare);
      for (let k = 0; k < run.length; k++) items[start + k] = run[k];
    }
    start = end;
  }
}

/** Message indices by date rank, ties in index order: a counting sort. */
function indicesByRank(ranks: Int32Array): Int32Array {
  let top = 0;
  for (let i = 0; i < ranks.length; i++) if (ranks[i] > top) top = ranks[i];
  const next = new Int32Array(top + 2);
  for (let i = 0; i < ranks.length; i++) next[ranks[i] + 1]++;
  for (let r = 1; r < next.length; r++) next[r] += next[r - 1];
  const order = new Int32Array(ranks.length);
  for (let i = 0; i < ranks.length; i++) order[next[ranks[i]]++] = i;
  return order;
}

/**
 * JWZ threading (https://www.jwz.org/doc/threading.html) over References and In-Reply-To:
 * 1. a container per Message-ID seen (messages and the ids they reference);
 * 2. link each References chain parent -> child where no link exists yet, refusing loops;
 * 3. a message's parent is its last reference (In-Reply-To when References is absent);
 * 4. messages with no references at all and a "Re:" subject join the earliest thread with that subject;
 * 5. a "(was: ...)" subject change cuts the message off into its own thread, linked to its parent thread.
 * Every message ends up in exactly one thread; cycles and self-references cannot hang it.
 * Message-IDs are unique (analyseWeek renames a reused one). A thread's messages, and the threads,
 * are in date order, ties by Message-ID (code-unit order).
 * Written as plain loops over indices: this runs once per week, mostly before V8 has optimised it,
 * where every callback and short-lived array costs.
 */
export function threadMessages(messages: ParsedMessage[]): Thread[] {
  const n = messages.length;
  const containers = new Map<string, Container>();
  const get = (id: string): Container => {
    let c = containers.get(id);
    if (c === undefined) {
      c = { id, message: undefined, parent: undefined };
      containers.set(id, c);
    }
    return c;
  };
  // Each message's own container, looked up once: the passes below read it several times a message.
  const own: Container[] = new Array<Container>(n);
  for (let i = 0; i < n; i++) {
    const c = get(messages[i].messageId);
    c.message = messages[i];
    own[i] = c;
  }

  // The chain of a message: its last MAX_REFERENCES references, then In-Reply-To unless it is the
  // last of them, leaving out the message's own id.
  const hasRefs = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    const refs = m.references;
    const last = refs.length - 1;
    const first = Math.max(0, refs.length - MAX_REFERENCES);
    const inReplyTo = m.inReplyTo && (last < first || refs[last] !== m.inReplyTo) ? m.inReplyTo : undefined;
    let parent: Container | undefined;
    for (let k = first; k <= last + 1; k++) {
      const id = k <= last ? refs[k] : inReplyTo;
      if (id === undefined || id === m.messageId) continue;
      const child = get(id);
      if (parent !== undefined && !child.parent && child !== parent) setParent(child, parent);
      parent = child;
    }
    if (parent === undefined) continue;
    hasRefs[i] = 1;
    setParent(own[i], parent);
  }

  // Subject joining, only for messages that carry no references at all, in date order (ties in
  // the order of `messages`).
  const ranks = dateRanks(messages);
  const byDateOrder = indicesByRank(ranks);
  const rootBySubject = new Map<string, Container>();
  for (let k = 0; k < n; k++) {
    const i = byDateOrder[k];
    const subject = messages[i].subject;
    if (!own[i].parent && !isReplySubject(subject)) {
      const key = baseSubject(subject);
      if (key && !rootBySubject.has(key)) rootBySubject.set(key, own[i]);
    }
  }
  for (let k = 0; k < n; k++) {
    const i = byDateOrder[k];
    const subject = messages[i].subject;
    if (hasRefs[i] || !isReplySubject(subject)) continue;
    const root = rootBySubject.get(baseSubject(subject));
    const c = own[i];
    if (root && root !== c && !c.parent) setParent(c, root);
  }

  // "(was: ...)" splits: the message starts a sub-discussion of its own.
  const splitFrom = new Map<Container, Container>();
  for (let i = 0; i < n; i++) {
    const subject = messages[i].subject;
    const c = own[i];
    const parent = c.parent;
    if (!parent) continue;
    const was = wasSplit(subject);
    if (!was) continue;
    const parentSubject = parent.message ? baseSubject(parent.message.subject) : was.was;
    if (parentSubject === was.now || wasSplit(parent.message?.subject ?? '')?.now === was.now) continue; // the split happened higher up
    c.parent = undefined;
    splitFrom.set(c, parent);
  }

  // Members gathered in date order, so each thread's list is sorted by date already; only runs of
  // equal dates are then put in Message-ID order. `lowest`: the thread's first message in
  // `messages`, the last tie-break between threads.
  const groups = new Map<Container, { members: number[]; lowest: number }>();
  for (let k = 0; k < n; k++) {
    const i = byDateOrder[k];
    const root = rootOf(own[i]);
    const group = groups.get(root);
    if (group === undefined) groups.set(root, { members: [i], lowest: i });
    else {
      group.members.push(i);
      if (i < group.lowest) group.lowest = i;
    }
  }
  // Code-unit order, not localeCompare: the same order under every locale, and no collator to start.
  const byId = (a: number, b: number) => {
    const x = messages[a].messageId;
    const y = messages[b].messageId;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const rankOf = (i: number) => ranks[i];
  const threads: { thread: Thread; first: number; lowest: number }[] = [];
  for (const [root, { members, lowest }] of groups) {
    sortRunsOfEqualRank(members, rankOf, byId);
    const first = root.message ?? messages[members[0]];
    const messageIds = new Array<string>(members.length);
    for (let k = 0; k < members.length; k++) messageIds[k] = messages[members[k]].messageId;
    const thread: Thread = { id: root.id, rootMessageId: first.messageId, subject: first.subject, messageIds };
    const from = splitFrom.get(root);
    if (from) thread.parentThreadId = rootOf(from).id;
    threads.push({ thread, first: members[0], lowest });
  }
  // The groups were made in date order of their first messages: only threads whose first
  // messages share a date need sorting, by Message-ID, then by where they start in `messages`.
  sortRunsOfEqualRank(threads, (t) => ranks[t.first], (a, b) => byId(a.first, b.first) || a.lowest - b.lowest);
  const sorted = new Array<Thread>(threads.length);
  for (let k = 0; k < threads.length; k++) sorted[k] = threads[k].thread;
  return sorted;
}
