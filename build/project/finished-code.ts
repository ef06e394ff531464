/*
 * esbuild's output made into the code the binary runs, the same for the program and each worker bundle: each step a
 * rewrite of the text, the line breaks last, after every rewrite and scan (short-lines.ts). Given esbuild's source
 * map, the finished code gets one too, through every rewrite: what a maintainer reads a crash's positions with
 * (stack-trace.ts).
 */
import remapping, { type EncodedSourceMap } from '@jridgewell/remapping';
import MagicString from 'magic-string';
import { withNodeGlobKeys } from './glob-keys.ts';
import { withShortLines } from './short-lines.ts';
import { withOriginalThrowSite } from './throw-site.ts';

export interface FinishedCode {
  code: string;
  /** The source map of `code` (JSON), when esbuild's was given. */
  map?: string;
}

export async function finishedCode(text: string, minify: boolean, map?: string): Promise<FinishedCode> {
  const edited = withOriginalThrowSite(withNodeGlobKeys(new MagicString(text)));
  const code = edited.toString();
  // The edits' map (at word boundaries: esbuild's own mappings start at tokens) traced through esbuild's.
  const editedMap = map === undefined || !edited.hasChanged() ? map : JSON.stringify(remapping([edited.generateMap({ hires: 'boundary', source: 'bundle' }) as EncodedSourceMap, JSON.parse(map) as EncodedSourceMap], () => null));
  if (!minify) return editedMap === undefined ? { code } : { code, map: editedMap };
  return withShortLines(code, editedMap);
}
