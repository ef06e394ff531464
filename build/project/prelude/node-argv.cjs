// Node's own command line, `node [options] [script | -e code | -p code] [args]`, read the way Node reads it: which
// leading tokens are Node's options and what runs. prelude/as-node.cjs reads a spawn of the executable with it, so
// that a program started as node in the binary runs as under node. Pure: the tests require it directly.
'use strict';

// Node's options that take their value as the next token when it is not joined with "=" (node --help).
const TAKES_VALUE = new Set([
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-C',
  '--conditions',
  '--input-type',
  '--experimental-default-type',
  '--title',
  '--inspect-port',
  '--debug-port',
  '--env-file',
  '--env-file-if-exists',
  '--disable-warning',
  '--dns-result-order',
  '--unhandled-rejections',
  '--redirect-warnings',
  '--diagnostic-dir',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--cpu-prof-interval',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--heap-prof-interval',
  '--heapsnapshot-signal',
  '--heapsnapshot-near-heap-limit',
  '--icu-data-dir',
  '--openssl-config',
  '--secure-heap',
  '--secure-heap-min',
  '--max-http-header-size',
  '--stack-trace-limit',
  '--trace-event-categories',
  '--trace-event-file-pattern',
  '--use-largepages',
  '--watch-path',
  '--localstorage-file',
  '--report-dir',
  '--report-directory',
  '--report-filename',
  '--report-signal',
]);

/**
 * Reads `tokens` (the arguments after the executable) as node does. Returns `{ options, script, code, print, args }`:
 * Node's options as given (with their values), then the script (undefined for -e/-p or when none is named), the code
 * of -e/-p, and the arguments the program sees after it. A lone "-" (the script on stdin) is a script named "-".
 */
function readNodeArgv(tokens) {
  const options = [];
  let code;
  let print = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === '--') return code === undefined ? done(options, tokens[i + 1], undefined, false, tokens.slice(i + 2)) : done(options, undefined, code, print, tokens.slice(i + 1));
    if (!token.startsWith('-') || token === '-') return code === undefined ? done(options, token, undefined, false, tokens.slice(i + 1)) : done(options, undefined, code, print, tokens.slice(i));
    const eq = token.indexOf('=');
    const name = eq < 0 ? token : token.slice(0, eq);
    // -e and -p (print what the code evaluates to), with the code next or after "="; -p followed by an option (-p -e
    // code) only says to print.
    if (name === '-e' || name === '--eval' || name === '-p' || name === '--print' || name === '-pe') {
      const printOnly = name === '-p' || name === '--print';
      print ||= name !== '-e' && name !== '--eval';
      if (eq >= 0) code = token.slice(eq + 1);
      else if (i + 1 < tokens.length && !(printOnly && tokens[i + 1].startsWith('-'))) code = tokens[++i];
      else code ??= '';
      continue;
    }
    if (eq < 0 && TAKES_VALUE.has(name) && i + 1 < tokens.length) {
      options.push(token, tokens[++i]);
      continue;
    }
    options.push(token);
  }
  return done(options, undefined, code, print, []);
}

function done(options, script, code, print, args) {
  return { options, script, code, print, args };
}

/** The tokens as NODE_OPTIONS carries them: a token with a space, quote or backslash double-quoted, as Node's parser reads it. */
function asNodeOptions(options) {
  return options.map((o) => (/[\s"\\]/.test(o) ? `"${o.replace(/["\\]/g, '\\$&')}"` : o)).join(' ');
}

module.exports = { readNodeArgv, asNodeOptions };
