import type { RankFeatures, WeekAnalysis } from '../model.js';
import type { ThreadGroup } from './group.js';
import { isPosting, type WeekIndex } from './week-index.js';

/** Longest title kept: an editor's headline, not a subject line. */
export const MAX_TITLE_CHARS = 110;

/**
 * "Re: [PATCH v3 2/7] foo: bar (was: baz)" -> "foo: bar": reply markers, every bracketed tag
 * ([PATCH v2 2/5], [RFC], [syzbot ci]), "(was: ...)" and trailing version notes go; case stays.
 */
export function cleanSubject(subject: string): string {
  let s = subject;
  for (let previous = ''; previous !== s; ) {
    previous = s;
    s = s.replace(/^\s*(re|fwd?|aw|sv|antw)\s*(\[\d+\])?\s*:\s*/i, '').replace(/^\s*\[[^\]]*\]\s*/, '');
  }
  return s.replace(/\s*\(was:?[^)]*\)?\s*$/i, '').replace(/[\s,(]+v\d+\)?\s*$/i, '').replace(/\s+/g, ' ').trim();
}

/** "xfs: fix ..." -> "xfs"; "mm/slab: ..." -> "mm/slab"; none when the subject has no prefix. */
export function subsystemOf(subject: string): string | undefined {
  const m = /^([A-Za-z0-9_][\w.,/ -]{0,40}?):\s+\S/.exec(subject);
  if (!m || /\s{2}|^(re|fwd?|was)$/i.test(m[1]) || m[1].split(' ').length > 3) return undefined;
  return m[1];
}

/** The list a thread mostly went to, as a subsystem name: "linux-xfs@vger.kernel.org" -> "xfs". */
function listSubsystem(group: ThreadGroup, index: WeekIndex): string | undefined {
  const counts = new Map<string, number>();
  for (const t of group.threads) for (const m of index.messagesOf(t)) for (const l of m.lists ?? []) counts.set(l, (counts.get(l) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const name = top?.split('@')[0].replace(/^linux-/, '');
  return name && name !== 'kernel' ? name : undefined;
}

/** The point of the story: a cover letter's subject, else the main series' title, else the busiest thread's subject. */
export function pointOf(group: ThreadGroup, analysis: WeekAnalysis, index: WeekIndex): string {
  const byBusiest = [...group.threads].sort((a, b) => b.messageIds.length - a.messageIds.length);
  // A theme's story is told from the thread about it, not from a notice that ran into it.
  const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ');
  for (const phrase of group.themes ?? []) {
    const about = byBusiest.find((t) => words(t.subject).includes(words(phrase)));
    if (about) return cleanSubject(about.subject);
  }
  // Reactions under unrelated subjects, and no thread about the matter itself: the matter is the point.
  const reaction = group.replyThemes?.[0];
  if (reaction) return `${reaction.phrase[0].toUpperCase()}${reaction.phrase.slice(1)}: taken up by ${reaction.people} people across ${reaction.threads} threads`;
  for (const t of byBusiest) {
    const root = index.byId.get(t.rootMessageId);
    if (root && isPosting(root) && /\b0+\/\d+\]/.test(root.subject)) return cleanSubject(root.subject);
  }
  // A cover letter without the usual tag ("re-enable foo v6"): a root that numbered patches answer.
  for (const t of byBusiest) {
    const root = index.byId.get(t.rootMessageId);
    if (!root || /^\s*(re|aw|sv)\s*:/i.test(root.subject)) continue;
    const patches = index.messagesOf(t).filter((m) => m.inReplyTo === root.messageId && /\[[^\]]*\b\d+\/\d+\]/.test(m.subject));
    if (patches.length >= 2) return cleanSubject(root.subject);
  }
  const size = (s: WeekAnalysis['series'][number]) => s.versions.reduce((n, v) => n + v.messageIds.length, 0);
  const series = analysis.series.filter((s) => group.seriesIds.includes(s.id)).sort((a, b) => size(b) - size(a));
  if (series.length) return cleanSubject(series[0].title);
  return cleanSubject(byBusiest[0].subject);
}

const list = (f: RankFeatures, key: string) => (Array.isArray(f[key]) ? (f[key] as string[]) : []);

/** The angle the features give, in an editor's words: a NAK, a revert, pushback on a pull, a maintainer's objection. */
export function angleOf(f: RankFeatures, point: string): string | undefined {
  const angles = list(f, 'angles');
  const nakers = list(f, 'nakers');
  const objectors = list(f, 'seniorObjectors');
  if (angles.includes('NAK')) return nakers.length ? `NAKed by ${nakers.slice(0, 2).join(' and ')}` : 'a NAK';
  const questioners = [...objectors, ...list(f, 'pullQuestioners')];
  if (angles.includes('pull request questioned')) return questioners.length ? `${questioners[0]} questions the pull` : 'the pull request is questioned';
  if (angles.includes('revert') && !/^revert/i.test(point)) return 'a revert';
  if (objectors.length) return `${objectors.slice(0, 2).join(' and ')} object${objectors.length > 1 ? '' : 's'}`;
  return undefined;
}

/**
 * An editor's title when no model writes one: "subsystem: the point", and the angle when the
 * features give one ("landlock: Pathname-based UNIX connect() control; Paul Moore objects").
 * No [PATCH v2 2/5] tags, reply markers or version notes.
 */
export function editorTitle(point: string, group: ThreadGroup, index: WeekIndex, f: RankFeatures): string {
  let title = point;
  // A revert names the subsystem inside its quoted subject: 'Revert "sched: ..."'; a theme taken up
  // across subjects has no one subsystem.
  const crossSubject = group.replyThemes?.some((x) => point.toLowerCase().startsWith(x.phrase.toLowerCase()));
  if (!subsystemOf(title) && !/^revert\s+["']/i.test(title) && !crossSubject) {
    // Borrow the prefix most of the story's subjects share, else the list it went to.
    const prefixes = new Map<string, number>();
    for (const t of group.threads) for (const m of index.messagesOf(t)) {
      const p = subsystemOf(cleanSubject(m.subject));
      if (p) prefixes.set(p, (prefixes.get(p) ?? 0) + 1);
    }
    const prefix = [...prefixes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? listSubsystem(group, index);
    if (prefix && !title.toLowerCase().startsWith(prefix.toLowerCase())) title = `${prefix}: ${title}`;
  }
  if (title.length > MAX_TITLE_CHARS) title = `${title.slice(0, MAX_TITLE_CHARS - 1).replace(/\s+\S*$/, '')}…`;
  const angle = angleOf(f, point);
  return angle ? `${title}; ${angle}` : title;
}
