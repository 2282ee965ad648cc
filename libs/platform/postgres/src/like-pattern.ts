/**
 * The (I)LIKE pattern matching `text` anywhere, taken literally: LIKE treats `%` and `_` as
 * wildcards and `\\` as escape, and a user searching for "50%" means the characters.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
