import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callerPath } from '../shared/cli-args/caller-path.ts';
import { oneOf } from '../shared/cli-args/choice.ts';
import { parseCommandArgs, subcommand } from '../shared/cli-args/command-args.ts';
import { optionsOf, UsageError } from '../shared/cli-args/usage-error.ts';
import { inspectPath } from '../shared/elf/file.ts';
import { ElfError } from '../shared/elf/parse.ts';
import { BuildError } from '../shared/toolchain/build-error.ts';
import type { Logger } from '../shared/toolchain/logger.ts';
import { stackCommand } from './crash/stack-command.ts';
import { StackMapError } from './crash/stack-trace.ts';
import { dist } from './dist.ts';
import { FRAME_CHECKSUMS_MODULE, writeFrameChecksums } from './frame-checksums-wasm.ts';
import { formatReport } from './inspect.ts';
import { commandLine, installed } from './invocation.ts';
import { STARTUPS } from './project/config.ts';
import { nodeLines } from './runtime/pin.ts';
import { INTL_MODES } from './runtime/static/context.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const log: Logger = {
  info: (line) => {
    if (process.stdout.isTTY) process.stdout.write('\r\x1b[K');
    process.stdout.write(`${line}\n`);
  },
  progress: (line) => {
    if (process.stdout.isTTY) process.stdout.write(`\r\x1b[K${line.slice(0, (process.stdout.columns || 80) - 1)}`);
  },
};

const HELP_HEADER = `Usage: ${installed() ? 'npx seal <command> [options]   (npx seal runtime --help: the static runtime)' : 'npm run <script> -- [options]   (or: tsx build/cli.ts <command> [options])'}`;

// Each command's lines; dist, toolchain-package and wasm work on this repository only (not shown where installed).
const HELP_COMMANDS: [boolean, string][] = [
  [
    false,
    `  pack [DIR] [--runtime auto|official|static|PATH] [--arch x64|arm64] [--node LINE] [--startup code-cache|snapshot|none] [--intl full|small|none] [--pointer-compression] [--no-train] [--out OUT] [--runtime-source npm|nodejs.org] [--build-runtime]
      turn the npm package in DIR (default: the current directory) into one executable per target:
      bundle it, make the SEA blob with the runtime, inject, verify; writes the artifacts,
      SHA256SUMS and manifest.json to OUT (default ./dist). Configured by package.json's "seal"
      section (docs/toolchain.md); --runtime/--arch build that one binary instead of seal.targets.
      --runtime auto (the default): the static runtime when one is cached or pinned and published,
      else the official one, saying which and why; static: only the static one (cached, else the
      package.json-pinned package); --build-runtime builds it (hours) when neither is there.
      --node LINE: the Node line (major version) to build on, one the toolchain pins in its
      package.json → runtimes (default: seal.node, else the toolchain's default line)
      --startup: how the binary gets to the program's first line (default: seal.startup, else
      code-cache; snapshot needs a program that calls v8.startupSnapshot.setDeserializeMainFunction)
      --intl: the static runtime's ICU (default: seal.intl, else full, every locale; small: English
      only, ~24 MiB smaller; none: no Intl). The official runtime always has full ICU
      --pointer-compression: the static runtime built with V8 pointer compression (default:
      seal.pointerCompression, else off): a smaller heap, a V8 heap capped at 4 GiB
      --no-train: leave seal.train out: the code cache holds the bundle's top level only`,
  ],
  [
    true,
    `  dist [same options as pack]
      pack this checkout (broker) into its dist/`,
  ],
  [
    true,
    `  toolchain-package [--out DIR]
      the toolchain as an npm package tarball (DIR default dist/): another project installs it with
      npm i -D <tarball> and runs npx seal pack`,
  ],
  [
    false,
    `  inspect FILE [--json]
      portability report of an ELF file: linkage, loader, libraries, symbol versions, SEA state`,
  ],
  [
    false,
    `  stack MAP|ARTIFACT [REPORT] [--json]
      a user's crash report (REPORT, or stdin) with the bundle's positions (app.cjs:56:98) rewritten
      to the source file, line and column, through the .map pack writes beside each artifact`,
  ],
  [
    true,
    `  wasm
      recompile src/archive/frame-checksums.c (the recorder's SIMD CRC32C) with the pinned Zig into
      src/archive/frame-checksums-wasm.ts, which is committed`,
  ],
];

const HELP = `${HELP_HEADER}

Commands:
${HELP_COMMANDS.filter(([own]) => !own || !installed())
  .map(([, text]) => text)
  .join('\n')}`;

const COMMANDS = ['pack', 'dist', 'toolchain-package', 'inspect', 'stack', 'wasm'] as const;
const ARCHES = ['x64', 'arm64'] as const;
const OFFICIAL_SOURCES = ['npm', 'nodejs.org'] as const;
const RUNTIME_WORDS = ['auto', 'official', 'static'] as const;
/** Where the list of commands is, as this user starts the toolchain. */
const TOP_HELP = installed() ? 'npx seal --help' : 'tsx build/cli.ts --help';

async function main(argv: string[]): Promise<number> {
  const [word, ...rest] = argv;
  if (word === undefined || word === 'help' || argv.includes('--help')) {
    console.log(HELP);
    return 0;
  }
  const command = subcommand(word, COMMANDS, { help: TOP_HELP });
  // What builds or rewrites this repository itself has no meaning in a project that installed the toolchain.
  if (installed() && (command === 'dist' || command === 'wasm' || command === 'toolchain-package')) {
    throw new UsageError(`'${command}' works on the toolchain's own repository; in a project, build it with 'npx seal pack' (see 'npx seal --help')`);
  }
  if (command === 'inspect') {
    const help = commandLine('inspect', '--help');
    const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, { command, help, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(`inspect takes exactly one FILE, got ${positionals.length} (see '${help}')`);
    const file = positionals[0] as string;
    const report = inspectPath(callerPath(file));
    console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(file, report));
    return 0;
  }
  if (command === 'stack') {
    const help = commandLine('stack', '--help');
    const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, { command, help, allowPositionals: true });
    if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`stack takes a MAP (or the ARTIFACT it was written beside) and at most one REPORT, got ${positionals.length} argument(s) (see '${help}')`);
    const [map = '', report] = positionals;
    return stackCommand(
      { map: callerPath(map), ...(report === undefined ? {} : { report: callerPath(report) }), json: values.json === true, help },
      { stdout: (text) => process.stdout.write(text), stderr: (line) => console.error(line) },
    );
  }
  if (command === 'wasm') {
    parseCommandArgs(rest, {}, { command, help: commandLine('wasm', '--help') });
    log.info(`${FRAME_CHECKSUMS_MODULE}: ${(await writeFrameChecksums(root)) ? 'rewritten' : 'already current'}`);
    return 0;
  }
  if (command === 'toolchain-package') {
    const { values } = parseCommandArgs(rest, { out: { type: 'string' } }, { command, help: commandLine('toolchain-package', '--help') });
    // Loaded only here: the packaged toolchain leaves release/ out.
    const { packToolchain } = await import('./release/toolchain-package.ts');
    log.info(`wrote ${await packToolchain(root, values.out === undefined ? join(root, 'dist') : callerPath(values.out))}`);
    return 0;
  }
  const help = commandLine(command, '--help');
  const opt = optionsOf(help);
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      runtime: { type: 'string' },
      arch: { type: 'string' },
      node: { type: 'string' },
      startup: { type: 'string' },
      intl: { type: 'string' },
      'pointer-compression': { type: 'boolean' },
      'no-train': { type: 'boolean' },
      out: { type: 'string' },
      'runtime-source': { type: 'string' },
      'build-runtime': { type: 'boolean' },
    },
    { command, help, allowPositionals: command === 'pack' },
  );
  if (positionals.length > 1) throw new UsageError(`pack takes at most one DIR, got ${positionals.length} (see '${help}')`);
  const arch = oneOf(values.arch, opt('--arch'), ARCHES);
  const source = oneOf(values['runtime-source'], opt('--runtime-source'), OFFICIAL_SOURCES);
  const node = oneOf(values.node, opt('--node'), nodeLines());
  const startup = oneOf(values.startup, opt('--startup'), STARTUPS);
  const intl = oneOf(values.intl, opt('--intl'), INTL_MODES);
  // `npm run pack -- ../app` means from where npm run was called.
  const project = command === 'dist' ? root : callerPath(positionals[0] ?? '.');
  const outDir = values.out === undefined ? (command === 'dist' ? undefined : callerPath('dist')) : callerPath(values.out);
  // Checked before anything is built: the first write to --out comes minutes in, after the blob.
  if (values.out !== undefined && outDir !== undefined && statSync(outDir, { throwIfNoEntry: false })?.isDirectory() === false) throw new UsageError(`--out ${outDir} is a file: give a directory (made if missing) (see '${help}')`);
  const runtime = runtimeArg(values.runtime, help);
  if (values['build-runtime'] && runtime !== 'static' && runtime !== undefined)
    throw new UsageError(`--build-runtime builds a static runtime when none is cached: it goes with --runtime static (or no --runtime), not --runtime ${values.runtime} (see '${help}')`);
  const started = performance.now();
  const built = await dist({
    project,
    outDir,
    runtime,
    arch,
    officialSource: source,
    buildRuntime: values['build-runtime'],
    node,
    startup,
    intl,
    pointerCompression: values['pointer-compression'],
    noTrain: values['no-train'],
    log,
  });
  log.info(`done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${built.map((ctx) => ctx.artifact?.path).join(', ')}`);
  return 0;
}

/**
 * --runtime: auto, official or static, or the path of a Node binary (relative to where npm run was called, like DIR
 * and --out); a word that is neither, or a path that is not a file, is a usage error naming what is allowed.
 */
function runtimeArg(value: string | undefined, help: string): string | undefined {
  if (value === undefined || (RUNTIME_WORDS as readonly string[]).includes(value)) return value;
  const path = callerPath(value);
  const st = statSync(path, { throwIfNoEntry: false });
  if (value !== '' && st?.isFile()) return path;
  const why = value === '' ? 'an empty value' : st ? `${path} is not a file` : `no file ${path}`;
  throw new UsageError(`--runtime must be ${RUNTIME_WORDS.join(', ')} or the path of a Node binary, got '${value}' (${why}) (see '${help}')`);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}${err.message.includes('(see ') ? '' : ` (see '${TOP_HELP}')`}`);
      process.exitCode = 2;
    } else if (err instanceof BuildError || err instanceof ElfError || err instanceof StackMapError) {
      console.error(`error: ${err.message}`);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
