import { z } from 'zod';
import { InputError } from '../errors.js';
import type { WeekAnalysis } from '../model.js';
import { isBot, isPosting } from './week-index.js';

/** Who carries weight in the week's discussions: lower-cased addresses and names. */
export interface Maintainers {
  emails: Set<string>;
  /** Display names, lower-cased, for people who write from several addresses. */
  names: Set<string>;
  /**
   * Reach in the week, by personKey: how many other people's work a person answered, acked or
   * reviewed (or carried, as committer: a Signed-off-by on someone else's patch).
   * Maintainers answer across their whole subsystem; a submitter's reach is their own threads.
   */
  reach?: Map<string, number>;
}

/** Reach (distinct people answered) from which the data alone calls someone senior. */
export const SENIOR_REACH = 5;

/** One key per person: the full name when there is one (people write from several addresses), else the address. */
export const personKey = (p: { name: string; email: string }) => (p.name.trim().includes(' ') ? p.name.trim().toLowerCase() : p.email);

/** Only this much of a MAINTAINERS file is read: the real one is about 1 MB. */
export const MAX_MAINTAINERS_BYTES = 16 * 1024 * 1024;

const maintainerLine = z.object({
  name: z.string().trim().min(1),
  email: z.string().trim().toLowerCase().email(),
});

/**
 * The `M:` lines of a file in the kernel's MAINTAINERS format ("M:	Jane Doe <jane@example.org>").
 * Other lines are ignored; a file without a single valid `M:` line is rejected, since it is
 * almost certainly the wrong file.
 */
export function parseMaintainersFile(text: string, label = 'MAINTAINERS'): Maintainers {
  if (text.length > MAX_MAINTAINERS_BYTES) throw new InputError(`${label}: larger than ${MAX_MAINTAINERS_BYTES} bytes; pass the kernel's MAINTAINERS file`);
  const result: Maintainers = { emails: new Set(), names: new Set() };
  for (const line of text.split(/\r?\n/)) {
    const m = /^M:\s*(.*?)\s*<([^>]+)>\s*$/.exec(line);
    if (!m) continue;
    const parsed = maintainerLine.safeParse({ name: m[1] || m[2], email: m[2] });
    if (!parsed.success) continue;
    result.emails.add(parsed.data.email);
    result.names.add(parsed.data.name.toLowerCase());
  }
  if (result.emails.size === 0) throw new InputError(`${label}: no "M: Name <address>" lines found; pass a file in the kernel's MAINTAINERS format`);
  return result;
}

const APPLIED_NOTE = /^\s*(applied|queued|merged|picked up|pushed)\b[^\n]{0,80}(thanks|to|into|in)\b/im;

/**
 * Maintainers as the week's own mail shows them: whoever sends a pull request, gives an Acked-by
 * (the maintainer's sign of approval), or announces that they applied a patch.
 */
export function deriveMaintainers(analysis: WeekAnalysis, known?: Maintainers): Maintainers {
  const result: Maintainers = { emails: new Set(known?.emails), names: new Set(known?.names), reach: new Map() };
  // Reach is counted in the people a person answered, not in threads: one series split into many
  // threads must not make its only reviewer look like a subsystem maintainer.
  const byId = new Map(analysis.messages.map((m) => [m.messageId, m]));
  const starterOf = new Map<string, string>();
  for (const t of analysis.threads) {
    const root = byId.get(t.messageIds[0]);
    for (const id of t.messageIds) starterOf.set(id, root ? personKey(root.from) : t.id);
  }
  const reached = new Map<string, Set<string>>();
  const reach = (p: { name: string; email: string }, starter: string | undefined) => {
    const key = personKey(p);
    if (!starter || starter === key) return;
    (reached.get(key) ?? reached.set(key, new Set()).get(key)!).add(starter);
  };
  const add = (name: string, email: string) => {
    result.emails.add(email.toLowerCase());
    if (name.includes(' ')) result.names.add(name.toLowerCase());
  };
  for (const m of analysis.messages) {
    if (isBot(m)) continue;
    if (/\[GIT PULL\]/i.test(m.subject) && isPosting(m)) add(m.from.name, m.from.email);
    const body = analysis.body(m.messageId);
    const starter = starterOf.get(m.messageId);
    if (!isPosting(m)) reach(m.from, starter);
    for (const t of body.trailers) {
      if (!t.person || t.person.email === m.from.email) continue;
      if (t.kind === 'acked-by' || t.kind === 'reviewed-by' || t.kind === 'signed-off-by') reach(t.person, personKey(m.from));
    }
    if (!isPosting(m)) {
      if (APPLIED_NOTE.test(body.own)) add(m.from.name, m.from.email);
      for (const t of body.trailers) if (t.kind === 'acked-by' && t.person && t.person.email === m.from.email) add(t.person.name, t.person.email);
    }
  }
  for (const [key, threads] of reached) result.reach!.set(key, threads.size);
  return result;
}

export function isMaintainer(maintainers: Maintainers, person: { name: string; email: string }): boolean {
  return maintainers.emails.has(person.email) || maintainers.names.has(person.name.toLowerCase());
}

/** A maintainer (from the file or the week's pulls, acks and "applied" notes), or someone whose reach says so. */
export function isSenior(maintainers: Maintainers, person: { name: string; email: string }): boolean {
  return isMaintainer(maintainers, person) || (maintainers.reach?.get(personKey(person)) ?? 0) >= SENIOR_REACH;
}
