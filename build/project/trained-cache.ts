/*
 * seal.train: a code cache that holds what the program compiles when it runs, not only its top level.
 *
 * Node's SEA makes its code cache right after compiling the main script, before it runs: V8 compiles a function when
 * it is first called, so every start compiles again each function its command calls. V8 can write a cache of a
 * script after it ran (vm.Script's createCachedData), which Node's SEA main cannot. So with training the blob's main
 * is a small loader compiling the bundle with vm.Script and the cache the build's training runs left.
 *
 * The bundle's text rides in the loader's own script, as the body of a function it never calls (bundleHolder): the
 * loader takes it back with Function.prototype.toString, which V8 answers with a slice of the script's source, not a
 * copy. On the static runtime that source is an external string over the mapped blob (static/tree-fixes.ts), so the
 * bundle is never copied into V8's heap, as without training; read from an asset it was decoded and copied at every
 * start (1.2 MiB for broker, which made the trained static artifact slower than the untrained one). Node's own code
 * cache of the loader (the blob's start-up stays code-cache) keeps that text unparsed at start, and the loader is
 * sloppy, so that the function around the bundle parses as the bundle alone would.
 *
 * One cache for every command would make each start deserialise what all of them compiled (broker's --version paid
 * ~3% for record's code), so a command word has a cache of its own: the runs whose first argument is a word (`stats`,
 * `run-script`, `db:migrate`) train that word's cache, and a start whose first argument is that word uses it. Every
 * other run (an option first, a file, nothing) trains the default cache, which every other start uses; with no such
 * run the default is the top level's, the cache Node's SEA would have made. Training (steps/train.ts) runs a binary
 * whose loader reads the cache its group's previous run wrote (if any) and writes it again at exit, each run adding
 * what it compiled. Those runs start with --random-seed=1 and --predictable (TRAIN_FLAGS), both left out of V8's
 * flag hash, so the caches are accepted by a start without them: V8 writes string hashes seeded from the first into a
 * cache, and the second keeps GC and background compiles off the clock (without it two builds differed by a bit in
 * three functions' flags); a run itself must do the same each time (steps/train.ts stops a server at a line it prints).
 */

/** The default cache's asset. */
export const CACHE_ASSET = 'seal-main.cache';
/** The file the training writes the wrapped bundle to (wrapBundle): the text every cache is V8's for. */
export const MAIN_FILE = 'seal-main.js';

/** The asset of the cache trained for the `i`th command word. */
export function commandCacheAsset(i: number): string {
  return `seal-main.${i}.cache`;
}

/** The command a run trains: its first argument when that is a word, not an option or a path; else the default's. */
export function commandWord(args: readonly string[]): string | undefined {
  const [first] = args;
  return first !== undefined && /^[A-Za-z0-9][\w:-]*$/.test(first) ? first : undefined;
}

/** The loader's file name, as the blob records its main script's. */
export const LOADER_FILE = 'seal-loader.cjs';

/** The training binary's loader reads the cache at this path (absent before the first run) and writes `<path>.next` at exit. */
export const TRAIN_CACHE_ENV = 'SEAL_TRAIN_CACHE';
/** Set to 1: the training binary writes the cache right after compiling and exits, running nothing (the top level's cache). */
export const TRAIN_COMPILE_ONLY_ENV = 'SEAL_TRAIN_COMPILE_ONLY';

/** What training runs start with, besides the blob's own Node options. */
export const TRAIN_FLAGS = ['--random-seed=1', '--predictable'];

/**
 * The bundle as the one expression the loader's vm.Script compiles: Node's own CommonJS wrapper, on a line of its own
 * (the loader compiles it at line offset -1, so stack traces give the bundle's own lines). A hashbang line, which
 * JavaScript allows only at a script's very start, is emptied (its line kept).
 */
export function wrapBundle(code: string): string {
  return `(function (exports, require, module, __filename, __dirname) {\n${code.replace(/^#!.*/, '')}\n})`;
}

/**
 * The loader's and the trainer's compile of the bundle (bundleHolder's text), with `cachedData` (an expression) as its cache: one text
 * for both, since a cache is V8's for one source compiled one way. `filename` is what Node's SEA names its main script
 * (the bundle's file name), so stack traces read as without training.
 */
function compileSource(filename: string, cachedData: string): string {
  return `new Script(bundle.toString().slice(${BUNDLE_HOLDER_ARROW.length}), {
  filename: ${JSON.stringify(filename)},
  lineOffset: -1,
  cachedData: ${cachedData},
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
})`;
}

/** The declaration that holds the wrapped bundle in the loader's script; toString gives the text from the arrow on. */
const BUNDLE_HOLDER_ARROW = '() => ';
function bundleHolder(wrapped: string): string {
  return `const bundle = ${BUNDLE_HOLDER_ARROW}${wrapped};`;
}

/** The loader's line when V8 rejects the program's cache: Node's words, and which cache (Node says its own for the loader's). */
export const REJECTED = "Code cache data rejected (the program's trained cache).";

/** Runs the compiled bundle as the SEA's main: with the main script's own CommonJS arguments. */
const RUN_SOURCE = 'script.runInThisContext()(exports, require, module, __filename, __dirname);';

/**
 * The blob's main script when training is used. `wrapped`: the bundle as wrapBundle gives it, the text the caches are
 * for; `caches`: command word → its cache's asset (commandWord's words
 * only, so a start's first argument that is no word finds none and takes the default). A rejected
 * cache is said in Node's words, on stderr at once (the program may exit before a queued warning prints; the
 * build's verify step fails on it). A SEA's process.argv is [execPath, execPath, ...the arguments].
 */
export function loaderSource(filename: string, wrapped: string, caches: Record<string, string>): string {
  return `// seal: the program's bundle, compiled with the code cache its training runs left (build/project/trained-cache.ts).
${bundleHolder(wrapped)}
const sea = require('node:sea');
const { Script, constants } = require('node:vm');
const caches = ${JSON.stringify(caches)};
const first = process.argv[2] ?? '';
const script = ${compileSource(filename, `Buffer.from(sea.getRawAsset(Object.hasOwn(caches, first) ? caches[first] : ${JSON.stringify(CACHE_ASSET)}))`)};
if (script.cachedDataRejected) require('node:fs').writeSync(2, \`(node:\${process.pid}) Warning: ${REJECTED}\\n\`);
${RUN_SOURCE}
`;
}

/**
 * The training binary's main script: as loaderSource's, with the cache read from the file TRAIN_CACHE_ENV names
 * (absent before the first run) and what it holds at exit written beside it. A cache the previous run wrote and V8 rejects is a failed
 * training (exit 70), not a quietly smaller cache.
 */
export function trainerSource(filename: string, wrapped: string): string {
  return `// seal: a training run (build/project/trained-cache.ts): the cache so far in, what this run compiled added at exit.
${bundleHolder(wrapped)}
const fs = require('node:fs');
const { Script, constants } = require('node:vm');
const file = process.env.${TRAIN_CACHE_ENV};
const compileOnly = process.env.${TRAIN_COMPILE_ONLY_ENV} === '1';
delete process.env.${TRAIN_CACHE_ENV};
delete process.env.${TRAIN_COMPILE_ONLY_ENV};
let cachedData;
try {
  cachedData = fs.readFileSync(file);
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
const script = ${compileSource(filename, 'cachedData')};
if (cachedData !== undefined && script.cachedDataRejected) {
  fs.writeSync(2, 'seal training: V8 rejected the code cache the previous training run wrote\\n');
  process.exit(70);
}
if (compileOnly) {
  fs.writeFileSync(file + '.next', script.createCachedData());
  process.exit(0);
}
process.on('exit', () => fs.writeFileSync(file + '.next', script.createCachedData()));
${RUN_SOURCE}
`;
}
