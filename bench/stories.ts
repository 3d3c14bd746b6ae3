/**
 * Story figures (issue 16): the offline drafter on the shared week's top 10 topics (the bundled
 * sample when the corpus is absent, said so): share of headlines that are not the subject, quotes
 * per story, share of quotes that are questions or procedure, words per story, quotes verified.
 * The measures are written here, independently of the drafter's own rules, so that the figures do
 * not just repeat what the code believes about itself. `npm run bench -- stories`; `--show N` prints
 * story N in full (`--show all`: every story), `--top N` drafts the top N topics (default 10).
 */
import fs from 'node:fs';
import type { Topic } from '../lambdas/model.js';
import { topicMaterial, weekSenders } from '../lambdas/verify/material.js';
import { draftTopic } from '../lambdas/draft/draft-topic.js';
import { loadAnalysis } from '../test/draft-fixture.js';
import { sampleMbox, sharedCorpus } from '../test/helpers.js';

const TOP = 10;
/** Words that say nothing about a headline's angle. */
const STOP = new Set('a an and as at be by for from in into is it its of on or the to via vs with without new'.split(' '));
/** Review-process talk, as an editor would strike it from a quote: versions, resends, thanks, trees, tags. */
const PROCEDURE = /\b(v\d+|resend|respin|re-?spin|next version|new version|send (?:a|the|an) (?:new|updated|fix|follow-?up|patch)|would you (?:like|prefer)|do you want me|let me know|thanks|thank you|applied|queued|picked up|tags?|trailers?|rebased?|merge window|for-next|linux-next|which tree|changelog|commit message|cover letter)\b/i;

/** Reporting verbs an editor counts (an outside list, not the drafter's): how often one story repeats one. */
const REPORTING = ['pointed out', 'noted', 'observed', 'added', 'remarked', 'said', 'wrote', 'argued', 'explained', 'reasoned', 'warned', 'asked', 'wanted to know', 'objected', 'pushed back', 'disagreed', 'suggested', 'proposed', 'recommended', 'agreed', 'conceded', 'answered', 'replied', 'responded', 'countered', 'came back with', 'reported', 'found a problem', 'was not convinced', 'had doubts', 'went on', 'also said', 'was in favour'];
/** The narration of a paragraph, quotes blanked. */
const narration = (text: string) => text.replace(/"[^"]*"/g, ' " ');

const median = (xs: number[]) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)}%` : 'n/a');
const tokens = (s: string) => (s.toLowerCase().match(/[a-z0-9_]+/g) ?? []).filter((w) => !STOP.has(w));
const bare = (subject: string) => subject.replace(/^(\s*(re|fwd?)\s*:\s*|\s*\[[^\]]*\]\s*)+/gi, '');

/** A headline "is the subject" when at least 80% of its words (exact, lower-cased) are in one of the story's subjects. */
function isSubject(headline: string, subjects: string[]): boolean {
  const h = tokens(headline);
  if (h.length === 0) return true;
  return subjects.some((s) => {
    const words = new Set(tokens(bare(s)).flatMap((w) => [w, w.replace(/s$/, '')]));
    // "Adding X" from "add X": the gerund of a subject's verb is still the subject.
    return h.filter((w) => words.has(w) || words.has(w.replace(/s$/, '')) || words.has(w.replace(/ing$/, '')) || words.has(w.replace(/ing$/, 'e'))).length / h.length >= 0.8;
  });
}

export async function run(argv: string[] = process.argv.slice(2)): Promise<void> {
  const file = fs.existsSync(sharedCorpus) ? sharedCorpus : sampleMbox;
  console.log(`archive: ${file}${file === sampleMbox ? ' (shared corpus not found; the bundled sample week instead)' : ''}`);
  const analysis = await loadAnalysis(file);
  const { buildTopics } = await import('../lambdas/topics/build.js');
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Math.max(1, Number(argv[topAt + 1]) || TOP) : TOP;
  const topics: Topic[] = buildTopics(analysis, { week: '2026-W02' }).slice(0, top);
  const people = weekSenders(analysis);
  const showAt = argv.indexOf('--show');
  const showArg = showAt >= 0 ? argv[showAt + 1] : undefined;
  const show = (i: number) => showArg === 'all' || Number(showArg) === i;

  let notSubject = 0;
  let quotes = 0;
  let verified = 0;
  let repaired = 0;
  let removed = 0;
  let questions = 0;
  let procedural = 0;
  let claims = 0;
  const perStoryQuotes: number[] = [];
  const perStoryWords: number[] = [];
  let pointedOut = 0;
  const verbMax: number[] = [];
  const verbsUsed = new Set<string>();
  const rows: string[] = [];
  for (const [i, topic] of topics.entries()) {
    const material = topicMaterial(analysis, topic, people);
    const draft = await draftTopic(material);
    const story = draft.story;
    // The ranked title without its angle ("; Joel Fernandes objects"): a name in the angle is no subject word.
    const subjects = [...new Set([topic.title.split('; ')[0], ...material.messages.map((m) => m.subject)])];
    const subjectLike = isSubject(story.headline, subjects);
    if (!subjectLike) notSubject++;
    const qs = story.paragraphs.flatMap((p) => p.quotes);
    const n = story.paragraphs.reduce((sum, p) => sum + p.text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length, 0);
    perStoryQuotes.push(qs.length);
    perStoryWords.push(n);
    quotes += draft.counts.quotes;
    verified += draft.counts.verified;
    repaired += draft.counts.repaired;
    removed += draft.counts.removed;
    questions += qs.filter((q) => /\?["')]*$/.test(q.text.trim())).length;
    procedural += qs.filter((q) => !/\?["')]*$/.test(q.text.trim()) && PROCEDURE.test(q.text)).length;
    const told = story.paragraphs.map((p) => narration(p.text)).join(' ');
    const counts = REPORTING.map((v) => (told.match(new RegExp(`\\b${v}\\b`, 'g')) ?? []).length);
    REPORTING.forEach((v, k) => { if (counts[k]) verbsUsed.add(v); });
    pointedOut += counts[0];
    verbMax.push(Math.max(0, ...counts));
    claims += story.paragraphs.reduce((c, p) => c + (p.claims?.length ?? 0), 0);
    rows.push(`  ${String(i + 1).padStart(2)}. ${subjectLike ? '[subject] ' : ''}${story.headline}  (${n} words, ${qs.length} quotes)  <- ${bare(topic.title).slice(0, 60)}`);
    if (show(i + 1)) {
      console.log(`\n${i + 1}. ${story.headline}\n`);
      for (const p of story.paragraphs) console.log(`${p.text}\n`);
    }
  }
  console.log(rows.join('\n'));
  const stories = topics.length;
  const allQuotes = perStoryQuotes.reduce((a, b) => a + b, 0);
  console.log(`stories: ${stories}; headlines that are not the subject: ${notSubject}/${stories} (${pct(notSubject, stories)})`);
  console.log(`quotes per story: median ${median(perStoryQuotes)}, min ${Math.min(...perStoryQuotes)}, max ${Math.max(...perStoryQuotes)}`);
  console.log(`quotes that are questions: ${questions}/${allQuotes} (${pct(questions, allQuotes)}); procedure: ${procedural}/${allQuotes} (${pct(procedural, allQuotes)}); together ${pct(questions + procedural, allQuotes)}`);
  console.log(`words per story: min ${Math.min(...perStoryWords)}, median ${median(perStoryWords)}, max ${Math.max(...perStoryWords)}; under 150: ${perStoryWords.filter((n) => n < 150).length}/${stories}; over 350: ${perStoryWords.filter((n) => n > 350).length}/${stories}; within 150-350: ${perStoryWords.filter((n) => n >= 150 && n <= 350).length}/${stories}`);
  console.log(`words per story, sorted: ${[...perStoryWords].sort((a, b) => a - b).join(' ')}`);
  console.log(`reporting verbs: "pointed out" ${pointedOut} times in ${stories} stories; most repeats of one verb in a story: max ${Math.max(0, ...verbMax)}, median ${median(verbMax)}; distinct verbs used: ${verbsUsed.size}`);
  console.log(`quotes verified: ${verified}/${quotes} (repaired ${repaired}, removed ${removed})${verified === quotes ? ': all verified' : ''}; outcome claims emitted: ${claims}`);
}

if (process.argv[1]?.endsWith('stories.js')) await run();
