/** The first `shown` of `items` joined by `separator`, and how many more there are: "a, b, c and 4 more". */
export function firstFew(items: readonly string[], shown: number, separator = ', '): string {
  const rest = items.length - shown;
  return `${items.slice(0, shown).join(separator)}${rest > 0 ? ` and ${rest} more` : ''}`;
}
