/*
 * A program with top-level await cannot be bundled as CommonJS (esbuild refuses: the await has nowhere to
 * go), and a SEA's main script is CommonJS on Node 22. So such a program is bundled as one ES module, and the
 * main script is this launcher: it serves that module's source from memory through a synchronous module
 * hook (module.registerHooks, Node 22.15 and later) at a file URL under the virtual root, and imports it.
 * What the module throws is rethrown as uncaught, so it is reported and exits 1 as Node reports an entry
 * module's error (its stack, without the launcher's line); a module whose top-level await never settles exits 13 with Node's warning (the launcher's own
 * import() would just end, exit 0). The module gets no V8 code cache (the SEA caches its main script only).
 */
import { posix } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VIRTUAL_ROOT } from './virtual-paths.ts';

/** Where the program's module lives, for stack traces and any import.meta.url the bundle did not replace. */
export function esmUrl(name: string): string {
  return pathToFileURL(posix.join(VIRTUAL_ROOT, `${name}.mjs`)).href;
}

/** The CommonJS main script that runs `source` (an ES module bundle) as the module at `url`. */
export function esmLauncher(source: string, url: string): string {
  return `"use strict";
const { registerHooks } = require("node:module");
if (typeof registerHooks !== "function") {
  console.error("this program is an ES module with top-level await and needs Node 22.15 or later (module.registerHooks); this runtime is Node " + process.version);
  process.exit(1);
}
const url = ${JSON.stringify(url)};
const source = ${JSON.stringify(source)};
registerHooks({
  resolve: (specifier, context, next) => (specifier === url ? { url, format: "module", shortCircuit: true } : next(specifier, context)),
  load: (u, context, next) => (u === url ? { format: "module", source, shortCircuit: true } : next(u, context)),
});
let settled = false;
let drained = false;
// Node's marker on a line keeps it from printing that line as where an uncaught error was thrown: the stack that
// follows starts where the module threw, and this rethrow is nothing the program's user should read.
import(url).then(() => { settled = true; }, (err) => { settled = true; process.nextTick(() => { throw err; }); }); // node-do-not-add-exception-line
// Node exits 13 with this warning when the loop runs out of work (not process.exit()) and the module's await is still
// pending, unless an exit code was set; decided at exit, after any beforeExit handler of the program scheduled more.
process.on("beforeExit", () => { drained = true; });
process.on("exit", () => {
  if (!drained || settled || process.exitCode !== undefined) return;
  process.exitCode = 13;
  process.stderr.write("Warning: Detected unsettled top-level await at " + url + "\\n");
});
`;
}
