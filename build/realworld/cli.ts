// npm run realworld — the real-world table of issue 24: popular npm CLIs built by the toolchain (official and
// static runtime) and by pkg's SEA mode, each given a real offline task compared with plain node.
// Flags: --only NAME,... (rows), --json (this run's results on stdout), --write-docs (docs/real-world.md).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseCommandArgs } from '../../shared/cli-args/command-args.ts';
import { UsageError } from '../../shared/cli-args/usage-error.ts';
import { machine } from '../bench/report.ts';
import { devToolVersion } from '../dev-tools/dev-tools.ts';
import { CLIS } from './clis.ts';
import { renderDoc } from './docs.ts';
import { fakePkgHome } from './pkg-sea.ts';
import { type RowResult, saveResults } from './results.ts';
import { measureRow } from './row.ts';
import { officialNode, staticNode, toolchainRoot } from './runtimes.ts';
import { selectRows, tableProblems } from './table.ts';

const HELP = `Usage: npm run realworld -- [--only NAME,...] [--json] [--write-docs]

Installs each CLI of build/realworld/clis.ts from the npm registry into the toolchain's cache, runs its task
with plain node, builds it with 'npm run pack' on the official and (when cached) the static runtime and with
pkg's SEA mode, runs the task with each binary and compares. Rows: ${CLIS.map((c) => c.name).join(', ')}.
  --only NAME,...  just these rows
  --json           this run's results as JSON on stdout (progress goes to stderr)
  --write-docs     write docs/real-world.md from the newest result of every row`;

async function main(argv: string[]): Promise<number> {
  const help = 'npm run realworld -- --help';
  const { values } = parseCommandArgs(argv, { only: { type: 'string' }, json: { type: 'boolean' }, 'write-docs': { type: 'boolean' }, help: { type: 'boolean' } }, { command: 'realworld', help });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const problems = tableProblems(CLIS);
  if (problems.length > 0) throw new Error(`build/realworld/clis.ts:\n  ${problems.join('\n  ')}`);
  let rows: typeof CLIS;
  try {
    rows = selectRows(CLIS, values.only);
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see '${help}')`);
  }
  const out = values.json ? process.stderr : process.stdout;
  const log = (line: string) => out.write(`${line}\n`);

  const node = await officialNode();
  const staticRuntime = await staticNode();
  const pkgHome = await fakePkgHome(node.path, node.version);
  const described = await execa('git', ['describe', '--always', '--dirty'], { cwd: toolchainRoot, reject: false });
  const toolchain = described.exitCode === 0 ? described.stdout.trim() : 'not a git checkout';
  log(`plain node and the official runtime: ${node.path} (v${node.version}); static runtime: ${'path' in staticRuntime ? staticRuntime.path : staticRuntime.skipped}`);

  const results: RowResult[] = [];
  for (const [i, cli] of rows.entries()) {
    log(`[${i + 1}/${rows.length}] ${cli.package}@${cli.version} (${cli.kind}): ${cli.task.describe}`);
    try {
      results.push(await measureRow(cli, { node, staticRuntime, pkgHome, toolchain, log }));
    } catch (err) {
      // The row could not be measured at all (install failed, ...): said, and the other rows go on.
      log(`    could not measure: ${(err as Error).message}`);
      const failed = { status: 'fail' as const, detail: `not measured: ${(err as Error).message.split('\n')[0]}` };
      results.push({
        name: cli.name,
        package: cli.package,
        version: cli.version,
        kind: cli.kind,
        task: cli.task.describe,
        reference: failed,
        official: failed,
        static: failed,
        pkgSea: failed,
        measuredAt: new Date().toISOString(),
        toolchain,
      });
    }
  }
  const all = await saveResults(results);
  log('');
  for (const r of results) log(`${r.name.padEnd(12)} plain node ${r.reference.status.padEnd(7)} official ${r.official.status.padEnd(7)} static ${r.static.status.padEnd(7)} pkg SEA ${r.pkgSea.status}`);
  if (values.json) console.log(JSON.stringify(results, null, 2));
  if (values['write-docs']) {
    const pkgVersion = devToolVersion('@yao-pkg/pkg');
    const doc = renderDoc(CLIS, all, {
      command: `npm run realworld -- ${argv.join(' ')}`.trim(),
      machine: machine(),
      date: new Date().toISOString().slice(0, 10),
      nodeVersion: node.version,
      pkgVersion,
      staticRuntime: 'path' in staticRuntime ? staticRuntime.path : `none (${staticRuntime.skipped})`,
    });
    const path = join(toolchainRoot, 'docs', 'real-world.md');
    await writeFile(path, doc);
    log(`wrote ${path}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
