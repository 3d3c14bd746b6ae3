/** Text helpers for quote matching: whitespace normalisation and a case/typography-blind index. */

/** Collapses every run of whitespace to one space: quotes are compared "whitespace aside". */
export function normaliseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const FOLD: Record<string, string> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '`': "'", '\u00b4': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2212': '-',
  '\u00a0': ' ',
};

/**
 * A same-length folding (one UTF-16 unit in, one out) so a match found in the folded text maps back
 * to the exact span of the source: lower case, straight quotes, plain hyphens.
 */
export function fold(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = FOLD[ch] ?? ch.toLowerCase();
    out += mapped.length === ch.length ? mapped : ch;
  }
  return out;
}

/** The separators a writer may use inside a quote to join two pieces of the same message. */
export const ELLIPSIS = /\s*(?:\[\s*(?:\.\.\.|\u2026)\s*\]|\.\.\.|\u2026)\s*/;

/** Splits a quote into its verbatim pieces (one unless it contains an ellipsis). Empty pieces dropped. */
export function quotePieces(quote: string): string[] {
  return normaliseSpace(quote).split(ELLIPSIS).map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Whether a quote shows the reader a cut at its start or end ("...the buffer", "the buffer..."). */
export function shownCuts(quote: string): { start: boolean; end: boolean } {
  const q = normaliseSpace(quote).replace(/^["\u201c]+|["\u201d]+$/g, '');
  return { start: /^(?:\[\s*)?(?:\.\.\.|\u2026)/.test(q), end: /(?:\.\.\.|\u2026)(?:\s*\])?$/.test(q) };
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * Whether [start, end) of `source` begins and ends on word boundaries: a quote that starts or ends
 * inside a word ("to the buf" of "to the buffer") changes what was said, unless the cut is shown.
 */
export function onWordBoundaries(source: string, start: number, end: number, cut: { start?: boolean; end?: boolean } = {}): boolean {
  const startsInWord = start > 0 && WORD_CHAR.test(source.charAt(start - 1)) && WORD_CHAR.test(source.charAt(start));
  const endsInWord = end < source.length && WORD_CHAR.test(source.charAt(end)) && WORD_CHAR.test(source.charAt(end - 1));
  return !(startsInWord && !cut.start) && !(endsInWord && !cut.end);
}

const EDGE_PUNCT = /^[\s"'.,;:!?()\u2018\u2019\u201c\u201d-]+|[\s"'.,;:!?()\u2018\u2019\u201c\u201d-]+$/g;

export interface PieceMatch {
  /** The source text of the piece, exactly as written (whitespace normalised). */
  text: string;
  start: number;
  end: number;
  /** Whether the piece matched without folding case, quotes or edge punctuation. */
  exact: boolean;
}

/**
 * Finds `piece` in `source` (both whitespace-normalised) at or after `from`: exactly first, then
 * folded and without edge punctuation (a repair: the returned text is the source's own). With
 * `wholeWords`, only an occurrence that starts and ends on word boundaries counts (except at a cut
 * the quote shows with an ellipsis).
 */
export function findPiece(source: string, piece: string, from = 0, wholeWords?: { start?: boolean; end?: boolean }): PieceMatch | undefined {
  const fits = (start: number, end: number) => !wholeWords || onWordBoundaries(source, start, end, wholeWords);
  for (let at = source.indexOf(piece, from); at >= 0; at = source.indexOf(piece, at + 1)) {
    if (fits(at, at + piece.length)) return { text: piece, start: at, end: at + piece.length, exact: true };
  }
  const core = piece.replace(EDGE_PUNCT, '');
  if (core.length < 3) return undefined;
  const folded = fold(source);
  const foldedCore = fold(core);
  // The piece's own closing punctuation ("... for today.") stays when the source has it there too:
  // repairing the case of a quote must not cost the prose its full stop.
  const closing = piece.slice(piece.lastIndexOf(core) + core.length).replace(/[\s"'\u2018\u2019\u201c\u201d]/g, '');
  for (let at = folded.indexOf(foldedCore, from); at >= 0; at = folded.indexOf(foldedCore, at + 1)) {
    if (!fits(at, at + core.length)) continue;
    const end = closing && source.startsWith(closing, at + core.length) ? at + core.length + closing.length : at + core.length;
    return { text: source.slice(at, end), start: at, end, exact: false };
  }
  return undefined;
}

/** Words of a text, for counting. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/** Abbreviations that end in a full stop without ending the sentence (lower-cased, without the stop). */
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'cf', 'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'jr', 'sr', 'approx', 'fig', 'al', 'resp', 'incl', 'ca']);

let sentenceSegmenter: Intl.Segmenter | undefined;

/**
 * Sentence boundaries of prose, never inside a protected range (a quote may contain ". ").
 * Returns [start, end) spans covering the text. Unicode sentence segmentation (Intl.Segmenter),
 * with boundaries after initials ("Michael S. Tsirkin") and abbreviations ("e.g.") taken back:
 * the segmenter alone breaks there, and removing such a "sentence" leaves a fragment behind.
 */
export function sentenceSpans(text: string, protectedRanges: Array<[number, number]> = []): Array<[number, number]> {
  sentenceSegmenter ??= new Intl.Segmenter('en', { granularity: 'sentence' });
  const spans: Array<[number, number]> = [];
  let start = 0;
  for (const { index, segment } of sentenceSegmenter.segment(text)) {
    const cut = index + segment.length;
    if (cut >= text.length) break;
    if (protectedRanges.some(([a, b]) => cut > a && cut < b)) continue;
    if (!endsSentence(segment)) continue;
    spans.push([start, cut]);
    start = cut;
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans;
}

/** Whether a segment's last word really ends a sentence (not an initial or an abbreviation). */
function endsSentence(segment: string): boolean {
  const last = /(\S+)\s*$/.exec(segment)?.[1] ?? '';
  if (!/\.["'\u201d\u2019)]*$/.test(last)) return true;
  const word = last.replace(/\.["'\u201d\u2019)]*$/, '').replace(/^["'\u201c\u2018(]+/, '');
  if (/^\p{Lu}$/u.test(word)) return false; // an initial
  return !ABBREVIATIONS.has(word.toLowerCase());
}

/** Quoted segments in prose: “...” or "..." pairs, with their positions (inner text). */
export function quotedSegments(text: string): Array<{ start: number; end: number; inner: string }> {
  const out: Array<{ start: number; end: number; inner: string }> = [];
  const re = /\u201c([^\u201d]*)\u201d|"([^"]*)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const inner = m[1] ?? m[2] ?? '';
    out.push({ start: m.index, end: m.index + m[0].length, inner });
  }
  return out;
}
