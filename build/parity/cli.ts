import { parseArgs } from 'node:util';
import { cacheRoot } from '../../shared/toolchain/cache-root.ts';
import { loadAverage, machine, table, writeSection } from '../bench/report.ts';
import { officialRuntime } from '../runtime/official.ts';
import { cachedStaticRuntime } from '../runtime/static/verify.ts';
import pkg from '../../package.json' with { type: 'json' };
import { compareIntl, runIntlProbe } from './intl.ts';
import { areaOf, NODE_TEST_AREAS, NODE_TEST_KNOWN_DIFFERENCES, nodeTestTree, parallelFiles, runNodeSuite, SAMPLE_STEP, sampleTests, WHOLE_AREA_MAX } from './node-suite.ts';

const USAGE = `npm run parity -- intl [--static PATH] [--official PATH] [--json] [--write-docs]
npm run parity -- node-tests [--static PATH] [--official PATH] [--areas A,B] [--jobs N] [--timeout S] [--json] [--write-docs]
  The static runtime against the official one: Intl behaviour byte for byte (intl), and a sample of
  Node's own test/parallel run by Node's tools/test.py on each (node-tests, ~10 min at --jobs 2).
  Defaults: the cached static runtime (npm run runtime; jemalloc, intl full) and the pinned official one.
  --write-docs writes the result to docs/runtime-parity.md.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    static: { type: 'string' },
    official: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    timeout: { type: 'string', default: '240' },
    areas: { type: 'string' },
    json: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function positiveInt(option: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`--${option} must be a positive integer; got '${value}'`);
  return n;
}

const root = new URL('../..', import.meta.url).pathname;
const command = positionals[0];
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (command !== 'intl' && command !== 'node-tests') usage(command ? `unknown subcommand '${command}'; known: intl, node-tests` : 'a subcommand is needed: intl or node-tests');

const quiet = { info: () => {}, progress: () => {} };
const officialPath =
  values.official ??
  (await officialRuntime({ nodeVersion: pkg.broker.nodeVersion, arch: 'x64', cacheDir: cacheRoot(), log: quiet, integrity: pkg.broker.runtimeIntegrity.x64 })).path;
const staticPath = values.static ?? cachedStaticRuntime(cacheRoot(), pkg.broker.nodeVersion, 'jemalloc', 'x64', 'full')?.path;
if (!staticPath) {
  console.error('no static runtime with full ICU in the cache: build it with `npm run runtime -- --detach` (about 2 h on 2 cores), or pass --static PATH');
  process.exit(1);
}
const header = (cmd: string) =>
  `Command: \`${cmd}\`, ${new Date().toISOString().slice(0, 16)}Z. Machine: ${machine()}; load average at the end ${loadAverage()}.\n\n` +
  `Official: \`${officialPath}\`. Static: \`${staticPath}\`.`;

if (command === 'intl') {
  const parity = compareIntl(runIntlProbe(officialPath), runIntlProbe(staticPath));
  if (values.json) console.log(JSON.stringify(parity, null, 2));
  else {
    console.log(`${parity.identical} of ${parity.cases} Intl cases identical byte for byte; ${parity.differences.length} differ (${parity.unexplained} unexplained)`);
    for (const d of parity.differences) console.log(`  ${d.name}\n    official ${d.official.slice(0, 200)}\n    static   ${d.static.slice(0, 200)}\n    reason   ${d.reason ?? 'UNEXPLAINED'}`);
  }
  if (values['write-docs']) {
    const rows = parity.differences.map((d) => [d.name, `\`${d.official.slice(0, 80)}\``, `\`${d.static.slice(0, 80)}\``, d.reason ?? '**unexplained**']);
    const body = [
      '## Intl parity',
      header('npm run parity -- intl --write-docs'),
      `**${parity.identical} of ${parity.cases}** cases of build/parity/intl-probe.cjs print identical lines on both runtimes.`,
      rows.length ? table(['case', 'official', 'static', 'reason'], rows) : 'No case differs.',
    ].join('\n\n');
    console.error(`written: ${await writeSection(root, 'intl-parity', body, 'runtime-parity.md')}`);
  }
  process.exit(parity.unexplained ? 1 : 0);
}

// node-tests
const tree = await nodeTestTree(cacheRoot());
const areaFilter = values.areas?.split(',');
const unknownArea = areaFilter?.find((a) => !(NODE_TEST_AREAS as readonly string[]).includes(a));
if (unknownArea !== undefined) usage(`--areas: unknown area '${unknownArea}'; known: ${NODE_TEST_AREAS.join(', ')}`);
if (areaFilter && values['write-docs']) usage('--write-docs records the whole sample: drop --areas');
const tests = sampleTests(parallelFiles(tree)).filter((t) => !areaFilter || areaFilter.includes(areaOf(t)!));
const jobs = positiveInt('jobs', values.jobs);
const timeoutSeconds = positiveInt('timeout', values.timeout);
const runs = [];
for (const [label, runtime] of [['official', officialPath], ['static', staticPath]] as const) {
  const started = Date.now();
  let last = 0;
  const run = await runNodeSuite(tree, runtime, tests, {
    jobs,
    timeoutSeconds,
    progress: (done, total) => {
      if (Date.now() - last < 10_000 && done !== total) return;
      last = Date.now();
      const eta = Math.round(((Date.now() - started) / done) * (total - done) / 1000);
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
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  console.log(`${tests.length} tests: official passed ${result.official.passed} (${official.seconds} s), static passed ${result.static.passed} (${statik.seconds} s)`);
  for (const o of onlyOfficial) console.log(`  only official: ${o.test} (static: ${o.static}) — ${o.reason ?? 'UNEXPLAINED'}`);
  for (const o of onlyStatic) console.log(`  only static: ${o.test} (official: ${o.official})`);
}
if (values['write-docs']) {
  const body = [
    "## Node's own tests",
    header(`npm run parity -- node-tests --jobs ${jobs} --write-docs`),
    `Sample (build/parity/node-suite.ts, \`sampleTests\`): the test/parallel files of the areas below, ${result.sample.rule}; ${tests.length} tests, run by Node's tools/test.py (\`-p tap -j${jobs} --timeout=${timeoutSeconds}\`, its status files applied) on each runtime in turn. A skip is a test that said it does not apply (e.g. needs a feature the build lacks).`,
    table(
      ['area', 'tests', 'official passed', 'official skipped', 'static passed', 'static skipped'],
      [...areas.map((a) => [a.area, a.tests, a.official.pass, a.official.skip, a.static.pass, a.static.skip]), ['**all**', tests.length, result.official.passed, '', result.static.passed, '']],
    ),
    onlyOfficial.length
      ? `Passed only on the official runtime:\n\n${table(['test', 'static', 'reason'], onlyOfficial.map((o) => [o.test, o.static, o.reason ?? '**unexplained**']))}`
      : 'No test passes only on the official runtime.',
    onlyStatic.length ? `Passed only on the static runtime: ${onlyStatic.map((o) => `${o.test} (official: ${o.official})`).join(', ')}.` : '',
  ].join('\n\n');
  console.error(`written: ${await writeSection(root, 'node-tests', body, 'runtime-parity.md')}`);
}
process.exit(onlyOfficial.some((o) => !o.reason) ? 1 : 0);
