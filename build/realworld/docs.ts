/*
 * docs/real-world.md, written from the stored results (results.ts) and the table (clis.ts): the command, the
 * machine and the date, one line per CLI with each column's pass/fail and exact error, the config each CLI
 * needed, and the table's note on each row (why it is there, why a failure fails). Pure.
 */
import type { Column, RowResult } from './results.ts';
import type { RealWorldCli } from './table.ts';

export interface DocFacts {
  command: string;
  machine: string;
  date: string;
  nodeVersion: string;
  pkgVersion: string;
  staticRuntime: string;
}

/** Text safe inside a Markdown table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function shown(c: Column): string {
  if (c.status === 'pass') return 'pass';
  if (c.status === 'skipped') return `skipped: ${cell(c.detail)}`;
  return `**fail**: \`${cell(c.detail).replace(/`/g, "'")}\``;
}

export function renderDoc(table: readonly RealWorldCli[], results: Record<string, RowResult>, facts: DocFacts): string {
  const head = ['CLI', 'version', 'kind', 'task', 'plain node', 'official', 'static', 'pkg SEA', 'measured (toolchain commit)'];
  // A stored result counts only for the row's version and task as they are now: an older one is "not run yet".
  const currentResult = (cli: RealWorldCli): RowResult | undefined => {
    const r = results[cli.name];
    return r !== undefined && r.version === cli.version && r.task === cli.task.describe ? r : undefined;
  };
  const rows = table.map((cli) => {
    const r = currentResult(cli);
    const base = [`\`${cli.package}\``, cli.version, cell(cli.kind), cell(cli.task.describe)];
    if (!r) return [...base, 'not run yet', '', '', '', ''];
    return [...base, r.reference.status === 'pass' ? 'did the task' : `**fail**: \`${cell(r.reference.detail)}\``, shown(r.official), shown(r.static), shown(r.pkgSea), `${r.measuredAt.slice(0, 10)} (${r.toolchain ?? 'unknown'})`];
  });
  const counts = (col: 'official' | 'static' | 'pkgSea') => {
    const rs = table.map(currentResult).filter((r): r is RowResult => r !== undefined);
    return `${rs.filter((r) => r[col].status === 'pass').length}/${table.length}`;
  };
  const configs = table
    .filter((c) => c.seal || c.pkg)
    .map((c) => [`- \`${c.package}\`:`, c.seal ? ` seal \`${JSON.stringify(c.seal)}\`` : '', c.seal && c.pkg ? ';' : '', c.pkg ? ` pkg (.pkgrc) \`${JSON.stringify(c.pkg)}\`` : ''].join(''));
  const notes = table.filter((c) => c.note).map((c) => `- \`${c.package}\`: ${c.note}`);
  return `# Real-world CLIs

Popular command-line programs from npm, each built into one executable by this toolchain (\`npm run pack\`) on the
official Node runtime and on the static runtime, and by @yao-pkg/pkg's SEA mode as the peer, then given a real
task whose result is compared with the same CLI run by plain \`node\` (the official runtime: the same Node version as
the official and pkg columns; the static runtime may be an earlier release of the line: the one Debian's source has). A column passes when
what the task compares (exit code, stdout, stderr, files written, HTTP responses) is identical once each run's
directory, a server task's port, warning lines' pid and its runtime's \`process.version\` are replaced by placeholders; a failure shows the exact error.

Written by \`${facts.command}\` (build/realworld/, table in build/realworld/clis.ts) on ${facts.date}.

- Machine: ${facts.machine}
- Toolchain: the commit each row was measured at is in the last column (\`-dirty\`: the checkout had uncommitted changes).
- Runtimes: official Node ${facts.nodeVersion} (also runs "plain node"); static: ${facts.staticRuntime}; pkg: @yao-pkg/pkg ${facts.pkgVersion} \`--sea -t node${facts.nodeVersion}-linux-x64\`, its cache seeded with the same official runtime (offline)
- Each CLI is installed alone with \`npm install --no-audit --no-fund --save-exact\` from the npm registry into the toolchain's cache (\`<cache>/realworld/<name>@<version>/\`, \`<name>\` the row's name in clis.ts, which \`--only\` takes too: \`npm run realworld -- --help\` lists them) and built from there, as an installed package.
- Passing: official ${counts('official')}, static ${counts('static')}, pkg SEA ${counts('pkgSea')}.

| ${head.join(' | ')} |
|${head.map(() => '---').join('|')}|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

## Config the CLIs needed

\`seal\` is written into the installed package's package.json before building (the published one is kept beside
it); pkg's config into the package's \`.pkgrc\` (pkg lets its built-in dictionary replace a package.json \`pkg\` field
for packages it knows, eslint among them).
${configs.length ? configs.join('\n') : 'None.'}

## Notes

${notes.length ? notes.join('\n') : 'None.'}

## Reproduce

\`\`\`
npm run realworld                        # every row; progress per CLI
npm run realworld -- --only prettier,eslint
npm run realworld -- --json              # this run's results as JSON on stdout
npm run realworld -- --write-docs        # this file, from the newest result of every row
\`\`\`
`;
}
