/*
 * esbuild's `__commonJS` helper runs a module's body in `try { … } catch (e) { throw mod = 0, e; }`, so that a module
 * whose body threw is run again by the next require, as Node's loader does. V8 reports an error rethrown from a
 * catch at the rethrow: an uncaught error's source line and position were the helper's `throw mod = 0, e` for every
 * error thrown while a module loads, the program's main among them (all of a CLI's start). The helper is made to
 * reset the module in a `finally` instead: the same behaviour, and V8 keeps the original throw's place for an error
 * that passes through a finally. (`__esm`, the wrapper of an ES module that is required, must keep its catch: it keeps
 * the error itself to throw again.)
 */

import type MagicString from 'magic-string';
import { BuildError } from '../../shared/toolchain/build-error.ts';

/**
 * `try { return mod || …, mod.exports; } catch (e) { throw mod = 0, e; }` in esbuild's helper, minified or not (the
 * minifier may name them `$`).
 */
const RETHROW = /try\s*\{\s*return\s+([\w$]+)\s*\|\|\s*(.+?),\s*\1\.exports;?\s*\}\s*catch\s*\(([\w$]+)\)\s*\{\s*throw\s+\1\s*=\s*0\s*,\s*\3;?\s*\}/;

/** What only the helper writes: the module's body called on a module object made there, then its exports (`…((mod = { exports: {} }).exports, mod), mod.exports`). */
const HELPER = /\(\s*([\w$]+)\s*=\s*\{\s*exports:\s*\{\s*\}\s*\}\s*\)\.exports\s*,\s*\1\s*\)\s*,\s*\1\.exports/;

/**
 * Makes `__commonJS` reset a failed module in a finally (in place, so the bundle's source map follows the edit); a
 * bundle without the helper is left as it is. A helper of another shape (a new esbuild) stops the build: left as it
 * is, every crash would point at it again.
 */
export function withOriginalThrowSite(code: MagicString): MagicString {
  // Offsets into the text as esbuild wrote it, which MagicString edits are given in.
  const text = code.original;
  const found = RETHROW.exec(text);
  if (found) {
    const [all, mod, call] = found as unknown as [string, string, string];
    return code.update(found.index, found.index + all.length, `var ${mod}$ok=0;try{return ${mod}||${call},${mod}$ok=1,${mod}.exports}finally{${mod}$ok||(${mod}=0)}`);
  }
  if (HELPER.test(text) && !/\$ok=0;try\{/.test(text)) {
    throw new BuildError("esbuild's __commonJS helper has a shape build/project/throw-site.ts does not know: teach RETHROW the new one");
  }
  return code;
}
