/** Byte-level helpers for mail read as latin1 bytes, where a string would be the slow part. */

/** True when `bytes` holds `word` at index `at`. */
export function hasAt(bytes: Buffer, at: number, word: Buffer): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** An ASCII digit, 0-9, by character code. */
export const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** Whitespace as String.prototype.trim sees it in latin1 text. */
export function isLatin1Space(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0xa0;
}

/**
 * isLatin1Space as a table, 1 at those bytes: for the header walk, where V8 spends its inlining
 * budget on Buffer's indexOf wrappers and then calls isLatin1Space millions of times instead.
 */
export const LATIN1_SPACE = new Uint8Array(256);
for (let b = 0; b < 256; b++) if (isLatin1Space(b)) LATIN1_SPACE[b] = 1;

/** The part of Buffer that toString('latin1', ...) ends in: its argument checks and encoding lookup skipped. */
type Latin1Slicer = { latin1Slice(start: number, end: number): string };

/**
 * bytes[start, end) as latin1 text, through Buffer's own latin1Slice: the header reader slices
 * hundreds of thousands of values a month, where toString's wrapper was a tenth of the time.
 * Callers pass 0 <= start <= end <= bytes.length.
 */
export function latin1(bytes: Buffer, start: number, end: number): string {
  return (bytes as unknown as Latin1Slicer).latin1Slice(start, end);
}
