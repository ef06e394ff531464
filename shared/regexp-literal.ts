/** `text` as a RegExp source that matches exactly it: every character RegExp gives a meaning escaped. */
export function regexpLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
