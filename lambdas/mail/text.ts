/** Whitespace other than a space, or two spaces: what `collapseWhitespace` would change. */
const UNCOLLAPSED = /[^\S ]| {2}/;

/**
 * text.replace(/\s+/g, ' '), without a copy when there is nothing to replace: most header values
 * (dates, subjects, names) already have single spaces, and a week has tens of thousands of them.
 */
export function collapseWhitespace(text: string): string {
  return UNCOLLAPSED.test(text) ? text.replace(/\s+/g, ' ') : text;
}
