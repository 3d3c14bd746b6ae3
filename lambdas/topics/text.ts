import { eng, removeStopwords } from 'stopword';
import { stemmer } from 'stemmer';

/** Only the start of a long message counts: a 5,000-line rant would otherwise drown the week's vocabulary. */
export const MAX_TEXT_CHARS_PER_MESSAGE = 4_000;

/** Words every list message uses that say nothing about its subject. */
const MAIL_STOPWORDS = [
  'patch', 'patches', 'thanks', 'thank', 'regards', 'cheers', 'please', 'hi', 'hello', 'wrote', 'reply', 'series',
  'version', 'commit', 'sent', 'email', 'mail', 'also', 'just', 'like', 'would', 'could', 'should', 'think', 'will',
  'one', 'two', 'get', 'got', 'use', 'used', 'using', 'make', 'need', 'see', 'yes', 'sure', 'ok', 'okay', 'fine',
  'look', 'looks', 'good', 'sorry', 'maybe', 'well', 'really', 'right', 'still', 'way', 'thing', 'things', 'kernel',
];
const STOPWORDS = [...eng, ...MAIL_STOPWORDS];

/**
 * Lower-cased, stop-word-free, stemmed word tokens. Identifiers (io_uring, kmem_cache) stay whole:
 * in kernel mail they carry the subject better than the prose around them.
 */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z][a-z0-9_]{2,30}/g) ?? [];
  return removeStopwords(words, STOPWORDS).map((w) => (w.includes('_') ? w : stemmer(w)));
}

export type Vector = Map<string, number>;

/**
 * TF-IDF vectors (log-scaled term frequency, smoothed idf), L2-normalised so that the dot product
 * of two vectors is their cosine similarity.
 */
export function tfidfVectors(docs: string[][]): Vector[] {
  const df = documentFrequencies(docs);
  return docs.map((doc) => tfidfVector(doc, df, docs.length));
}

/** In how many documents each term occurs. */
export function documentFrequencies(docs: string[][]): Map<string, number> {
  const df = new Map<string, number>();
  for (const doc of docs) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  return df;
}

/** One document's vector against the frequencies of a collection of n documents (it need not be one of them). */
export function tfidfVector(doc: string[], df: Map<string, number>, n: number): Vector {
  const tf = new Map<string, number>();
  for (const term of doc) tf.set(term, (tf.get(term) ?? 0) + 1);
  const vector: Vector = new Map();
  let norm = 0;
  for (const [term, count] of tf) {
    const weight = (1 + Math.log(count)) * Math.log((1 + n) / (1 + (df.get(term) ?? 0)));
    if (weight <= 0) continue;
    vector.set(term, weight);
    norm += weight * weight;
  }
  norm = Math.sqrt(norm);
  for (const [term, weight] of vector) vector.set(term, weight / norm);
  return vector;
}

export function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, weight] of small) dot += weight * (large.get(term) ?? 0);
  return dot;
}

/** "Re: [PATCH v3 2/7] foo: bar (was: baz)" -> "foo: bar": what stays the same across replies and versions. */
export function normalizeSubject(subject: string): string {
  let s = subject;
  for (let previous = ''; previous !== s; ) {
    previous = s;
    s = s.replace(/^\s*(re|fwd?|aw|sv|antw)\s*(\[\d+\])?\s*:\s*/i, '').replace(/^\s*\[[^\]]*\]\s*/, '');
  }
  return s.replace(/\s*\(was:?[^)]*\)?\s*$/i, '').replace(/[\s,(]+v\d+\)?\s*$/i, '').replace(/\s+/g, ' ').trim().toLowerCase();
}
