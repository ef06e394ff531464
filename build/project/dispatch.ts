/*
 * A package with several bins becomes one binary that runs one of them: the one named by the name it was
 * started as (a symlink or copy called `prettier` runs the `prettier` bin, as npm's bin links do), else the
 * one named by its first argument (`tool prettier --check .`), which is then removed from process.argv; else, started
 * under the artifact's own name (`npm-run-all-4.1.5-linux-x64`, as downloaded), the bin named as the package is.
 * Anything else prints the bins and exits 2. Each bin loads only when chosen (esbuild keeps require lazy).
 */
import { regexpLiteral } from '../../shared/regexp-literal.ts';
import { mainModuleSource, mainScriptSource } from './main-module.ts';

/**
 * The dispatcher's source, the program part of the generated entry (entry.ts); `bins` maps command name → path from
 * the project root, `mains` command name → the bin's path under the virtual root, which require.main describes once
 * it is chosen (main-module.ts), and process.argv[1] names unless `atBuild` (a snapshot's entry runs when the binary
 * is built, where the process is not the program's). `name` is the artifact's name (seal.name): when a bin has it,
 * the artifact as named by the build (`<name>-<version>-linux-<arch>[-static]`) runs that bin.
 */
export function dispatchSource(bins: Record<string, string>, mains: Record<string, string> = {}, atBuild = false, name?: string): string {
  const table = Object.entries(bins)
    .map(([cmd, file]) => {
      const at = mains[cmd];
      const main = at === undefined ? '' : `${mainModuleSource(at)} ${atBuild ? '' : `${mainScriptSource(at)} `}`;
      return `  ${JSON.stringify(cmd)}: () => { ${main}return require(${JSON.stringify(`./${file}`)}); },`;
    })
    .join('\n');
  return `const { basename } = require('node:path');
const bins = {
${table}
};
const own = basename(process.argv0 || process.argv[0]);
if (Object.hasOwn(bins, own)) {
  bins[own]();
} else if (Object.hasOwn(bins, process.argv[2] ?? '')) {
  const [cmd] = process.argv.splice(2, 1);
  bins[cmd]();
} else if (${artifactTest(bins, name)}) {
  bins[${JSON.stringify(name ?? '')}]();
} else {
  process.stderr.write(\`\${own}: give a command first, or start this binary under one of their names: \${Object.keys(bins).join(', ')}\\n\`);
  process.exitCode = 2;
}
`;
}

/** The dispatcher's test that it runs as the artifact the build named (verify.ts names it so); `false` when no bin has the name. */
function artifactTest(bins: Record<string, string>, name: string | undefined): string {
  if (name === undefined || !Object.hasOwn(bins, name)) return 'false';
  return `/^${regexpLiteral(name)}-\\d[^/]*-linux-(?:x64|arm64)(?:-static)?$/.test(own)`;
}
