import { present } from '../../shared/checked.ts';
import { oneOf } from '../../shared/cli-args/choice.ts';
import { parseCommandArgs, subcommand } from '../../shared/cli-args/command-args.ts';
import { int } from '../../shared/cli-args/number.ts';
import { optionsOf, UsageError } from '../../shared/cli-args/usage-error.ts';
import type { Arch } from '../../shared/toolchain/arch.ts';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { loadAverage, machine, table, writeSection } from '../bench/report.ts';
import { binaryFacts, hostArch, launcherFor, QEMU } from '../runtime/launcher.ts';
import { officialRuntime } from '../runtime/official.ts';
import { nodeLines, runtimePin, staticNodeVersion } from '../runtime/pin.ts';
import { runtimeBuildFlags } from '../runtime/static/build-flags.ts';
import { STATIC_ARCHES, staticTarget } from '../runtime/static/target.ts';
import { targetExecutionProblem } from '../runtime/static/target-exec.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';
import { compareIntl, runIntlProbe } from './intl.ts';
import { areaOf, NODE_TEST_AREAS, NODE_TEST_KNOWN_DIFFERENCES, nodeTestTree, parallelFiles, runNodeSuite, SAMPLE_STEP, sampleTests, WHOLE_AREA_MAX } from './node-suite.ts';

const USAGE = `npm run parity -- intl [--arch A] [--node N] [--static PATH] [--official PATH] [--json] [--write-docs]
npm run parity -- node-tests [--arch A] [--node N] [--static PATH] [--official PATH] [--areas A,B] [--jobs N] [--timeout S] [--json] [--write-docs]
  The static runtime against the official one: Intl behaviour byte for byte (intl), and a sample of
  Node's own test/parallel (a sample: 550 tests on Node 24, 520 on 22) run by Node's tools/test.py on each (node-tests, ~2 min a runtime at --jobs 2).
  Defaults: the cached static runtime (npm run runtime; jemalloc, intl full) and the pinned official one
  of --node (a pinned line, default ${nodeLines()[0]}) for --arch (x64 or arm64, default this host's).
  Another arch runs under qemu-user through binfmt_misc (the tests exec the runtime by path; intl checks it too);
  its --timeout defaults to 720 s a test instead of 240.
  --write-docs writes the result to docs/runtime-parity.md, one section per arch and line.`;

const HELP_REF = 'npm run parity -- --help';
const opt = optionsOf(HELP_REF);

/** Every option checked before a runtime is fetched or a test runs. */
function parseCli(argv: string[]) {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      arch: { type: 'string' },
      node: { type: 'string' },
      static: { type: 'string' },
      official: { type: 'string' },
      areas: { type: 'string' },
      jobs: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    { command: 'parity', help: HELP_REF, allowPositionals: true },
  );
  if (values.help) return { help: true as const };
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' for 'parity' (see '${HELP_REF}')`);
  const command = subcommand(positionals[0], ['intl', 'node-tests'] as const, { command: 'parity', help: HELP_REF });
  if (!command) throw new UsageError(`a command is needed: intl or node-tests (see '${HELP_REF}')`);
  // The intl comparison runs its own fixed checks: node-tests' choices would be dropped unseen.
  if (command === 'intl') {
    const stray = (['areas', 'jobs', 'timeout'] as const).filter((n) => values[n] !== undefined);
    if (stray.length > 0) throw new UsageError(`${stray.map((n) => `--${n}`).join(', ')} ${stray.length === 1 ? 'is an option' : 'are options'} of node-tests, not intl (see '${HELP_REF}')`);
  }
  const areas = values.areas?.split(',').map((a) => oneOf(a, opt('--areas'), NODE_TEST_AREAS));
  if (areas && values['write-docs']) throw new UsageError(`--write-docs records the whole sample: drop --areas (see '${HELP_REF}')`);
  const arch: Arch = oneOf(values.arch ?? hostArch() ?? 'x64', opt('--arch'), STATIC_ARCHES);
  const emulated = arch !== hostArch();
  return {
    help: false as const,
    command,
    arch,
    emulated,
    node: oneOf(values.node ?? nodeLines()[0], opt('--node'), nodeLines()),
    static: values.static,
    official: values.official,
    areas,
    jobs: int(values.jobs ?? '2', opt('--jobs'), { min: 1, max: 64 }),
    timeoutSeconds: int(values.timeout ?? (emulated ? '720' : '240'), opt('--timeout'), { min: 10, max: 3600 }),
    json: values.json,
    writeDocs: values['write-docs'],
  };
}

const root = new URL('../..', import.meta.url).pathname;
let cli: ReturnType<typeof parseCli>;
try {
  cli = parseCli(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`error: ${err.message}`);
  process.exit(2);
}
if (cli.help) {
  console.log(USAGE);
  process.exit(0);
}
const { command, arch, emulated } = cli;
const pin = runtimePin(cli.node);
const defaultLine = cli.node === nodeLines()[0];
/** The options that chose this run, for the commands the docs quote. */
const chosen = `${arch !== 'x64' ? ` --arch ${arch}` : ''}${defaultLine ? '' : ` --node ${cli.node}`}${cli.official ? ` --official ${cli.official}` : ''}`;
/** One docs section per arch and line, named by the line: which line is the default changes, a section's subject does not. */
const sectionSuffix = `${arch === 'x64' ? '' : `-${arch}`}-node${pin.line}`;
const titleSuffix = ` (${[arch === 'x64' ? '' : `linux-${arch}${emulated ? ', under qemu-user' : ''}`, `Node ${pin.line}`].filter(Boolean).join('; ')})`;

const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};

const quiet = { info: () => {}, progress: () => {} };
const officialPath =
  cli.official ??
  (
    await officialRuntime({ nodeVersion: pin.nodeVersion, arch, cacheDir: cacheRoot(), log: quiet, integrity: pin.runtimeIntegrity?.[arch] }).catch((err: Error) =>
      fail(`${err.message}\n  the comparison needs an official linux-${arch} Node ${pin.nodeVersion}; without it pass --official PATH (the nearest release npm has, and say so)`),
    )
  ).path;
const staticPath =
  cli.static ??
  cachedStaticRuntime(cacheRoot(), staticNodeVersion(pin), 'jemalloc', arch, 'full')?.path ??
  fail(
    `no static Node ${cli.node} runtime for linux-${arch} with full ICU in the cache: build it with \`npm run runtime --${runtimeBuildFlags({ node: defaultLine ? undefined : cli.node, arch })} --detach\` (1.5–4 h on 2 cores with ICU, docs/static-runtime.md), or pass --static PATH`,
  );

/** How this host runs a runtime binary, from its ELF header: natively, or under qemu-user (with the cross sysroot when it is dynamic). */
function launch(path: string) {
  let facts: ReturnType<typeof binaryFacts>;
  try {
    facts = binaryFacts(path);
  } catch (err) {
    return fail(`cannot run ${path}: ${(err as Error).message}`);
  }
  const l = launcherFor(facts.arch, facts.dynamic);
  if ('missing' in l) return fail(l.missing);
  // test.py and the tests exec the runtime by path: a foreign one needs binfmt_misc, and a dynamic one qemu's prefix.
  const problem = l.emulated ? targetExecutionProblem(staticTarget(facts.arch)) : undefined;
  if (problem) return fail(problem);
  const env = l.emulated && facts.dynamic ? { QEMU_LD_PREFIX: present(QEMU[facts.arch], `qemu for ${facts.arch}`).sysroot } : undefined;
  return { path, launcher: l, env, describe: `\`${path}\` (linux-${facts.arch}, ${l.describe})` };
}
const officialBin = launch(officialPath);
const staticBin = launch(staticPath);
const header = (cmd: string) =>
  `Command: \`${cmd}\`, ${new Date().toISOString().slice(0, 16)}Z. Machine: ${machine()}; load average at the end ${loadAverage()}.\n\n` + `Official: ${officialBin.describe}. Static: ${staticBin.describe}.`;

if (command === 'intl') {
  const parity = compareIntl(runIntlProbe(officialBin.path, officialBin.launcher), runIntlProbe(staticBin.path, staticBin.launcher));
  if (cli.json) console.log(JSON.stringify(parity, null, 2));
  else {
    console.log(`${parity.identical} of ${parity.cases} Intl cases identical byte for byte; ${parity.differences.length} differ (${parity.unexplained} unexplained)`);
    for (const d of parity.differences) console.log(`  ${d.name}\n    official ${d.official.slice(0, 200)}\n    static   ${d.static.slice(0, 200)}\n    reason   ${d.reason ?? 'UNEXPLAINED'}`);
  }
  if (cli.writeDocs) {
    const rows = parity.differences.map((d) => [d.name, `\`${d.official.slice(0, 80)}\``, `\`${d.static.slice(0, 80)}\``, d.reason ?? '**unexplained**']);
    const body = [
      `## Intl parity${titleSuffix}`,
      header(`npm run parity -- intl${chosen} --write-docs`),
      `**${parity.identical} of ${parity.cases}** cases of build/parity/intl-probe.cjs print identical lines on both runtimes.`,
      rows.length ? table(['case', 'official', 'static', 'reason'], rows) : 'No case differs.',
    ].join('\n\n');
    console.error(`written: ${await writeSection(root, `intl-parity${sectionSuffix}`, body, 'runtime-parity.md')}`);
  }
  process.exit(parity.unexplained ? 1 : 0);
}

// node-tests
const tree = await nodeTestTree(cacheRoot(), staticNodeVersion(pin)).catch((err: Error) => fail(err.message));
const areaFilter = cli.areas;
const tests = sampleTests(parallelFiles(tree)).filter((t) => {
  const area = areaOf(t);
  return !areaFilter || (area !== undefined && areaFilter.includes(area));
});
const { jobs, timeoutSeconds } = cli;
const runs = [];
for (const [label, runtime] of [
  ['official', officialBin],
  ['static', staticBin],
] as const) {
  const started = Date.now();
  let last = 0;
  const run = await runNodeSuite(tree, runtime.path, tests, {
    jobs,
    timeoutSeconds,
    ...(runtime.env ? { env: runtime.env } : {}),
    progress: (done, total) => {
      if (Date.now() - last < 10_000 && done !== total) return;
      last = Date.now();
      const eta = Math.round((((Date.now() - started) / done) * (total - done)) / 1000);
      console.error(`[${label}] ${done}/${total} tests, ETA ${eta} s`);
    },
  });
  runs.push({ label, ...run });
}
const [official, statik] = runs as [(typeof runs)[0], (typeof runs)[0]];
const areas = NODE_TEST_AREAS.filter((a) => !areaFilter || areaFilter.includes(a)).map((area) => {
  const inArea = tests.filter((t) => areaOf(t) === area);
  const count = (r: typeof official, o: string) => inArea.filter((t) => r.outcomes.get(t) === o).length;
  return { area, tests: inArea.length, official: { pass: count(official, 'pass'), skip: count(official, 'skip') }, static: { pass: count(statik, 'pass'), skip: count(statik, 'skip') } };
});
const onlyOfficial = tests.filter((t) => official.outcomes.get(t) === 'pass' && statik.outcomes.get(t) !== 'pass').map((t) => ({ test: t, static: statik.outcomes.get(t) ?? 'no result', reason: NODE_TEST_KNOWN_DIFFERENCES[t] }));
const onlyStatic = tests.filter((t) => statik.outcomes.get(t) === 'pass' && official.outcomes.get(t) !== 'pass').map((t) => ({ test: t, official: official.outcomes.get(t) ?? 'no result' }));
const passed = (r: typeof official) => tests.filter((t) => r.outcomes.get(t) === 'pass').length;
const result = {
  sample: { tests: tests.length, rule: `areas of at most ${WHOLE_AREA_MAX} tests whole, larger ones every ${SAMPLE_STEP}rd by name` },
  official: { passed: passed(official), seconds: official.seconds },
  static: { passed: passed(statik), seconds: statik.seconds },
  areas,
  onlyOfficial,
  onlyStatic,
};
if (cli.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`${tests.length} tests: official passed ${result.official.passed} (${official.seconds} s), static passed ${result.static.passed} (${statik.seconds} s)`);
  for (const o of onlyOfficial) console.log(`  only official: ${o.test} (static: ${o.static}) — ${o.reason ?? 'UNEXPLAINED'}`);
  for (const o of onlyStatic) console.log(`  only static: ${o.test} (official: ${o.official})`);
}
if (cli.writeDocs) {
  const body = [
    `## Node's own tests${titleSuffix}`,
    header(`npm run parity -- node-tests${chosen} --jobs ${jobs} --write-docs`),
    `Sample (build/parity/node-suite.ts, \`sampleTests\`): the test/parallel files of the areas below, ${result.sample.rule}; ${tests.length} tests, run by Node's tools/test.py (\`-p tap -j${jobs} --timeout=${timeoutSeconds}\`, its status files applied) on each runtime in turn. A skip is a test that said it does not apply (e.g. needs a feature the build lacks).`,
    table(
      ['area', 'tests', 'official passed', 'official skipped', 'static passed', 'static skipped'],
      [...areas.map((a) => [a.area, a.tests, a.official.pass, a.official.skip, a.static.pass, a.static.skip]), ['**all**', tests.length, result.official.passed, '', result.static.passed, '']],
    ),
    onlyOfficial.length
      ? `Passed only on the official runtime:\n\n${table(
          ['test', 'static', 'reason'],
          onlyOfficial.map((o) => [o.test, o.static, o.reason ?? '**unexplained**']),
        )}`
      : 'No test passes only on the official runtime.',
    onlyStatic.length ? `Passed only on the static runtime: ${onlyStatic.map((o) => `${o.test} (official: ${o.official})`).join(', ')}.` : '',
  ].join('\n\n');
  console.error(`written: ${await writeSection(root, `node-tests${sectionSuffix}`, body, 'runtime-parity.md')}`);
}
process.exit(onlyOfficial.some((o) => !o.reason) ? 1 : 0);
