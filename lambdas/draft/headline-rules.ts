/**
 * The rules every published headline meets, whoever wrote it: the offline drafter, the model, or
 * the editor. A headline is a few words with an angle, not the patch subject reworded.
 */
import { stripSubject, subjectPhrase } from './headline.js';

export const MIN_HEADLINE_WORDS = 2;
export const MAX_HEADLINE_WORDS = 8;
/** Longer than this is a sentence, not a headline, whatever its word count. */
export const MAX_HEADLINE_CHARS = 80;
/** Share of a headline's content words found in a subject above which it only restates that subject. */
export const RESTATES_SUBJECT_SHARE = 0.8;

/** Trimmed, one line, single spaces, no wrapping quotes and no closing full stop. */
export function normaliseHeadline(headline: string): string {
  let h = headline.replace(/\s+/g, ' ').trim();
  h = h.replace(/^["'\u201c\u2018](.*)["'\u201d\u2019]$/, '$1').trim();
  return h.replace(/\.+$/, '').trim();
}

/**
 * What is wrong with a headline (empty: nothing), given the subjects of the story's threads.
 * Call it on a normalised headline.
 */
export function headlineProblems(headline: string, subjects: string[] = []): string[] {
  const problems: string[] = [];
  const words = headline.split(/\s+/).filter(Boolean);
  if (words.length < MIN_HEADLINE_WORDS) problems.push(`fewer than ${MIN_HEADLINE_WORDS} words`);
  if (words.length > MAX_HEADLINE_WORDS) problems.push(`more than ${MAX_HEADLINE_WORDS} words`);
  if (headline.length > MAX_HEADLINE_CHARS) problems.push(`longer than ${MAX_HEADLINE_CHARS} characters`);
  if (/\[[^\]]*\]/.test(headline) || /\b(?:PATCH|RFC)\b/.test(headline)) problems.push('carries subject tags such as [PATCH]');
  if (/^(?:re|fwd?|aw|sv)\s*:/i.test(headline)) problems.push('starts with a reply or forward marker');
  if (/\bv\d+\b|\b\d+\/\d+\b/.test(headline)) problems.push('carries a patch version or number');
  if (/[<>]|https?:\/\//i.test(headline)) problems.push('carries markup or a link');
  for (const subject of subjects) {
    if (restates(headline, subject)) {
      problems.push(`restates the subject "${stripSubject(subject)}"`);
      break;
    }
  }
  return problems;
}

const MINOR = new Set('a an and as at but by for from in into of on or the to via vs with without per over is are be new'.split(' '));

/** Content words, lower-cased, crudely stemmed so that "Adding" and "add", "fields" and "field" meet. */
function contentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9_]+/g) ?? [])
    .filter((w) => !MINOR.has(w))
    .map((w) => w.replace(/(?:ing|ed|es|s)$/, '').replace(/(.)\1$/, '$1'))
    .filter((w) => w.length > 1);
}

function restates(headline: string, subject: string): boolean {
  const mine = contentWords(headline);
  if (mine.length === 0) return false;
  const theirs = new Set([...contentWords(stripSubject(subject)), ...contentWords(subjectPhrase(subject))]);
  const shared = mine.filter((w) => theirs.has(w)).length;
  return shared / mine.length >= RESTATES_SUBJECT_SHARE;
}
