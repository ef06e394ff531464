/*
 * esbuild's `__commonJS` helper runs a module's body in `try { … } catch (e) { throw mod = 0, e; }`, so that a module
 * whose body threw is run again by the next require, as Node's loader does. V8 reports an error rethrown from a
 * catch at the rethrow: an uncaught error's source line and position were the helper's `throw mod = 0, e` for every
 * error thrown while a module loads, the program's main among them (all of a CLI's start). The helper is made to
 * reset the module in a `finally` instead: the same behaviour, and V8 keeps the original throw's place for an error
 * that passes through a finally. (`__esm`, the wrapper of an ES module that is required, must keep its catch: it keeps
 * the error itself to throw again.)
 */

/** `try { return mod || …, mod.exports; } catch (e) { throw mod = 0, e; }` in esbuild's helper, minified or not. */
const RETHROW = /try\s*\{\s*return\s+(\w+)\s*\|\|\s*(.+?),\s*\1\.exports;?\s*\}\s*catch\s*\((\w+)\)\s*\{\s*throw\s+\1\s*=\s*0\s*,\s*\3;?\s*\}/;

/** The bundle with `__commonJS` resetting a failed module in a finally; a bundle without the helper is returned as it is. */
export function withOriginalThrowSite(code: string): string {
  return code.replace(RETHROW, (_all, mod: string, call: string) => `var ${mod}$ok=0;try{return ${mod}||${call},${mod}$ok=1,${mod}.exports}finally{${mod}$ok||(${mod}=0)}`);
}
