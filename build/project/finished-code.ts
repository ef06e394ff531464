/*
 * esbuild's output made into the code the binary runs, the same for the program and each worker bundle: each step a
 * rewrite of the text, the line breaks last, after every rewrite and scan (short-lines.ts).
 */
import { withNodeGlobKeys } from './glob-keys.ts';
import { withShortLines } from './short-lines.ts';
import { withOriginalThrowSite } from './throw-site.ts';

export async function finishedCode(text: string, minify: boolean): Promise<string> {
  const code = withOriginalThrowSite(withNodeGlobKeys(text));
  return minify ? withShortLines(code) : code;
}
