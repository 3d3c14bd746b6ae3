import type { ParsedMessage, Thread } from '../model.js';
import { collapseWhitespace } from '../mail/text.js';

/** References chains longer than this are cut (oldest dropped): real threads never come close. */
export const MAX_REFERENCES = 256;

interface Container {
  id: string;
  message?: ParsedMessage;
  parent?: Container;
  children: Container[];
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

function setParent(child: Container, parent: Container) {
  if (child === parent || isAncestor(child, parent)) return false; // would make a loop
  if (child.parent) child.parent.children = child.parent.children.filter((c) => c !== child);
  child.parent = parent;
  parent.children.push(child);
  return true;
}

/**
 * JWZ threading (https://www.jwz.org/doc/threading.html) over References and In-Reply-To:
 * 1. a container per Message-ID seen (messages and the ids they reference);
 * 2. link each References chain parent -> child where no link exists yet, refusing loops;
 * 3. a message's parent is its last reference (In-Reply-To when References is absent);
 * 4. messages with no references at all and a "Re:" subject join the earliest thread with that subject;
 * 5. a "(was: ...)" subject change cuts the message off into its own thread, linked to its parent thread.
 * Every message ends up in exactly one thread; cycles and self-references cannot hang it.
 * Message-IDs are unique (analyseWeek renames a reused one).
 */
export function threadMessages(messages: ParsedMessage[]): Thread[] {
  const containers = new Map<string, Container>();
  const get = (id: string) => {
    let c = containers.get(id);
    if (!c) {
      c = { id, children: [] };
      containers.set(id, c);
    }
    return c;
  };
  // Each message's own container, looked up once: the passes below read it several times a message.
  const own: Container[] = messages.map((m) => {
    const c = get(m.messageId);
    c.message = m;
    return c;
  });

  const hasRefs: boolean[] = new Array<boolean>(messages.length).fill(false);
  messages.forEach((m, i) => {
    const refs = m.references.slice(-MAX_REFERENCES);
    if (m.inReplyTo && refs[refs.length - 1] !== m.inReplyTo) refs.push(m.inReplyTo);
    const chain = refs.filter((id) => id !== m.messageId);
    if (chain.length === 0) return;
    hasRefs[i] = true;
    let parent = get(chain[0]);
    for (let k = 1; k < chain.length; k++) {
      const child = get(chain[k]);
      if (!child.parent && child !== parent) setParent(child, parent);
      parent = child;
    }
    setParent(own[i], parent);
  });

  // Subject joining, only for messages that carry no references at all. Indices sorted by date
  // (a stable sort, so ties keep the order of `messages`).
  const rootBySubject = new Map<string, Container>();
  const byDateOrder = messages.map((_, i) => i).sort((a, b) => compareDates(messages[a].date ?? '', messages[b].date ?? ''));
  for (const i of byDateOrder) {
    const c = own[i];
    const subject = messages[i].subject;
    if (!c.parent && !isReplySubject(subject)) {
      const key = baseSubject(subject);
      if (key && !rootBySubject.has(key)) rootBySubject.set(key, c);
    }
  }
  for (const i of byDateOrder) {
    const subject = messages[i].subject;
    if (hasRefs[i] || !isReplySubject(subject)) continue;
    const root = rootBySubject.get(baseSubject(subject));
    const c = own[i];
    if (root && root !== c && !c.parent) setParent(c, root);
  }

  // "(was: ...)" splits: the message starts a sub-discussion of its own.
  const splitFrom = new Map<Container, Container>();
  messages.forEach((m, i) => {
    const was = wasSplit(m.subject);
    const c = own[i];
    if (!was || !c.parent) return;
    const parentSubject = c.parent.message ? baseSubject(c.parent.message.subject) : was.was;
    if (parentSubject === was.now || wasSplit(c.parent.message?.subject ?? '')?.now === was.now) return; // the split happened higher up
    const parent = c.parent;
    parent.children = parent.children.filter((x) => x !== c);
    c.parent = undefined;
    splitFrom.set(c, parent);
  });

  const rootOf = (c: Container) => {
    let r = c;
    for (let steps = 0; r.parent && steps < 100_000; steps++) r = r.parent;
    return r;
  };
  // Messages compared by date, then Message-ID: sorted as objects, not looked up by id per comparison.
  const byDate = (a: ParsedMessage, b: ParsedMessage) => compareDates(a.date ?? '', b.date ?? '') || a.messageId.localeCompare(b.messageId);
  const membersByRoot = new Map<Container, ParsedMessage[]>();
  messages.forEach((m, i) => {
    const root = rootOf(own[i]);
    const members = membersByRoot.get(root);
    if (members) members.push(m);
    else membersByRoot.set(root, [m]);
  });
  const threads: { thread: Thread; first: ParsedMessage }[] = [];
  for (const [root, members] of membersByRoot) {
    members.sort(byDate);
    const first = root.message ?? members[0];
    const thread: Thread = { id: root.id, rootMessageId: first.messageId, subject: first.subject, messageIds: members.map((m) => m.messageId) };
    const from = splitFrom.get(root);
    if (from) thread.parentThreadId = rootOf(from).id;
    threads.push({ thread, first: members[0] });
  }
  return threads.sort((a, b) => byDate(a.first, b.first)).map((t) => t.thread);
}
