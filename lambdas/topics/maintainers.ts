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

/**
 * How much a person's presence weighs, by role. The tree owners come from general knowledge of
 * how the kernel is merged (who pulls whom), not from any one week's mail: a message from the
 * person who pulls the tree is news by itself.
 */
export type Rank = 'mainline' | 'tree owner' | 'maintainer' | 'none';

/** Those who take trees into mainline, -mm, stable and linux-next. */
const MAINLINE_GATEKEEPERS = ['linus torvalds', 'andrew morton', 'greg kroah-hartman'];
/**
 * Owners of top-level trees that go to Linus directly (tip, VFS, block, net, crypto, security,
 * tracing, RCU, PM, PCI, arm64, KVM, BPF, cgroups, kbuild, Rust, docs, kselftest, filesystems).
 * Lower-cased display names: people write from several addresses.
 */
const TREE_OWNERS = [
  'thomas gleixner', 'ingo molnar', 'borislav petkov', 'peter zijlstra', 'dave hansen',
  'christian brauner', 'al viro', 'jens axboe', 'jakub kicinski', 'david miller', 'paolo abeni',
  'herbert xu', 'eric biggers', 'ard biesheuvel', 'paul moore', 'james morris', 'kees cook',
  'steven rostedt', 'paul e. mckenney', 'rafael j. wysocki', 'bjorn helgaas', 'arnd bergmann',
  'catalin marinas', 'will deacon', 'paolo bonzini', 'sean christopherson', 'alexei starovoitov',
  'daniel borkmann', 'tejun heo', 'masahiro yamada', 'nathan chancellor', 'miguel ojeda',
  'jonathan corbet', 'shuah khan', 'vlastimil babka', 'david sterba', 'theodore ts\'o',
  'carlos maiolino', 'chandan babu r', 'jan kara', 'christoph hellwig', 'marek szyprowski',
  'mickaël salaün', 'mimi zohar', 'jason gunthorpe', 'joerg roedel', 'dan williams', 'michael s. tsirkin',
  'mathieu desnoyers', 'darrick j. wong', 'mark brown', 'takashi iwai',
  // Others who send their trees to Linus directly: keys and LSMs, RCU, architectures, storage and
  // filesystems, drivers' core subsystems, tracing and tooling.
  'david howells', 'jarkko sakkinen', 'john johansen', 'serge hallyn', 'casey schaufler',
  'boqun feng', 'joel fernandes', 'neeraj upadhyay', 'uladzislau rezki', 'frederic weisbecker',
  'palmer dabbelt', 'paul walmsley', 'michael ellerman', 'madhavan srinivasan', 'heiko carstens', 'vasily gorbik',
  'alexander gordeev', 'huacai chen', 'thomas bogendoerfer', 'helge deller', 'geert uytterhoeven', 'russell king',
  'martin k. petersen', 'james bottomley', 'damien le moal', 'trond myklebust', 'anna schumaker', 'chuck lever',
  'steve french', 'namjae jeon', 'jaegeuk kim', 'gao xiang', 'miklos szeredi', 'amir goldstein', 'konstantin komarov',
  'dave airlie', 'simona vetter', 'dmitry torokhov', 'jiri kosina', 'benjamin tissoires', 'mauro carvalho chehab',
  'hans verkuil', 'linus walleij', 'bartosz golaszewski', 'lee jones', 'wolfram sang', 'ulf hansson', 'vinod koul',
  'stephen boyd', 'rob herring', 'krzysztof kozlowski', 'guenter roeck', 'sebastian reichel', 'alex williamson',
  'juergen gross', 'wei liu', 'jassi brar', 'masami hiramatsu', 'namhyung kim', 'arnaldo carvalho de melo',
  'petr mladek', 'jason a. donenfeld', 'gustavo a. r. silva', 'mike rapoport', 'alexandre belloni',
];
const GATEKEEPER_SET = new Set(MAINLINE_GATEKEEPERS);
const TREE_OWNER_SET = new Set(TREE_OWNERS);
const nameOf = (p: { name: string }) => p.name.trim().toLowerCase().replace(/\s*\([^)]*\)\s*$/, '').replace(/^"|"$/g, '');

/**
 * The person who pulls mainline itself. He rarely writes on the subsystem lists, so a message of his
 * is news by itself: a question, an objection, a patch of his own.
 */
export function pullsMainline(person: { name: string; email: string }): boolean {
  return nameOf(person) === 'linus torvalds' || person.email === 'torvalds@linux-foundation.org';
}

/** The person's rank: mainline gatekeeper, top-level tree owner, maintainer (file or week), or none. */
export function rankOf(maintainers: Maintainers, person: { name: string; email: string }): Rank {
  const name = nameOf(person);
  if (GATEKEEPER_SET.has(name) || person.email === 'torvalds@linux-foundation.org' || person.email === 'akpm@linux-foundation.org' || person.email === 'gregkh@linuxfoundation.org') return 'mainline';
  if (TREE_OWNER_SET.has(name)) return 'tree owner';
  return isSenior(maintainers, person) ? 'maintainer' : 'none';
}
