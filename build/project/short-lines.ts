/*
 * An uncaught error prints the source line it was thrown on (Node's "arrow", then the stack). A minified bundle is
 * the whole program on a handful of lines, so a crash printed tens of KiB to MiBs of code on the user's terminal
 * (10 KiB for a three-line program: the preludes alone). The bundle's lines are broken near LINE_LIMIT characters as
 * its very last step, after every scan of its text: esbuild's lineLimit inside the build also breaks string literals
 * with line continuations, where the build's scans (the packages a bundle names, the glob lookup) then missed them
 * (tried and taken out in c4b67d9). Reprinting whitespace only changes no code: a line continuation in a string
 * adds no character to it.
 */
import { transform } from 'esbuild';

/** Characters after which esbuild breaks a line at the next place it can (a long string may run past it). */
export const LINE_LIMIT = 200;

/**
 * The minified code with its lines broken near LINE_LIMIT characters; an ES module stays one (format unchanged). Given
 * the code's source map, the result's maps to the same sources (esbuild reads an inline map of its input).
 */
export async function withShortLines(code: string, map?: string): Promise<{ code: string; map?: string }> {
  const options = { loader: 'js', minifyWhitespace: true, lineLimit: LINE_LIMIT, legalComments: 'inline', logLevel: 'silent' } as const;
  if (map === undefined) return { code: (await transform(code, options)).code };
  const out = await transform(`${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}\n`, { ...options, sourcemap: 'external' });
  return { code: out.code, map: out.map };
}
