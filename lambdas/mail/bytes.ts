/** Byte-level helpers for mail read as latin1 bytes, where a string would be the slow part. */

/** True when `bytes` holds `word` at index `at`. */
export function hasAt(bytes: Buffer, at: number, word: Buffer): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word[i]) return false;
  return true;
}

/** Whitespace as String.prototype.trim sees it in latin1 text. */
export function isLatin1Space(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0xa0;
}
