// The binary as node, for the processes a program starts from its own executable. Under node, `process.execPath`
// is node: fork(script) (nodemon forking the watched script, a worker pool's child file) and spawn(process.execPath,
// [script | -e code, …]) run that script or code. In a SEA the executable is the program, and such a child started
// the program again with the script's path as its first argument. Called by the entry (project/entry.ts) after
// the other preludes and before the program:
// - in every process, the child_process functions that start a process learn to start the executable as node:
//   when the file is the executable and what node would run is code (-e/-p) or a script node finds (a file, or one
//   named without its extension, or a directory: node's lookup of a main module; on the disk or among the embedded files), the child gets SEAL_AS_NODE and runs it. Node's options before it go to the
//   child's NODE_OPTIONS (a SEA reads none from its command line), except those the binary was built with (it
//   applies them itself) and a -r module under /seal (loaded after the mount, through SEAL_AS_NODE). A script that
//   is the binary itself (process.argv[1] or the executable) or one of its bins under /seal starts the program with
//   the arguments after it, as under node. Anything else — the program's own arguments, a first argument that
//   names no file — starts the program as before. A start of `node` by name (PATH's, or any file called node) on a
//   script under /seal is this executable's too: no other node can read the embedded files (pm2 starts its
//   ProcessContainerFork.js so).
// - in a process started so, runs the script (Node's own main-module loader: CommonJS or ES module, require.main
//   set) or the code, and tells the entry not to run the program; or, for a bin, sets process.argv for it.
// child_process is not loaded for this: its functions are changed when the program first loads it.
'use strict';

const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const { asNodeOptions, readNodeArgv } = require('./node-argv.cjs');
const { MOUNT_KEY } = require('./first-use.cjs');

// Set in a child started as node: what NODE_OPTIONS cannot carry, and NODE_OPTIONS as the parent had it, as JSON
// ({ preloads: [paths under the virtual root], nodeOptions: string | null }).
const MARK = 'SEAL_AS_NODE';
const ROOT = __SEAL_VIRTUAL_ROOT__;
const HOOKED = Symbol.for('seal.asNode');
// As the program was started: in a SEA, process.argv[1] is the executable's name as given.
const startedAs = process.argv[1];
let realExecutable;

/** Whether `file` (relative to `cwd`) is this executable. */
function isExecutable(file, cwd) {
  if (typeof file !== 'string') return false;
  if (file === process.execPath || file === '/proc/self/exe') return true;
  if (!file.includes('/')) return false;
  try {
    realExecutable ??= fs.realpathSync(process.execPath);
    return fs.realpathSync(path.resolve(cwd ?? process.cwd(), file)) === realExecutable;
  } catch {
    return false;
  }
}

/** Whether `file` is a node found by name: `node` on PATH, or a path whose last part is node. */
function isNodeByName(file) {
  return typeof file === 'string' && path.basename(file) === 'node';
}

/**
 * Whether node would find a main module at `script` (absolute): the file, or as node looks a main script up — with
 * an extension it loads (.js, .json, .node) or a directory's package.json main or index — on the disk or under /seal.
 */
function isMainModule(script) {
  try {
    Module._resolveFilename(script, null, true);
    return true;
  } catch {
    return false;
  }
}

/** Node's -r/--require options whose module is under the virtual root, split from the rest: NODE_OPTIONS would load it before the mount. */
function splitPreloads(options, cwd) {
  const rest = [];
  const preloads = [];
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    const joined = /^(-r|--require)=/.exec(o);
    const separate = (o === '-r' || o === '--require') && i + 1 < options.length;
    const value = joined ? o.slice(joined[0].length) : separate ? options[i + 1] : undefined;
    const file = value === undefined ? undefined : path.resolve(cwd ?? process.cwd(), value);
    if (file?.startsWith(`${ROOT}/`)) {
      preloads.push(file);
      if (separate) i++;
    } else rest.push(o);
  }
  return { rest, preloads };
}

/**
 * How a start of `file` with `args` (no argv0) and `env` from `cwd` runs: undefined when it is not node's start of a
 * script or code, else the child's arguments, the variables to set in its environment, and for a node started by name
 * the executable to start instead.
 */
function asNodeStart(file, args, env, cwd, bins) {
  if (!Array.isArray(args)) return undefined;
  const executable = isExecutable(file, cwd);
  if (!executable && !isNodeByName(file)) return undefined;
  let line = readNodeArgv(args.map(String));
  // `node --v8-options` (v8flags asks so, under Liftoff: plop, gulp) prints V8's options, which V8 prints for --help set
  // at run time, then exits. Started as the program it started itself again, for ever.
  if (executable && line.code === undefined && line.script === undefined && line.options.includes('--v8-options')) {
    line = { ...line, options: line.options.filter((o) => o !== '--v8-options'), code: "require('node:v8').setFlagsFromString('--help')" };
  }
  let script;
  if (line.code === undefined) {
    if (line.script === undefined || line.script === '-') return undefined;
    script = path.resolve(cwd ?? process.cwd(), line.script);
    // Another node runs what it can read; a script under the virtual root only this executable can.
    if (!executable && !script.startsWith(`${ROOT}/`)) return undefined;
    // The program again: the bin running (the dispatcher's choice for several, main-module.ts), by its path.
    if (line.script === startedAs || isExecutable(script, cwd)) script = runningBin(bins);
    else if (!Object.hasOwn(bins, script) && !isMainModule(script)) return undefined;
  } else if (!executable) return undefined;
  const own = process.execArgv;
  const { rest, preloads } = splitPreloads(own.every((o, i) => line.options[i] === o) ? line.options.slice(own.length) : line.options, cwd);
  const given = env?.NODE_OPTIONS ?? null;
  const set = { [MARK]: JSON.stringify({ preloads, nodeOptions: given }) };
  if (rest.length > 0) set.NODE_OPTIONS = [given, asNodeOptions(rest)].filter(Boolean).join(' ');
  return { args: script === undefined ? [line.print ? '-p' : '-e', line.code, ...line.args] : [script, ...line.args], set, ...(executable ? {} : { file: process.execPath }) };
}

function readMark(mark) {
  try {
    const { preloads = [], nodeOptions } = JSON.parse(mark);
    return { preloads, nodeOptions };
  } catch {
    return { preloads: [], nodeOptions: undefined };
  }
}

/** The path under /seal of the bin this process runs. */
function runningBin(bins) {
  const paths = Object.keys(bins);
  if (paths.length === 1) return paths[0];
  return globalThis.__sealMain?.filename ?? paths[0];
}

/** Teaches a child_process module object to start the executable as node (once per process). */
function hook(childProcess, bins) {
  if (childProcess[HOOKED]) return;
  Object.defineProperty(childProcess, HOOKED, { value: true });
  // spawn, execFile, exec and fork all end in ChildProcess#spawn, its options normalised: args[0] is argv0,
  // the environment is a list of "NAME=value".
  const proto = childProcess.ChildProcess.prototype;
  const spawn = proto.spawn;
  proto.spawn = function (options) {
    const pairs = options?.envPairs ?? [];
    const env = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const start = options && asNodeStart(options.file, options.args?.slice(1), env, options.cwd, bins);
    if (start) {
      const names = Object.keys(start.set);
      const kept = pairs.filter((p) => !names.includes(p.slice(0, p.indexOf('='))));
      options = { ...options, file: start.file ?? options.file, args: [options.args[0], ...start.args], envPairs: [...kept, ...names.map((n) => `${n}=${start.set[n]}`)] };
    }
    return spawn.call(this, options);
  };
  // The synchronous ones do not go through it: spawnSync and execFileSync (execSync runs a shell).
  for (const name of ['spawnSync', 'execFileSync']) {
    const given = childProcess[name];
    childProcess[name] = function (file, ...rest) {
      const [args, options] = rest;
      const opts = Array.isArray(args) ? options : args;
      const start = asNodeStart(file, Array.isArray(args) ? args : [], opts?.env ?? process.env, opts?.cwd, bins);
      if (!start) return given.call(this, file, ...rest);
      return given.call(this, start.file ?? file, start.args, { ...opts, env: { ...(opts?.env ?? process.env), ...start.set } });
    };
  }
  Module.syncBuiltinESMExports();
}

/** Hooks child_process when the program first loads it, by require, import or process.getBuiltinModule. */
function hookWhenLoaded(bins) {
  const isChildProcess = (id) => id === 'child_process' || id === 'node:child_process';
  const load = Module._load;
  Module._load = function (request, ...rest) {
    const exports = load.call(this, request, ...rest);
    if (isChildProcess(request)) hook(exports, bins);
    return exports;
  };
  const getBuiltinModule = process.getBuiltinModule;
  process.getBuiltinModule = function (id) {
    const exports = getBuiltinModule.call(this, id);
    if (isChildProcess(id) && exports) hook(exports, bins);
    return exports;
  };
}

/** -e/-p: the code as node runs it, a script in the global scope with require, module and the rest from the working directory. */
function runCode({ code, print, args }) {
  const cwd = process.cwd();
  const filename = path.join(cwd, '[eval]');
  const module = new Module(filename);
  module.filename = filename;
  module.paths = Module._nodeModulePaths(cwd);
  Object.assign(globalThis, { module, exports: module.exports, require: Module.createRequire(filename), __filename: '[eval]', __dirname: '.' });
  process.argv = [process.execPath, ...args];
  const result = require('node:vm').runInThisContext(code, { filename: '[eval]' });
  // Printed as the process exits, as node -p prints: after what the code's timers and callbacks print.
  if (print) process.on('exit', () => console.log(result));
}

/**
 * The entry's call. `bins` maps each bin's path under /seal to its command name (null for a program of one bin).
 * Returns true when this process ran as node (the program must not run); false to run the program, whose
 * process.argv is then as the program's own start would have it.
 */
function start(bins) {
  hookWhenLoaded(bins);
  const mark = process.env[MARK];
  if (mark === undefined) return false;
  delete process.env[MARK];
  const { preloads, nodeOptions } = readMark(mark);
  // Node has read NODE_OPTIONS: the program sees it, and its own children inherit it, as the parent had it.
  if (nodeOptions === null) delete process.env.NODE_OPTIONS;
  else if (typeof nodeOptions === 'string') process.env.NODE_OPTIONS = nodeOptions;
  for (const file of preloads) require(file);
  const line = readNodeArgv(process.argv.slice(2));
  if (line.code !== undefined) {
    runCode(line);
    return true;
  }
  const script = path.resolve(line.script);
  if (Object.hasOwn(bins, script)) {
    process.argv = [process.execPath, process.execPath, ...(bins[script] === null ? [] : [bins[script]]), ...line.args];
    return false;
  }
  process.argv = [process.execPath, script, ...line.args];
  // Node's loader finds the main module through its own stat, which the embedded files' wrappers do not see.
  if (script.startsWith(`${ROOT}/`)) globalThis[Symbol.for(MOUNT_KEY)]?.();
  Module.runMain(script);
  return true;
}

module.exports = { start, asNodeStart };
