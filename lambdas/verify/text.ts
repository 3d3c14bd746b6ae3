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
 * folded and without edge punctuation (a repair: the returned text is the source's own).
 */
export function findPiece(source: string, piece: string, from = 0): PieceMatch | undefined {
  const exactAt = source.indexOf(piece, from);
  if (exactAt >= 0) return { text: piece, start: exactAt, end: exactAt + piece.length, exact: true };
  const core = piece.replace(EDGE_PUNCT, '');
  if (core.length < 3) return undefined;
  const foldedAt = fold(source).indexOf(fold(core), from);
  if (foldedAt < 0) return undefined;
  return { text: source.slice(foldedAt, foldedAt + core.length), start: foldedAt, end: foldedAt + core.length, exact: false };
}

/** Words of a text, for counting. */
export function words(text: string): string[] {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

/**
 * Sentence boundaries of prose, never inside a protected range (a quote may contain ". ").
 * Returns [start, end) spans covering the text.
 */
export function sentenceSpans(text: string, protectedRanges: Array<[number, number]> = []): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const re = /[.!?]["'\u201d\u2019)]*\s+(?=["'\u201c\u2018(]?[\p{Lu}\p{N}])/gu;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const cut = m.index + m[0].length;
    if (protectedRanges.some(([a, b]) => cut > a && cut < b)) continue;
    if (/\b(?:e\.g|i\.e|etc|vs|Mr|Dr|cf)\.$/i.test(text.slice(Math.max(0, m.index - 4), m.index + 1))) continue;
    spans.push([start, cut]);
    start = cut;
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans;
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
