// Node shows a few deprecation warnings only for code outside node_modules — url.parse (DEP0169), Buffer() (DEP0005),
// punycode (DEP0040) — judging by the calling frame's script name. In a binary the program's code is one script, the
// bundle, whose name has no node_modules in it, so an installed CLI printed warnings about its dependencies (yarn's
// url.parse) that it never prints under node. In a binary of an installed package (project/entry.ts includes this
// prelude only then), all of whose code lives under node_modules, a frame in the bundle counts as inside; any other
// script (the user's file a CLI runs, an embedded file) is judged by its own name, as Node judges it.
'use strict';

const GATED = new Set(['DEP0005', 'DEP0040', 'DEP0169']);

function callSites(below) {
  const holder = {};
  const { prepareStackTrace, stackTraceLimit } = Error;
  Error.prepareStackTrace = (_, sites) => sites;
  Error.stackTraceLimit = 20;
  Error.captureStackTrace(holder, below);
  const sites = holder.stack;
  Error.prepareStackTrace = prepareStackTrace;
  Error.stackTraceLimit = stackTraceLimit;
  return Array.isArray(sites) ? sites : [];
}

// This file's own script: the bundle.
const bundle = callSites(callSites)[0]?.getFileName();

/** Whether the first frame outside Node's own code, below `below`, is in node_modules (the bundle's are). */
function calledFromNodeModules(below) {
  for (const site of callSites(below)) {
    const name = site.getFileName();
    if (!name || name.startsWith('node:')) continue;
    return name === bundle || /[\\/]node_modules[\\/]/.test(name);
  }
  return false;
}

// Buffer()'s warning is not gated under --pending-deprecation.
const pending = () => process.execArgv.includes('--pending-deprecation') || /--pending-deprecation\b/.test(process.env.NODE_OPTIONS ?? '') || process.env.NODE_PENDING_DEPRECATION === '1';

const emit = process.emitWarning;
process.emitWarning = function emitWarning(warning, ...rest) {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
  if (GATED.has(code) && !(code === 'DEP0005' && pending()) && calledFromNodeModules(emitWarning)) return;
  return emit.call(this, warning, ...rest);
};
